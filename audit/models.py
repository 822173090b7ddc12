"""AuditEvent: one append-only row per thing done to, or with, personal data.

Append-only at three levels, so no one path can quietly rewrite history:

- the model refuses save() of an existing row and delete();
- its default queryset refuses update(), delete() and bulk_update();
- on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE from any client, except
  DELETE inside a transaction that set ``tandem.audit_purge`` (only the retention purge,
  audit.services.purge_events_before, does) and the one UPDATE Django makes when an actor's
  account is deleted: actor_id set to NULL, nothing else changed.

Who did it and whose data it was are copied into the row as text when it is written, so the
trail stays readable after an account is erased or deleted.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    EXPORTED = "exported", "Exported"
    CHANGED = "changed", "Changed"
    CREATED = "created", "Created"
    DELETED = "deleted", "Deleted"
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGNED_OUT = "signed_out", "Signed out"
    REFUSED = "refused", "Refused"
    # Roles granted or removed, superuser status, activation, another person's email or
    # password changed: what could hand an account to someone else.
    ACCESS_CHANGED = "access_changed", "Access changed"
    ERASED = "erased", "Erased"
    SUBJECT_ACCESS_REQUESTED = "subject_access_requested", "Subject access requested"
    SUBJECT_ACCESS_DOWNLOADED = "subject_access_downloaded", "Subject access downloaded"
    RETENTION_PURGED = "retention_purged", "Retention purge"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event outside the retention purge."""


class AuditEventQuerySet(models.QuerySet):
    """The default manager's queryset. Django's deletion collector uses the plain base
    manager instead when an actor's account is deleted (to set actor_id to NULL): the one
    change allowed, and on PostgreSQL the trigger checks that nothing else changes."""

    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError(
            "Audit events cannot be deleted; the retention purge removes old ones."
        )

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be changed.")

    def _purge(self) -> int:
        """Delete these rows without loading them. Only audit.services.purge_events_before
        calls this, inside the transaction that lets PostgreSQL's trigger allow it."""
        return models.QuerySet._raw_delete(self, using=self.db)


class AuditEvent(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    action = models.CharField(max_length=32, choices=AuditAction.choices)

    # Who. The foreign key goes when the account does (SET_NULL: the trigger allows exactly
    # that UPDATE); the copied email and label keep the trail readable.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)

    # From where.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    # What it was done to.
    target_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_object_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)

    # Whose personal data it was, and their trust (to scope the log by trust one day).
    # db_constraint=False and DO_NOTHING: these are historical references, kept as they were
    # when the person or trust is later deleted, and never touched by that deletion.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_label = models.CharField(max_length=200, blank=True)
    trust = models.ForeignKey(
        "people.Trust",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    # Never passwords, tokens or registration numbers: audit.services.record refuses them.
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["action", "created_at"], name="audit_action_created"),
            models.Index(fields=["actor_email", "created_at"], name="audit_actor_email_created"),
        ]
        verbose_name = "audit event"

    def __str__(self):
        who = self.actor_label or "unknown"
        return f"{self.get_action_display()} by {who} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed once written.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            "Audit events cannot be deleted; the retention purge removes old ones."
        )

    @property
    def target_type_label(self) -> str:
        if self.target_content_type is None:
            return ""
        model = self.target_content_type.model_class()
        return str(model._meta.verbose_name) if model else self.target_content_type.model
