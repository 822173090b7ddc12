"""One row per task a transaction asked for: written with the transaction, published after it."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessageQuerySet(models.QuerySet):
    def unpublished(self):
        return self.filter(published_at__isnull=True)

    def due(self, now=None):
        """Unpublished and not claimed by a live publisher (a claim ends at `claimed_until`,
        so one held by a process that died is taken over once it runs out)."""
        now = now or timezone.now()
        return self.unpublished().filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


class OutboxMessage(models.Model):
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=64)
    # The Celery task id, chosen here so that every publish of this row carries the same id
    # (a republish after a crash shows up in the worker's log as the same task).
    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    eta = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # Whoever publishes first claims the row (a conditional update), so the after-commit
    # publisher and the sweepers never send it twice while the claim lasts.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The sweeper's and /healthz/'s question, "what is still waiting, oldest first?",
            # reads only the few unpublished rows however many published ones are kept.
            models.Index(
                fields=["created_at"],
                condition=Q(published_at__isnull=True),
                name="outbox_unpublished_idx",
            ),
            models.Index(fields=["published_at"], name="outbox_published_idx"),  # pruning
        ]

    def __str__(self):
        state = "published" if self.published_at else "waiting"
        return f"{self.task_name} #{self.pk} ({state})"
