"""The sponsor's emailed link: a signed, expiring, single-use token for one application.

A token is ``TimestampSigner(salt=SALT).sign("<enrolment id>:<nonce>")``. The signature
(SECRET_KEY, and a salt of its own so no other signed value of Tandem's can stand in for it)
stops anyone making or altering one; the timestamp makes it expire after
settings.SPONSOR_LINK_VALID_DAYS; the nonce is a random value kept on the enrolment
(``Enrolment.sponsor_nonce``), replaced when the request is sent again and cleared once the
sponsor answers, so only the latest link works, and only once.

``read_token`` says what a token is worth without changing anything (the page's GET must
not: mail scanners open links). The answer itself is programmes.services.sponsors.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.emails import public_url

from .models import Enrolment, EnrolmentAction, EnrolmentEvent, EnrolmentStatus

SALT = "tandem.programmes.sponsor-link"
# How a decline from the link records the sponsor's own words in the history's reason
# (services.sponsor_decline); the participant's email quotes just those words.
DECLINE_REASON_LABEL = "Their reason: "


def new_nonce() -> str:
    return secrets.token_urlsafe(16)  # 128 bits: 22 characters, well inside the field's 32


def valid_for() -> timedelta:
    return timedelta(days=settings.SPONSOR_LINK_VALID_DAYS)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(enrolment: Enrolment) -> str:
    """A token for the enrolment's current nonce (it must have one)."""
    if not enrolment.sponsor_nonce:
        raise ValueError("This enrolment has no sponsor link to sign.")
    return _signer().sign(f"{enrolment.pk}:{enrolment.sponsor_nonce}")


def link(enrolment: Enrolment) -> str:
    """The absolute address of the sponsor's page, at settings.BASE_URL."""
    return public_url(reverse("sponsor_answer", args=[make_token(enrolment)]))


# --- reading a token ----------------------------------------------------------------------------


class Refusal:
    """Why a link cannot be used (each has its own words on the page)."""

    INVALID = "invalid"  # tampered with, made up, or its application no longer exists
    EXPIRED = "expired"  # older than SPONSOR_LINK_VALID_DAYS and still unanswered
    ANSWERED = "answered"  # the sponsor (or an administrator) approved or declined already
    WITHDRAWN = "withdrawn"  # the application was withdrawn before anyone answered
    SUPERSEDED = "superseded"  # a newer link was sent; this one no longer works


@dataclass(frozen=True)
class LinkState:
    """What a token is worth: the enrolment it names (None if it names none), whether it may
    be answered now, and if not why; for an answered one, the answer."""

    enrolment: Enrolment | None
    refusal: str | None = None
    answer: EnrolmentEvent | None = None

    @property
    def usable(self) -> bool:
        return self.enrolment is not None and self.refusal is None


def _parse(token: str) -> tuple[int, str, bool] | None:
    """(enrolment id, nonce, expired) if the signature holds, else None."""
    signer = _signer()
    expired = False
    try:
        value = signer.unsign(token, max_age=valid_for())
    except signing.SignatureExpired:
        # The signature holds (it is checked before the age), so the id can be trusted:
        # the page can say whose request to ask for again.
        value, expired = signer.unsign(token), True
    except signing.BadSignature:
        return None
    pk, _, nonce = value.partition(":")
    if not pk.isdigit() or not nonce:
        return None
    return int(pk), nonce, expired


def read_token(token: str, *, queryset=None) -> LinkState:
    """What ``token`` is worth, reading only. ``queryset`` may lock the row (the answer's
    service passes ``select_for_update``); by default the enrolment is loaded with what its
    page shows."""
    parsed = _parse(token or "")
    if parsed is None:
        return LinkState(None, Refusal.INVALID)
    pk, nonce, expired = parsed
    queryset = queryset if queryset is not None else Enrolment.objects.all()
    enrolment = (
        queryset.select_related("person", "trust", "cohort__programme", "cohort__host_trust")
        .filter(pk=pk)
        .first()
    )
    if enrolment is None or not enrolment.sponsor_email:
        return LinkState(None, Refusal.INVALID)
    if enrolment.status != EnrolmentStatus.PENDING_APPROVAL:
        answer = (
            enrolment.events.filter(action__in=[EnrolmentAction.APPROVE, EnrolmentAction.DECLINE])
            .order_by("-at", "-pk")
            .first()
        )
        if answer is not None:
            return LinkState(enrolment, Refusal.ANSWERED, answer)
        return LinkState(enrolment, Refusal.WITHDRAWN)
    # Compared in constant time, though the signature already makes guessing hopeless.
    if not enrolment.sponsor_nonce or not secrets.compare_digest(enrolment.sponsor_nonce, nonce):
        return LinkState(enrolment, Refusal.SUPERSEDED)
    if expired:
        return LinkState(enrolment, Refusal.EXPIRED)
    return LinkState(enrolment)
