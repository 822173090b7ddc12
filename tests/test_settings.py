"""Settings come from the environment and fail loudly. Run in subprocesses so each sees a
clean environment, as a fresh deployment would."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = secrets.token_urlsafe(50)


PRODUCTION_SERVICES = {
    "DATABASE_URL": "sqlite:////tmp/tandem-settings-test.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "BASE_URL": "https://tandem.example.nhs.uk",
}


def manage(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", *PRODUCTION_SERVICES}
    }
    if env_overrides.get("DJANGO_SETTINGS_MODULE") == "config.settings.production":
        env.update(PRODUCTION_SERVICES)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_reports_nothing():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="tandem.example.nhs.uk",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_without_secret_key_stops_and_names_it():
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_is_refused_not_guessed():
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_uses_persistent_connections_on_postgres():
    code = (
        "from django.conf import settings;"
        "db = settings.DATABASES['default'];"
        "print(db['ENGINE'], db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": GOOD_SECRET,
            **PRODUCTION_SERVICES,
            "DATABASE_URL": "postgres://tandem@db.internal:5432/tandem",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "60", "True"]


def test_locale_and_time_zone(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "en-gb"


def test_argon2_hashes_passwords_outside_tests():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_weak_production_secret_key_is_refused():
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="a" * 60
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_its_services_stops_and_names_them():
    for missing in PRODUCTION_SERVICES:
        env = {k: v for k, v in PRODUCTION_SERVICES.items() if k != missing}
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env={
                **{k: v for k, v in os.environ.items() if k not in PRODUCTION_SERVICES},
                **env,
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "SECRET_KEY": GOOD_SECRET,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert f"{missing} must be set in production" in result.stderr


def test_production_never_installs_or_imports_the_dev_only_apps():
    """demo (published passwords) and bench (django.test) exist for development machines:
    a production process, URLs and Celery app loaded, holds neither, and its URLconf cannot
    be changed from the environment (bench_http has its own settings module instead)."""
    code = (
        "import sys, django; django.setup();"
        "from django.conf import settings; from django.urls import get_resolver;"
        "import config.wsgi, config.celery; get_resolver().url_patterns;"
        "print(settings.ROOT_URLCONF);"
        "print(sorted(a for a in settings.INSTALLED_APPS if a in ('demo', 'bench')));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('demo', 'bench')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": GOOD_SECRET,
            **PRODUCTION_SERVICES,
            "ROOT_URLCONF": "bench.http_urls",  # what bench_http used to set
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["config.urls", "[]", "[]"]


def test_the_dev_and_test_settings_install_the_dev_only_apps():
    from django.conf import settings

    assert {"demo", "bench"} <= set(settings.INSTALLED_APPS)
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.INSTALLED_APPS)"
    )
    assert result.returncode == 0, result.stderr
    assert "'demo'" in result.stdout and "'bench'" in result.stdout
