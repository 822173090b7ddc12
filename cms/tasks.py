from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled_pages():
    """Publish revisions whose go-live time has passed and unpublish expired pages:
    Wagtail's scheduled publishing only happens when `publish_scheduled` runs, and beat runs
    this every minute (CELERY_BEAT_SCHEDULE). Idempotent: a second run finds nothing due."""
    call_command("publish_scheduled")
