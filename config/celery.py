"""The Celery app: workers run `celery -A config worker`, the one scheduler `... beat`.

Every task's base class is outbox.base.TandemTask, named as a string: config names apps only
as strings (tests/test_architecture.py), and every enqueue goes through the outbox app.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("tandem", task_cls="outbox.base:TandemTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
