"""The sponsor's answer from their emailed link, and a new request from the participant.

The link is programmes.sponsors' signed token. Answering goes through the enrolment services
with ``by=None`` (no account: the token is the sponsor's authority, checked here) and a reason
naming the sponsor, so the history says who answered and how. Each write takes the cohort's
row lock first, as every enrolment service does (programmes.services.enrolments), and reads
the token's enrolment again under it: two clicks on one link queue on the lock, and the
second finds the application answered.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from people.models import User

from .. import sponsors
from ..models import Enrolment, EnrolmentStatus
from ..sponsors import LinkState, Refusal
from .enrolments import (
    EnrolmentError,
    _lock_cohort,
    _require,
    clean_sponsor,
    enrolment_approve,
    enrolment_decline,
    remember_sponsor,
)

# A participant may ask again, but not flood their sponsor's inbox: once an hour at most,
# unless they change who the sponsor is.
RESEND_INTERVAL = timedelta(hours=1)


class SponsorLinkRefused(EnrolmentError):
    """The link cannot be used now; ``state`` says why (programmes.sponsors.Refusal)."""

    def __init__(self, state: LinkState):
        super().__init__(state.refusal or Refusal.INVALID)
        self.state = state


def _read_locked(token: str) -> LinkState:
    """The token's state read again under its cohort's row lock (call inside atomic)."""
    state = sponsors.read_token(token)
    if state.enrolment is None:
        return state
    _lock_cohort(state.enrolment.cohort_id)
    return sponsors.read_token(token)


def _who(enrolment: Enrolment) -> str:
    return f"{enrolment.sponsor_name} ({enrolment.sponsor_email})"


def sponsor_approve(*, token: str) -> Enrolment:
    """The sponsor approves from their link: enrolled if a place fits, else waitlisted
    (programmes.services.enrolment_approve). The link stops working. Raises
    SponsorLinkRefused if it is not usable."""
    with transaction.atomic():
        state = _read_locked(token)
        if not state.usable:
            raise SponsorLinkRefused(state)
        enrolment = enrolment_approve(
            enrolment=state.enrolment,
            by=None,
            reason=f"Approved by the sponsor, {_who(state.enrolment)}, from their emailed link.",
        )
        Enrolment.objects.filter(pk=enrolment.pk).update(sponsor_nonce="")
    return enrolment


def sponsor_decline(*, token: str, reason: str = "") -> Enrolment:
    """The sponsor declines from their link, with their reason if they give one: the
    application is withdrawn. The link stops working."""
    words = " ".join((reason or "").split())
    with transaction.atomic():
        state = _read_locked(token)
        if not state.usable:
            raise SponsorLinkRefused(state)
        recorded = f"Declined by the sponsor, {_who(state.enrolment)}, from their emailed link."
        if words:
            recorded += f" {sponsors.DECLINE_REASON_LABEL}{words}"
        enrolment = enrolment_decline(enrolment=state.enrolment, by=None, reason=recorded)
        Enrolment.objects.filter(pk=enrolment.pk).update(sponsor_nonce="")
    return enrolment


def sponsor_request_resend(
    *,
    enrolment: Enrolment,
    by: User | None,
    sponsor_name: str | None = None,
    sponsor_email: str | None = None,
) -> Enrolment:
    """Email the sponsor a new link (to a new sponsor, if given): the old link stops working.
    ``by`` is the participant, or an administrator of the host trust. Refused (EnrolmentError)
    unless the application is waiting for approval, and within RESEND_INTERVAL of the last
    request to the same sponsor."""
    from ..tasks import send_sponsor_request  # tasks import the services

    _require(by, target=enrolment, person_id=enrolment.person_id)
    with transaction.atomic():
        _lock_cohort(enrolment.cohort_id)
        enrolment = Enrolment.objects.select_related("person").get(pk=enrolment.pk)
        if enrolment.status != EnrolmentStatus.PENDING_APPROVAL:
            raise EnrolmentError("This application is no longer waiting for approval.")
        name, email = clean_sponsor(
            enrolment.person,
            name=enrolment.sponsor_name if sponsor_name is None else sponsor_name,
            email=enrolment.sponsor_email if sponsor_email is None else sponsor_email,
        )
        now = timezone.now()
        same_sponsor = email == enrolment.sponsor_email
        last = enrolment.sponsor_requested_at
        if same_sponsor and last is not None and now - last < RESEND_INTERVAL:
            raise EnrolmentError(
                "We emailed your sponsor less than an hour ago. Give them time to answer, or "
                "try again later."
            )
        enrolment.sponsor_name, enrolment.sponsor_email = name, email
        enrolment.sponsor_nonce = sponsors.new_nonce()
        enrolment.sponsor_requested_at = None
        enrolment.save(
            update_fields=["sponsor_name", "sponsor_email", "sponsor_nonce", "sponsor_requested_at"]
        )
        if by is not None and by.pk == enrolment.person_id:
            remember_sponsor(enrolment.person, name=name, email=email)
        send_sponsor_request.delay(enrolment.pk, enrolment.sponsor_nonce)
    return enrolment
