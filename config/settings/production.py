"""Production: gunicorn behind a TLS-terminating proxy, PostgreSQL, Redis, object storage."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment for production (at least 50 random "
        "characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

# A deployment must say where its shared services are: silently falling back to a SQLite file,
# the filesystem broker or a per-process cache would split state between web workers. And
# where it is: emailed links would otherwise point at 127.0.0.1.
for _name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "BASE_URL"):
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(
            f"{_name} must be set in production (see the configuration table in README.md)."
        )

# The proxy terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
