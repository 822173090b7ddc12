"""Settings shared by every environment, read from the environment through django-environ.

Environment-specific modules (dev, production, test) only override what differs; nothing
important lives only in one of them. Bad values raise at start-up rather than being guessed.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer may keep local overrides in .env; the process environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean, refusing anything that is not clearly true or false."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_base_url(name: str, default: str) -> str:
    """Read a site address: http(s), a host (and port), no path. Refuses anything else;
    unset or empty means the default."""
    raw = env.str(name, default="") or default
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"{name} must be an http:// or https:// address with no path, such as "
            f"https://tandem.example.nhs.uk, not {raw!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env_bool("DEBUG", False)
# Tandem's public address: every link in every email it sends starts with it (invitations,
# allauth's confirmation and reset links through accounts.adapter, Wagtail's notifications
# through WAGTAILADMIN_BASE_URL below). The default is what `make run` serves.
BASE_URL = env_base_url("BASE_URL", f"http://127.0.0.1:{env.int('TANDEM_PORT', default=8000)}")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Tandem's own apps first so their templates override Wagtail's.
    "people",
    "accounts",
    "core",
    "audit",
    "privacy",
    "programmes",
    "pairing",  # pairs, shadowing, meetings and improvement projects
    "cms",
    "certificates",
    "coffee",  # Tandem coffee: informal meet-up rounds of a trust's clinicians and managers
    "outcomes",  # a programme's effect: self-assessment and follow-up surveys
    "reports",  # trust reporting at /reports/: aggregates only, small numbers suppressed
    "outbox",  # background work: the transactional outbox and the claim helper
    "api",  # the REST API at /api/: personal tokens, scoped exactly like the site
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "people.wagtail_users_app.TandemUsersAppConfig",  # wagtail.users, for superusers only
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (no CDN)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, recording the request so Wagtail's widgets can carry its nonce (core.csp).
    "core.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    # A signed-in person without admin access: one 403 page at /admin/, not a redirect loop.
    "accounts.middleware.AdminAccessMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    # The profile step before anything else, until the profile has what the person must give.
    "accounts.middleware.ProfileStepMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Requests no browser sends that Wagtail would answer with a 500 (core.wagtail_fixes).
    "core.wagtail_fixes.WagtailDefectsMiddleware",
    # Stores anonymous visitors' pages after rendering (cms.page_cache); innermost, so the
    # security headers above are added fresh to every response, cached or not.
    "cms.page_cache.PageCacheMiddleware",
    # Last, as django-axes requires, so it sees the response of every view it guards.
    "axes.middleware.AxesMiddleware",
]

# Fixed: `manage.py bench_http` serves its hello-world baseline through its own settings module
# (bench.http_settings), so no environment variable can rewire production's URLs.
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------
# Default: a SQLite file under var/, so a fresh machine needs no database server.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while the other writes; IMMEDIATE
    # transactions take the write lock up front instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: PostgreSQL compiles any query whose estimated cost passes
    # jit_above_cost, and the all-trust report queries (estimated in the millions for their
    # per-row role-history lookups, run in about a second) spent up to a second compiling —
    # half the leadership comparison's time at national volume (README, Benchmarks).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# Persistent connections: on this kind of machine PostgreSQL-backed pages served about 3x
# more requests per second with them. SQLite gains too: opening a connection (and running the
# PRAGMAs above) cost about 1.3 ms a request, a tenth of a page. Health checks drop
# connections that died.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People ------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/learn/"
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out person is refused before their password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Locale ------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files and media ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# var/ holds the SQLite file, media, the embedded broker and collected static files; it is
# git-ignored, so make it on first start (WhiteNoise warns about a missing STATIC_ROOT).
for _folder in (VAR_DIR, STATIC_ROOT):
    Path(_folder).mkdir(parents=True, exist_ok=True)

# MEDIA_STORAGE=s3 keeps uploads and certificates in object storage (django-storages), which
# every web server and worker can reach; the default is the local folder above.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}."
    )
# Certificates: never under MEDIA_ROOT (whose images a web server may serve publicly), and
# private in object storage; downloaded only through the permission-checking view.
if MEDIA_STORAGE == "filesystem":
    _certificate_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "certificates"), "base_url": None},
    }
else:
    _certificate_storage = {
        **_media_storage,
        "OPTIONS": {**_media_storage["OPTIONS"], "location": "certificates"},
    }
# Trusts' monthly PDF reports (reports.monthly): private in the same way, downloaded only
# through the reporting view.
if MEDIA_STORAGE == "filesystem":
    _report_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "reports"), "base_url": None},
    }
else:
    _report_storage = {
        **_media_storage,
        "OPTIONS": {**_media_storage["OPTIONS"], "location": "reports"},
    }
STORAGES = {
    "default": _media_storage,
    "certificates": _certificate_storage,
    "reports": _report_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Certificates' Open Badges signing key (certificates/signing.py) -------------------
# An Ed25519 private key, as a JWK (JSON) or a PEM (newlines may be written as \n). Set it in
# production so every web process signs with one key; unset, a key is generated once into
# CERTIFICATE_SIGNING_KEY_FILE (mode 0600) and reused, so `make run` needs no setup.
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="", multiline=True)
CERTIFICATE_SIGNING_KEY_FILE = Path(
    env.str(
        "CERTIFICATE_SIGNING_KEY_FILE", default=str(VAR_DIR / "keys" / "certificate-signing.jwk")
    )
)
# After a rotation: the public JWKs of earlier keys, still published at /verify/keys.json so
# the credentials they signed keep verifying (a JSON list).
CERTIFICATE_RETIRED_PUBLIC_KEYS = env.json("CERTIFICATE_RETIRED_PUBLIC_KEYS", default=[])

# --- Email ------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tandem <tandem@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ------------------------------------------------------------
# One cache for every process: the web server and the Celery worker of `make run` share it, so
# an invalidation one makes (a scheduled publish in the worker, say) reaches the other. The
# default needs no server: files under var/cache (a page-cache hit costs about 0.7 ms more
# than local memory, which no other process could see; README, "Page caching"). Production
# sets CACHE_URL=redis://...; tests use local memory (config.settings.test).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
# Anonymous visitors' pages are cached this long at most; publishing invalidates them at once
# (cms.page_cache). 0 turns page caching off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

# --- Celery ------------------------------------------------------------
# Default broker: kombu's filesystem transport under var/, so `make run` starts a real worker
# on a machine with no Redis. Production sets CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # kombu waits this long after each message it takes (default 1 s): at 1 s a cohort's
        # certificates under `make run` came at 2 a second (make bench, certificates-bulk).
        # Listing a folder ten times a second is nothing to a worker.
        "polling_interval": 0.1,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Without socket timeouts a Redis that accepts connections but does not answer holds a
    # request (and /healthz/) for ever; with them a publish gives up in a few seconds and
    # the outbox's sweeper sends it later. The worker's own reads wait 1 s at a time.
    else {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 3}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in (_broker_dir / "queue", _broker_dir / "processed", _broker_dir / "control"):
        # Something else in a folder's place (a broken broker) is /healthz/'s to report; it
        # must not stop Django from starting.
        if not _folder.exists():
            _folder.mkdir(parents=True, exist_ok=True)
# Named queues, so a bulk run cannot starve the rest: a worker per queue in production (see
# the README), one worker consuming all of them under `make run` (Procfile.dev).
#   high    beat's heartbeat and the outbox sweeper: small, and late means "looks down"
#   default everything not routed elsewhere
#   email   mail to people (invitations, enrolment emails): a slow mail server holds up nothing else
#   pdf     certificate rendering: 5,000 at the end of a cohort must not delay the others
CELERY_TASK_QUEUES = {name: {"routing_key": name} for name in ("high", "default", "email", "pdf")}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_CREATE_MISSING_QUEUES = False  # a misspelt queue fails at the call, not silently
CELERY_TASK_ROUTES = {
    "core.tasks.record_worker_heartbeat": {"queue": "high"},
    "outbox.tasks.*": {"queue": "high"},
    "accounts.tasks.send_invitation": {"queue": "email"},
    "programmes.tasks.send_enrolment_emails": {"queue": "email"},
    "programmes.tasks.send_sponsor_request": {"queue": "email"},
    "programmes.tasks.sessions.send_session_notice": {"queue": "email"},
    "programmes.tasks.sessions.send_session_notice_to": {"queue": "email"},
    "programmes.tasks.sessions.send_session_reminder": {"queue": "email"},
    "programmes.tasks.attendance.send_absence_alert": {"queue": "email"},
    "coffee.tasks.send_coffee_round_emails": {"queue": "email"},
    "coffee.tasks.send_coffee_match": {"queue": "email"},
    "coffee.tasks.send_coffee_carry_over": {"queue": "email"},
    "pairing.tasks.send_pairing_announcement": {"queue": "email"},
    "pairing.tasks.send_visit_to_confirm": {"queue": "email"},
    # Before the pattern below: an exact name wins over a pattern (Celery's MapRoute).
    "certificates.tasks.send_certificate_email": {"queue": "email"},
    # Not behind a cohort's 5,000 renders in the pdf queue: it is what rescues them.
    "certificates.tasks.resume_stalled_renders": {"queue": "default"},
    # Issuing a cohort's batch is database work; its renders then go to the pdf queue.
    "certificates.tasks.certificate_batch_issue": {"queue": "default"},
    "certificates.tasks.*": {"queue": "pdf"},
    # Trusts' monthly reports (reports.tasks): rendered on the pdf queue, emailed on
    # the email queue; beat's daily run that makes them is database work.
    "reports.tasks.monthly_report_render": {"queue": "pdf"},
    "reports.tasks.send_monthly_report_email": {"queue": "email"},
}
# /healthz/ publishes a probe message and reads it back; load balancers poll it, so each web
# process reuses the answer this many seconds.
HEALTHZ_BROKER_CACHE_SECONDS = env.int("HEALTHZ_BROKER_CACHE_SECONDS", default=5)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True  # progress and outcomes live in our own models
# A task is acknowledged only after it finishes, and given back to the queue if the worker
# process dies mid-task, so every task must be idempotent (they take ids and guard state).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after each task unless
# this is set: a new PostgreSQL connection for every task, which cost a bulk issue a third of
# its speed (make bench, certificates-bulk-issue). Set, the fixup closes them only every this
# many tasks, and outbox.tasks applies CONN_MAX_AGE and CONN_HEALTH_CHECKS between tasks as
# Django does between requests.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.record_worker_heartbeat", "schedule": 30.0},
    # The outbox sweeper publishes what a broker outage left unpublished (outbox.services).
    # Beat sends it straight to the broker; a sweep that waited past the next is dropped.
    "outbox-sweep": {
        "task": "outbox.tasks.sweep_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "outbox-prune": {"task": "outbox.tasks.prune_outbox", "schedule": crontab(minute=17)},
    # Wagtail's scheduled publishing happens only when publish_scheduled runs. A run that
    # waits in the queue past the next one is dropped (expires), not stacked up.
    "cms-publish-scheduled": {
        "task": "cms.tasks.publish_scheduled_pages",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # When a cohort's enrolment closes, its unfilled reserved seats go to the waiting list
    # (programmes.tasks): within a minute, each cohort once. A late run is dropped, not stacked.
    "programmes-release-reserved-seats": {
        "task": "programmes.tasks.release_reserved_seats",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # A cohort that has ended: whoever is still enrolled is completed or marked not
    # completed by the programme's rules (programmes.tasks.attendance), each cohort once.
    "programmes-complete-ended-cohorts": {
        "task": "programmes.tasks.attendance.complete_ended_cohorts",
        "schedule": crontab(minute=41),
        "options": {"expires": 3000},
    },
    # Session reminders, a day ahead (programmes.services.reminders): each written and sent
    # once however runs overlap or are missed; a run stuck in the queue past the next is dropped.
    "programmes-queue-session-reminders": {
        "task": "programmes.tasks.sessions.queue_session_reminders",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Tandem coffee (coffee.tasks): every hour, each active trust's round for its current
    # period is queued if it has none; the round itself is made once, under a row lock.
    "coffee-rounds-due": {
        "task": "coffee.tasks.coffee_rounds_due",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    # Follow-up surveys (outcomes.services): at completion and 12 months after, each
    # participant's invitation and its one reminder two weeks on, each sent once.
    "outcomes-queue-due-surveys": {
        "task": "outcomes.tasks.queue_due_surveys",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 840},
    },
    # Retention (privacy.retention): once a day, at a quiet hour.
    "privacy-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # Subject-access requests whose worker died, or whose message was lost, are re-queued.
    "privacy-resume-stalled-subject-access": {
        "task": "privacy.tasks.resume_stalled_subject_access",
        "schedule": 600.0,
    },
    # Certificate renders whose worker was killed are re-queued (certificates.tasks).
    "certificates-resume-stalled-renders": {
        "task": "certificates.tasks.resume_stalled_renders",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Each trust's monthly report for the month just ended (reports.monthly): made on the 1st,
    # and the run is daily so that a 1st beat missed, or a render whose worker died, is made
    # good the next morning; whatever exists already is left alone, each email sent once.
    "reports-monthly-reports": {
        "task": "reports.tasks.make_monthly_reports",
        "schedule": crontab(hour=6, minute=20),
        "options": {"expires": 3600},
    },
}

# --- Wagtail ------------------------------------------------------------
WAGTAIL_SITE_NAME = "Tandem"
# Participant-only pages (page view restrictions) send anonymous visitors to our sign-in, not
# to Wagtail's own password form at /_util/login/.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
WAGTAILADMIN_BASE_URL = env_base_url("WAGTAILADMIN_BASE_URL", BASE_URL)
# Workflow and comment notifications in Tandem's HTML layout as well as in plain text
# (templates/wagtailadmin/notifications/).
WAGTAILADMIN_NOTIFICATION_USE_HTML = True
WAGTAIL_I18N_ENABLED = False
# Everyone works in England's time: no per-person time zone in the admin. Wagtail's default
# list (the system's zoneinfo) includes Debian's "localtime", which Chromium rejects, breaking
# the account page's script.
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
# The database backend uses SQLite's FTS5 locally and PostgreSQL's full-text search in
# production. SEARCH_CONFIG is PostgreSQL's text search configuration: English stemming
# ("budgeting" finds "budgets"); SQLite ignores it. Changing it needs `manage.py update_index`.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "english"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # always through Wagtail's permission-checking view
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAIL_PASSWORD_RESET_ENABLED = False  # allauth's reset flow is the only one
# Wagtail's own account page would change one's email address without verifying it and one's
# password outside allauth's rules: both are changed at /accounts/email/ and
# /accounts/password/change/ instead (the refusal matrix found the email change).
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Logging ------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
        # Wagtail queues a reference-index task per save; two INFO lines each drown the logs.
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Seven INFO lines a certificate rendered ("Step 1 - Fetching and parsing HTML"...);
        # WeasyPrint's warnings (a refused fetch, a missing glyph) still show.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- Accounts (django-allauth) ------------------------------------------------------------
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a POST, so mail scanners that follow links don't verify
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Emails are rendered by accounts.emails from Tandem's templates (so no subject prefix).
# A person is told by email when their password, email address or two-factor
# authentication changes, so a change they did not make does not pass unnoticed.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# django-axes is the lockout for passwords (below). allauth's failed-login limit also guards
# the two-factor code step, which axes does not see, so it stays — set looser than axes, so
# on the password step axes answers first.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,10/300s/key"}
# allauth's forms and errors in Tandem's words (British English, sentence case, labels).
ACCOUNT_FORMS = {
    "login": "accounts.allauth_forms.LoginForm",
    "signup": "accounts.allauth_forms.SignupForm",
    "add_email": "accounts.allauth_forms.AddEmailForm",
    "change_password": "accounts.allauth_forms.ChangePasswordForm",
    "set_password": "accounts.allauth_forms.SetPasswordForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.allauth_forms.ResetPasswordKeyForm",
    "reauthenticate": "accounts.allauth_forms.ReauthenticateForm",
}
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.allauth_forms.AuthenticateForm",
    "reauthenticate": "accounts.allauth_forms.MFAReauthenticateForm",
    "activate_totp": "accounts.allauth_forms.ActivateTOTPForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tandem"
MFA_RECOVERY_CODE_COUNT = 10

# Invitations a programme administrator sends: signed, single-use links valid this long.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

# Disclosure control for every report and export (reports.disclosure): a count from 1 to one
# below this is shown as "<5" (this number), and whatever would give it away is hidden too.
REPORTS_SUPPRESSION_THRESHOLD = env.int("REPORTS_SUPPRESSION_THRESHOLD", default=5)
if REPORTS_SUPPRESSION_THRESHOLD < 3:
    # "<2" would say "exactly 1": nothing would be hidden.
    raise ImproperlyConfigured("REPORTS_SUPPRESSION_THRESHOLD must be 3 or more.")
# The link a sponsor approves or declines an application from (programmes.sponsors): signed,
# single-use, and valid this long; the participant can send a new one from My learning.
SPONSOR_LINK_VALID_DAYS = env.int("SPONSOR_LINK_VALID_DAYS", default=14)
# A follow-up survey's emailed link (outcomes.links) works this long; the one reminder, two
# weeks on, carries a fresh one.
SURVEY_LINK_VALID_DAYS = env.int("SURVEY_LINK_VALID_DAYS", default=28)

# --- Lockout (django-axes) ------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the account name wherever the attempts come from, and the address whatever name it
# tries, so neither guessing one password nor spraying many accounts gets far.
# Two separate parameters, not one combination: failures count per account name and, apart,
# per client address. An unknown name is its own account name, so it locks nobody real.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "login"  # allauth's sign-in form
# allauth passes the address as credentials["email"]: read it wherever it is (accounts.lockout).
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_account"
# Not axes's reset on success: it deletes every failure from the signing-in address, so a
# guesser could clear their count on a victim's account by signing in to their own from the
# same address. A successful sign-in forgets the failures of that account only
# (accounts.lockout.forget_failures_of, on user_logged_in).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = [env.str("CLIENT_IP_HEADER", default="REMOTE_ADDR")]
# Behind our one proxy, the address it appended (the last) is the client's; earlier entries
# of X-Forwarded-For are whatever the client claimed.
AXES_IPWARE_PROXY_COUNT = 1 if AXES_IPWARE_META_PRECEDENCE_ORDER[0] != "REMOTE_ADDR" else None

# --- Sessions and cookies ------------------------------------------------------------
# Our session model records the user, so sign-out everywhere and deactivation can delete a
# person's sessions server-side without decoding every session in the table.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
STAFF_IDLE_TIMEOUT = env.int("STAFF_IDLE_TIMEOUT", default=30 * 60)  # seconds

# --- Content-Security-Policy (django-csp) --------------------------------------------------------
# One policy for the public site and the Wagtail admin (README, "Content-Security-Policy").
# Scripts only from our origin or carrying this response's nonce: no inline-script exceptions.
# Wagtail's own inline scripts are given the nonce (core.csp); Wagtail's preview, which the
# editor frames, gets frame-ancestors 'self' instead of 'none' (core.csp.CSPMiddleware).
# Styles allow inline because Wagtail's admin sets style attributes; styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": [
            "'self'",
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
        ],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Nothing in the admin is fetched from elsewhere: no Gravatar avatars (Wagtail then shows its
# default avatar, served by us; Gravatar would also learn which staff use the admin and when),
# and no check for new Wagtail releases from the dashboard.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Uploads ------------------------------------------------------------
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]  # no SVG: it can carry script

# --- Audit log and data protection (audit/, privacy/) -----------------------------------------
# Where the audit log reads the client's address. REMOTE_ADDR by default; behind our one
# trusted proxy, HTTP_X_FORWARDED_FOR (the last entry is used: the one the proxy appended).
# The same variable configures django-axes above.
AUDIT_CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="REMOTE_ADDR")

# How long personal data is kept, in days (privacy.retention; `manage.py retention --dry-run`
# shows what is due). Defaults: audit events 6 years, archives 30 days, accounts unused 3 years.
RETENTION = {
    "audit_log_days": env.int("RETENTION_AUDIT_LOG_DAYS", default=6 * 365),
    "subject_access_archive_days": env.int("RETENTION_SUBJECT_ACCESS_ARCHIVE_DAYS", default=30),
    "inactive_account_days": env.int("RETENTION_INACTIVE_ACCOUNT_DAYS", default=3 * 365),
    "invitation_token_days": env.int("RETENTION_INVITATION_TOKEN_DAYS", default=90),
}
for _key, _days in RETENTION.items():
    if _days <= 0:
        raise ImproperlyConfigured(
            f"RETENTION_{_key.upper()} must be a positive number of days, not {_days}."
        )


# --- REST API (api/) ---------------------------------------------------------------------------
# JSON only (api.base): DRF's browsable HTML pages carry an inline script the CSP refuses;
# the docs are Swagger UI at /api/docs/, served from our static files with its start-up script
# in a file of its own (drf-spectacular's "split" view), so the CSP stays as it is.
REST_FRAMEWORK = {
    # The API's own views set their authentication, permissions, limits and errors
    # (api.base), so Wagtail's admin API, which runs on DRF too, keeps its own. The global
    # default is the session alone: never HTTP Basic, which would take passwords past the
    # sign-in page's lockout and two-factor step.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# Requests per token (or per person, in a session) — "<n>/second|minute|hour|day".
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/minute")
# Requests with a made-up token from one address in a minute before it gets 429s.
API_FAILED_TOKEN_LIMIT = env.int("API_FAILED_TOKEN_LIMIT", default=20)
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)  # a 413 above it
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": (
        "Programmes, cohorts, enrolments, sessions and attendance, pairs, certificates, role "
        "history and report aggregates — scoped exactly as on the site: a token sees what its "
        "owner may see. Authenticate with `Authorization: Bearer <token>` (make a token on "
        "your account page). Errors are `application/problem+json`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.schema.only_this_api"],
    # Each model's "status" choices by its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CohortStatusEnum": "programmes.models.CohortStatus",
        "SessionStatusEnum": "programmes.models.SessionStatus",
        "EnrolmentStatusEnum": "programmes.models.EnrolmentStatus",
        "PairingStatusEnum": "pairing.models.PairingStatus",
        "VisitStatusEnum": "pairing.models.VisitStatus",
        "CertificateStatusEnum": "certificates.models.CertificateStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problems_documented",
    ],
}
