"""Background work for pairing: telling both people their pairing is active."""

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail
from outbox import claims

from .models import Pairing, PairingStatus


def _refuse(pairing: Pairing) -> str | None:
    if pairing.announced_at:
        return "already sent"
    if pairing.status != PairingStatus.ACTIVE:
        return "not active"
    return None


@shared_task
def send_pairing_announcement(pairing_id: int) -> str:
    """Email both members that they are paired, with their partner's name and role and a
    link to the pair page. Once: under the pairing's row lock, ``announced_at`` checked and
    set."""
    try:
        with claims.row_locked(
            Pairing.objects.select_related("clinician", "manager", "cohort__programme", "scheme"),
            pairing_id,
            refuse=_refuse,
        ) as pairing:
            link = mail.public_url(reverse("pairing:pair", args=[pairing.pk]))
            sent = 0
            for person in pairing.members():
                if not person.is_active or not person.email:
                    continue
                mail.send(
                    "pairing/email/paired",
                    to=person.email,
                    context={
                        "person": person,
                        "partner": pairing.partner_of(person),
                        "pairing": pairing,
                        "group_name": pairing.group_name,
                        "pair_link": link,
                    },
                )
                sent += 1
            pairing.announced_at = timezone.now()
            pairing.save(update_fields=["announced_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return f"sent to {sent}"
