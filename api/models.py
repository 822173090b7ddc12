"""Personal API tokens: what a trust's own system or a facilitator's phone app signs in with.

A token is shown once, when it is made; only a SHA-256 digest of it is kept (the token is 32
random bytes, so a slow password hash adds nothing but time to every request). Its prefix,
stored in the clear, finds the row and lets its owner tell their tokens apart. A token acts
as its owner and can never see more than they could on the site: every API view scopes
through people.permissions, as the pages do.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What it is for, so you know which to revoke: 'HR feed'."
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Written at most once a minute (api.authentication), to spare a write per request.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="api_token_scope_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_it_is_made",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def may_write(self) -> bool:
        return self.scope == Scope.WRITE


class IdempotentRequest(models.Model):
    """A write made with an ``Idempotency-Key`` header: its key, a digest of the request, and
    the response it got — so the same request sent again (a phone that lost its signal before
    the answer came) gets the same answer and writes nothing twice. Kept a day
    (``IDEMPOTENCY_HOURS``); the key is per person, so two people's keys never collide."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="api_one_request_per_key")
        ]

    def __str__(self):
        return f"{self.key} ({self.owner_id})"
