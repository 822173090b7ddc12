from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(bind=True)
def record_worker_heartbeat(self):
    """Idempotent by nature: running it twice just moves the timestamp."""
    WorkerHeartbeat.objects.update_or_create(
        name="worker",
        defaults={"beat_at": timezone.now(), "hostname": self.request.hostname or ""},
    )
