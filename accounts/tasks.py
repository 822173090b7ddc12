from celery import shared_task
from django.utils import timezone

from outbox import claims

from . import emails
from .models import Invitation


def _refuse_if_done(invitation: Invitation) -> str | None:
    if invitation.sent_at:
        return "already sent"
    if invitation.status != "pending":
        return invitation.status  # accepted, revoked or expired meanwhile: nothing to send
    return None


@shared_task
def send_invitation(invitation_id: int) -> str:
    """Email one invitation. Safe to run twice: the row is locked and `sent_at` checked
    (outbox.claims.row_locked), so a second delivery sends nothing; only a crash between
    sending and committing `sent_at` can lead to one more email on the retry."""
    from .services import invitation_link

    try:
        with claims.row_locked(
            Invitation.objects.select_related("trust", "invited_by"),
            invitation_id,
            refuse=_refuse_if_done,
        ) as invitation:
            emails.send(
                "accounts/email/invitation",
                to=invitation.email,
                context={"invitation": invitation, "link": invitation_link(invitation)},
            )
            invitation.sent_at = timezone.now()
            invitation.save(update_fields=["sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"
