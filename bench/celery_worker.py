"""A Celery worker for ``certificates-bulk-issue`` (bench/benchmarks/certificates_bulk.py), in
a process of its own: ``python -m bench.celery_worker [celery worker options]``. The settings
come from the environment the benchmark gives it (its database, its broker);
``TANDEM_BENCH_BROKER_OPTIONS`` (JSON) are the broker's transport options, which the settings
would otherwise derive for ``var/broker``."""

import json
import os
import sys

import django
from django.conf import settings

if options := os.environ.get("TANDEM_BENCH_BROKER_OPTIONS"):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = json.loads(options)
django.setup()

from celery.signals import worker_ready  # noqa: E402

from config.celery import app  # noqa: E402
from outbox.tasks import _sweep_when_a_worker_starts  # noqa: E402

# The benchmark publishes straight to the broker; a start-up sweep would be left on the high
# queue, which this worker does not consume.
worker_ready.disconnect(_sweep_when_a_worker_starts)

if __name__ == "__main__":
    app.worker_main(["worker", "--without-gossip", "--without-mingle", *sys.argv[1:]])
