"""The Celery app: workers run `celery -A config worker`, the one scheduler `... beat`."""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Errors worth another try: the database or broker briefly unreachable, a socket reset.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    BrokerOperationalError,
    ConnectionError,
    TimeoutError,
)


class TandemTask(DjangoTask):
    """Base class for every task.

    Enqueue with ``task.delay_on_commit(...)`` (from DjangoTask) so a task never sees a row its
    transaction has not committed yet. Transient failures retry with exponential backoff and
    jitter; anything else fails loudly.
    """

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 6


app = Celery("tandem", task_cls=TandemTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
