from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One row, touched by a beat-scheduled task, so /healthz/ can show that a worker is
    really consuming tasks (a reachable broker alone does not prove that)."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField(default=timezone.now)
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return f"{self.name} at {self.beat_at:%H:%M:%S}"
