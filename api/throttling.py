"""Rate limits per token (per person for the site's session): over the limit, a 429 with
Retry-After saying how many seconds to wait (api.problems words it). The rate is read at
each request, so a deployment (or a test) can change API_RATE_LIMIT."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from audit.services import client_ip

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            # The project's one reading of the client's address (CLIENT_IP_HEADER), not
            # DRF's, which trusts whatever X-Forwarded-For a client sends.
            ident = f"ip:{client_ip(request._request) or 'unknown'}"
        return f"throttle_api_{ident}"
