"""Background work for pairing: telling both people their pairing is active."""

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail
from outbox import claims

from .models import Pairing, PairingStatus, ShadowingVisit, VisitStatus


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


def _refuse_ask(visit: ShadowingVisit) -> str | None:
    if visit.partner_asked_at:
        return "already sent"
    if visit.status != VisitStatus.LOGGED:
        return "no longer waiting"
    return None


@shared_task
def send_visit_to_confirm(visit_id: int) -> str:
    """Ask the member who did not log a visit to confirm it (or say what is wrong). Once:
    under the visit's row lock, ``partner_asked_at`` checked and set."""
    try:
        with claims.row_locked(
            ShadowingVisit.objects.select_related(
                "pairing__clinician", "pairing__manager", "shadower", "logged_by"
            ),
            visit_id,
            refuse=_refuse_ask,
        ) as visit:
            pairing = visit.pairing
            partner = pairing.partner_of(visit.logged_by) if visit.logged_by else None
            sent = "nobody to ask"
            if partner is not None and partner.is_active and partner.email:
                mail.send(
                    "pairing/email/visit_to_confirm",
                    to=partner.email,
                    context={
                        "person": partner,
                        "visit": visit,
                        "logged_by": visit.logged_by,
                        "pair_link": mail.public_url(
                            reverse("pairing:pair", args=[pairing.pk]) + "#visits"
                        ),
                    },
                )
                sent = "sent"
            visit.partner_asked_at = timezone.now()
            visit.save(update_fields=["partner_asked_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return sent
