"""Settings for the throwaway site `manage.py bench_http` serves, and nothing else.

Production's settings exactly, plus what the benchmark needs and production must never have:
a URLconf with a hello-world baseline view, and the demo app to seed the site. Production
itself has no way to change its URLconf from the environment.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import INSTALLED_APPS

ROOT_URLCONF = "bench.http_urls"
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
