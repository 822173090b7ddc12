"""A follow-up survey's emailed link: signed, expiring, naming one invitation.

The pattern is the sponsor's link (programmes.sponsors): ``TimestampSigner(salt=SALT)`` over
"<invitation id>:<nonce>". The signature stops anyone making or altering one; its timestamp
makes it expire after settings.SURVEY_LINK_VALID_DAYS (the reminder carries a fresh one);
the nonce, kept on the invitation, means a link of a deleted and re-made row never works.
The link is the credential: the survey is answered without signing in, and its page shows
nothing about the person but their first name.

``read_token`` only reads (mail scanners open links); the answer is services.survey_answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.emails import public_url

from .models import SurveyInvitation

SALT = "tandem.outcomes.survey-link"


class Refusal:
    INVALID = "invalid"  # tampered with, made up, or its survey no longer exists
    EXPIRED = "expired"  # older than SURVEY_LINK_VALID_DAYS and unanswered
    ANSWERED = "answered"  # answered already: once only


@dataclass(frozen=True)
class LinkState:
    invitation: SurveyInvitation | None
    refusal: str | None = None

    @property
    def usable(self) -> bool:
        return self.invitation is not None and self.refusal is None


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def valid_for() -> timedelta:
    return timedelta(days=settings.SURVEY_LINK_VALID_DAYS)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(invitation: SurveyInvitation) -> str:
    return _signer().sign(f"{invitation.pk}:{invitation.nonce}")


def link(invitation: SurveyInvitation) -> str:
    return public_url(reverse("survey_answer", args=[make_token(invitation)]))


def _parse(token: str) -> tuple[int, str, bool] | None:
    signer = _signer()
    expired = False
    try:
        value = signer.unsign(token, max_age=valid_for())
    except signing.SignatureExpired:
        value, expired = signer.unsign(token), True  # the signature holds; only its age fails
    except signing.BadSignature:
        return None
    pk, _, nonce = value.partition(":")
    if not pk.isdigit() or not nonce:
        return None
    return int(pk), nonce, expired


def read_token(token: str, *, queryset=None) -> LinkState:
    """What ``token`` is worth, reading only; ``queryset`` may lock the row."""
    parsed = _parse(token or "")
    if parsed is None:
        return LinkState(None, Refusal.INVALID)
    pk, nonce, expired = parsed
    queryset = queryset if queryset is not None else SurveyInvitation.objects.all()
    invitation = queryset.select_related("enrolment__person").filter(pk=pk).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        return LinkState(None, Refusal.INVALID)
    if invitation.is_answered:
        return LinkState(invitation, Refusal.ANSWERED)
    if expired:
        return LinkState(invitation, Refusal.EXPIRED)
    return LinkState(invitation)
