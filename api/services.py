"""Writes of the API app: making and revoking personal tokens. Both audited; the token itself
is never logged or stored (api.tokens)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.middleware import has_totp, needs_two_factor
from audit.services import record
from people.access import sees_others

from .models import ApiToken, Scope
from .tokens import new_token

MAX_DAYS = 366  # a year and a day at most: a forgotten token stops by itself
DEFAULT_DAYS = 90


def may_hold_tokens(person) -> bool:
    """Staff (administrators, reporting, regional and national leads, editors) and
    facilitators: those whose work the API serves. Participants see their own data on the
    site."""
    return bool(person is not None and person.is_authenticated and person.is_active) and (
        sees_others(person)
    )


def api_token_create(
    *, owner, name: str, scope: str, expires_on: datetime.date, request=None
) -> tuple[ApiToken, str]:
    """Make a token for ``owner`` and return it with the token string, to show once. A staff
    member must have two-factor authentication set up, as for any staff page: a token is
    made only in a session that passed it."""
    if not may_hold_tokens(owner):
        raise PermissionDenied("API tokens are for staff and facilitators.")
    if needs_two_factor(owner) and not has_totp(owner):
        raise PermissionDenied(
            "Set up two-factor authentication before making an API token: your role needs it."
        )
    today = timezone.localdate()
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Say what the token is for, so you know which one to revoke later."
    if scope not in Scope.values:
        errors["scope"] = "Choose read only, or read and write."
    if expires_on is None or expires_on <= today:
        errors["expires_on"] = "Choose an expiry date after today."
    elif (expires_on - today).days > MAX_DAYS:
        errors["expires_on"] = f"A token can last at most {MAX_DAYS} days: choose an earlier date."
    if errors:
        raise ValidationError(errors)
    token, prefix, digest = new_token()
    expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
    with transaction.atomic():
        row = ApiToken(
            owner=owner, name=name, scope=scope, prefix=prefix, digest=digest,
            expires_at=expires_at,
        )  # fmt: skip
        row.full_clean()
        row.save()
        record(
            action="created",
            actor=owner,
            request=request,
            target=row,
            subject=owner,
            detail={"api_scope": scope, "expires": expires_on.isoformat(), "prefix": prefix},
        )
    return row, token


def api_token_revoke(*, api_token: ApiToken, by, request=None) -> bool:
    """Revoke a token at once (its next request is refused). Its owner or a superuser may;
    revoking twice changes nothing (False)."""
    if not (by.is_superuser or by.pk == api_token.owner_id):
        raise PermissionDenied("Only its owner may revoke this token.")
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=api_token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            record(
                action="changed",
                actor=by,
                request=request,
                target=api_token,
                subject=api_token.owner,
                detail={"revoked": True, "prefix": api_token.prefix},
            )
    return bool(changed)


def api_tokens_revoke_all(*, owner, reason: str, request=None) -> int:
    """Revoke every live token of ``owner`` at once, e.g. when their password is reset: a
    reset says the password may be in someone else's hands, and so may a token made with it.
    Audited once with the count; returns how many were revoked."""
    with transaction.atomic():
        live = ApiToken.objects.filter(owner=owner, revoked_at__isnull=True)
        prefixes = list(live.values_list("prefix", flat=True))
        changed = live.update(revoked_at=timezone.now())
        if changed:
            record(
                action="changed",
                actor=owner,
                request=request,
                target=owner,
                subject=owner,
                detail={"api_revoked": changed, "reason": reason, "prefixes": prefixes},
            )
    return changed
