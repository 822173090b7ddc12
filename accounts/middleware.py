"""Staff-account protections that must apply to every request, whatever the view."""

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from people.access import has_staff_access

from .landing import needs_profile_step, profile_step_url

# Pages only staff roles use. Participant pages stay reachable while 2FA is being set up.
# /learn/facilitate/: registers, the live check-in view, a cohort's attendance and its exports
# (programmes), which administrators use as they use the admin (facilitators hold no staff
# role: they are not asked).
STAFF_PATH_PREFIXES = ("/admin/", "/reports/", "/learn/facilitate/")
# Where a staff person without 2FA may still go: sign-in, sign-out, 2FA set-up itself.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz/")


# Where a person whose profile is missing something may still go: sign-in, sign-out, password
# and 2FA pages and the profile itself (/accounts/), their own data (/account/), files the
# pages need. Everything else, the participant pages above all, waits for the profile.
# The API (/api/) answers for itself, in JSON: never a redirect to an HTML page.
PROFILE_STEP_EXEMPT_PREFIXES = (
    "/accounts/",
    "/account/",
    "/static/",
    "/media/",
    "/healthz/",
    "/api/",
)
# Wagtail's own test, as its require_admin_access decorator applies it.
ADMIN_PERMISSION = "wagtailadmin.access_admin"


def needs_two_factor(user) -> bool:
    """Staff roles, and anyone who can reach the admin however they were given access."""
    return has_staff_access(user)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffTwoFactorMiddleware:
    """A person holding a staff role (administrators, editors, reviewers, reporting and
    regional leads, superusers) reaches no staff page until they have set up an authenticator
    app. allauth then asks for a code at every sign-in, and Wagtail's own password-only sign-in
    is routed to allauth's (config/urls.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path
        if (
            user.is_authenticated
            and path.startswith(STAFF_PATH_PREFIXES)
            and not path.startswith(EXEMPT_PREFIXES)
            and needs_two_factor(user)
            and not has_totp(user)
        ):
            messages.info(
                request,
                "Your role needs two-factor authentication. "
                "Set up an authenticator app to continue.",
            )
            return redirect(
                f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after STAFF_IDLE_TIMEOUT seconds without a request; participants keep
    the ordinary session lifetime. The timestamp is written at most once a minute to spare
    the session store a write per request."""

    KEY = "_tandem_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and has_staff_access(user):
            now = int(time.time())
            last_seen = request.session.get(self.KEY)
            if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT:
                logout(request)  # flushes the session server-side
                if request.path.startswith("/api/"):
                    # The API answers for itself (a token's request goes on; a session's is
                    # refused with a reason), never with a redirect to the sign-in page.
                    return self.get_response(request)
                messages.info(request, "You were signed out because you had been inactive.")
                return redirect(
                    f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}"
                )
            if last_seen is None or now - last_seen >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class AdminAccessMiddleware:
    """A signed-in person who may not use the Wagtail admin gets one page saying so (403),
    with ways on, at any /admin/ address.

    Without this, Wagtail sends them to WAGTAILADMIN_LOGIN_URL (our sign-in, as it must be
    for anonymous visitors), allauth sends a signed-in person straight back to `next`, and the
    browser goes round until it gives up, Wagtail adding a "You do not have permission"
    message on every turn. Before the two-factor check: someone refused the admin need not set
    up an authenticator app to be told so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.path.startswith("/admin/")
            and not user.has_perm(ADMIN_PERMISSION)
        ):
            return render(request, "accounts/admin_refused.html", status=403)
        return self.get_response(request)


class ProfileStepMiddleware:
    """Nothing but the profile step until the profile has what the person must give
    (people.User.missing_profile_fields): typing /learn/ or any other address leads back to
    it, and on to the address asked for once it is saved. Staff are asked only their name, so
    they are not held up for fields their work does not need."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PROFILE_STEP_EXEMPT_PREFIXES) and needs_profile_step(
            request.user
        ):
            # On to the page asked for afterwards; not to a form's address, which wants a POST.
            next_url = request.get_full_path() if request.method == "GET" else None
            return redirect(profile_step_url(next_url))
        return self.get_response(request)
