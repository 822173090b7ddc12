"""How an API request says who it is: ``Authorization: Bearer tdm_…`` (a personal token), or
the site's own session (for the site's pages and the browsable docs; DRF then checks CSRF on
writes).

A token acts as its owner with its owner's access as it is now — a role removed on the site
is gone from the API at once — and never more than the token's scope allows
(api.permissions)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from audit.services import client_ip
from core.ratelimit import Limit

from .models import ApiToken
from .services import may_hold_tokens
from .tokens import matches, prefix_of

TOUCH_EVERY = datetime.timedelta(minutes=1)


def _count_failure(request) -> None:
    """Tokens are far too long to guess, but a client sending one made-up token after another
    is either broken or trying: past API_FAILED_TOKEN_LIMIT a minute from one address its
    made-up tokens get a 429 (the per-token rate limit cannot count a token that is not one).
    Real tokens from that address still work: a trust's staff often share one address."""
    # Built per call so the limit is read at each request, as API_RATE_LIMIT is.
    limit = Limit("api-bad-token", attempts=settings.API_FAILED_TOKEN_LIMIT, window_seconds=60)
    who = client_ip(request._request) or "unknown"
    retry_after = limit.exceeded(who)
    if retry_after:
        raise exceptions.Throttled(wait=retry_after)
    limit.hit(who)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, token = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None  # another scheme: not ours to judge
        token = token.strip()
        prefix = prefix_of(token)
        row = (
            ApiToken.objects.select_related("owner").filter(prefix=prefix).first()
            if prefix
            else None
        )
        if row is None or not matches(token, row.digest):
            _count_failure(request)
            raise exceptions.AuthenticationFailed(
                "This API token is not valid: check you copied the whole of it."
            )
        if row.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                "This API token was revoked. Make a new one on your account page."
            )
        now = timezone.now()
        if row.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {timezone.localtime(row.expires_at):%-d %B %Y}. "
                "Make a new one on your account page."
            )
        if not row.owner.is_active:
            raise exceptions.AuthenticationFailed("The account this token belongs to is closed.")
        if not may_hold_tokens(row.owner):
            # They are no longer staff or a facilitator: the token went with the role.
            raise exceptions.AuthenticationFailed(
                "The role this token was made for has ended, so the token no longer works."
            )
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.owner, row

    def authenticate_header(self, request):
        # So a missing or bad token is a 401 with a challenge, not a 403.
        return f'{self.keyword} realm="api"'
