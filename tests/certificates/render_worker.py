"""A real Celery worker for tests/certificates/test_render_reliability.py, run as its own
process: ``python -m tests.certificates.render_worker [celery worker options]``.

Test-only, and nothing in the project knows of it. Its environment says:

- ``DATABASE_URL``, ``CELERY_BROKER_URL``: the test's database and broker;
  ``TANDEM_TEST_BROKER_OPTIONS`` (JSON): the filesystem broker's folders, when it is one;
- ``TANDEM_TEST_CERTIFICATES_DIR``: a folder for certificate files the test can read (the
  test settings keep them in memory, out of the test's sight);
- ``TANDEM_TEST_RENDER_GATE``: a file path. Each render first writes ``<gate>.started`` (its
  process id) and then waits while ``<gate>`` exists, so the test can kill the worker at a
  known point: the certificate claimed (rendering), no PDF stored yet;
- ``TANDEM_TEST_RENDER_STALE_SECONDS``: how long a silent render claim stays live (the
  project's five minutes would make the test wait as long).
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django
from django.conf import settings

settings.STORAGES = {
    **settings.STORAGES,
    "certificates": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ["TANDEM_TEST_CERTIFICATES_DIR"]},
    },
}
if options := os.environ.get("TANDEM_TEST_BROKER_OPTIONS"):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = json.loads(options)
settings.CELERY_TASK_ALWAYS_EAGER = False
django.setup()

from celery.signals import worker_ready  # noqa: E402

from certificates import tasks  # noqa: E402
from config.celery import app  # noqa: E402
from outbox.tasks import _sweep_when_a_worker_starts  # noqa: E402

# The test sweeps the outbox itself, when it means to; and a start-up sweep queued on the
# high queue, which this worker does not consume, would be left for later tests' workers.
worker_ready.disconnect(_sweep_when_a_worker_starts)

_render_pdf = tasks.render_pdf


def _gated_render_pdf(data):
    gate = os.environ.get("TANDEM_TEST_RENDER_GATE")
    if gate:
        Path(f"{gate}.started").write_text(str(os.getpid()))
        while Path(gate).exists():
            time.sleep(0.05)
    return _render_pdf(data)


tasks.render_pdf = _gated_render_pdf
if stale := os.environ.get("TANDEM_TEST_RENDER_STALE_SECONDS"):
    tasks.RENDER_STALE = timedelta(seconds=float(stale))

if __name__ == "__main__":
    app.conf.task_always_eager = False
    app.worker_main(["worker", *sys.argv[1:]])
