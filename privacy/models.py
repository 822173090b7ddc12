"""Subject access requests: a person's request for everything Tandem holds about them."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def archive_path(instance, filename: str) -> str:
    # A random folder per request: nothing in the path names or counts people, and it cannot
    # be guessed. The file is only ever served through the owner-checking download view.
    return f"private/subject-access/{instance.public_id}/{filename}"


class SubjectAccessStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being prepared"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


class SubjectAccessRequestQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())

    def stalled(self, now=None):
        """Requests no worker is on: running without a heartbeat for longer than any task may
        live (its hard time limit), or still waiting long after they were queued."""
        now = now or timezone.now()
        cutoff = now - stall_after()
        return self.filter(
            models.Q(status=SubjectAccessStatus.RUNNING, heartbeat_at__lt=cutoff)
            | models.Q(status=SubjectAccessStatus.PENDING, created_at__lt=cutoff)
        )


def stall_after() -> timedelta:
    # No task outlives the hard time limit, so a heartbeat older than that (plus a margin)
    # means its worker died; until then, a second copy of the task must leave it alone.
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


class SubjectAccessRequest(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subject_access_requests"
    )
    # Used in URLs instead of the sequential id, so ids are neither guessed nor counted.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        max_length=16, choices=SubjectAccessStatus.choices, default=SubjectAccessStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=archive_path, blank=True, max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Which run owns the build: a rerun after a crash takes over with a new token, and the old
    # run (if it was only slow, not dead) finds its token gone and stops writing.
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = SubjectAccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="subject_access_progress_0_to_100"
            ),
        ]

    def __str__(self):
        return f"Subject access request {self.public_id} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (SubjectAccessStatus.PENDING, SubjectAccessStatus.RUNNING)

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == SubjectAccessStatus.READY
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def is_stalled(self) -> bool:
        """The same test as SubjectAccessRequestQuerySet.stalled(), on this instance."""
        cutoff = timezone.now() - stall_after()
        if self.status == SubjectAccessStatus.RUNNING:
            return self.heartbeat_at is None or self.heartbeat_at < cutoff
        if self.status == SubjectAccessStatus.PENDING:
            return self.created_at < cutoff
        return False
