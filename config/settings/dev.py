"""Development: `make run` on a laptop. DEBUG on, a generated secret key kept under var/."""

import secrets

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, VAR_DIR, env, env_bool

DEBUG = env_bool("DEBUG", True)

# Development only: demo data (`manage.py seed_demo`, with its published password) and the
# benchmarks (`make bench`, which use django.test). Production never installs or imports them.
INSTALLED_APPS = [*INSTALLED_APPS, "demo", "bench"]


def _development_secret_key() -> str:
    # Generated once per checkout so sessions survive restarts; never used in production,
    # where production.py insists on SECRET_KEY from the environment.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
INTERNAL_IPS = ["127.0.0.1"]
