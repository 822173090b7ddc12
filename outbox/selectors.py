"""Reads about the outbox, for /healthz/ and the admin."""

from django.db.models import Count, Min
from django.utils import timezone

from .models import OutboxMessage


def outbox_backlog(now=None) -> dict:
    """How much is waiting to be published, and for how long the oldest has waited.

    One aggregate over the partial index of unpublished rows, so it stays cheap however
    many published rows are kept.
    """
    now = now or timezone.now()
    waiting = OutboxMessage.objects.unpublished().aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    oldest = waiting["oldest"]
    return {
        "unpublished": waiting["count"],
        "oldest_seconds": max(0, int((now - oldest).total_seconds())) if oldest else None,
    }
