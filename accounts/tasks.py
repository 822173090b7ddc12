from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Invitation


@shared_task
def send_invitation(invitation_id: int) -> None:
    """Email one invitation. Safe to run twice: the row is locked and `sent_at` checked, so a
    retry after a crash sends at most once more only if the first send never completed."""
    from .services import invitation_link

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("trust", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at or invitation.status != "pending":
            return
        context = {"invitation": invitation, "link": invitation_link(invitation)}
        send_mail(
            subject=f"[Tandem] {invitation.trust.name} invites you to join Tandem",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
