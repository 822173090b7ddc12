"""Sessions in people's calendars: one session's .ics file, the participant's private feed,
and the page where they find (and replace) the feed's address.

- ``/learn/sessions/<id>/calendar.ics``: for whoever may see the session (people.permissions
  ``visible``), else 404 — the same answer as for an id that does not exist.
- ``/calendar/<token>.ics`` (config/urls.py): no sign-in, since calendar apps cannot sign in;
  the token is the credential. An unknown or replaced token, or an account that is no longer
  active, gets the same bare 404, so the answer says nothing about which it was.
- ``/learn/calendar/``: the signed-in person's feed address, made on first visit, with a
  button that replaces it.

Everything here names a person's timetable, so nothing is stored by shared caches
(``Cache-Control: private``); the feed page, whose address is a secret, not even privately.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from accounts import emails as mail
from people.permissions import visible

from . import calendars
from .models import CalendarFeed, Session
from .services.calendars import (
    calendar_feed_get_or_create,
    calendar_feed_replace,
    feed_sessions,
)


def _ics(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=calendars.CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_safe
def session_calendar(request, session_id: int):
    session = (
        visible(request.user, Session)
        .filter(pk=session_id)
        .select_related("cohort__programme")
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    body = calendars.session_calendar_bytes(session, now=timezone.now())
    response = _ics(body, filename=calendars.session_filename(session), attachment=True)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def feed_url(feed: CalendarFeed) -> str:
    return mail.public_url(reverse("calendar_feed", kwargs={"token": feed.token}))


@require_safe
def feed(request, token: str):
    """The private feed. Two queries: the feed with its owner, and the sessions."""
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else, a NUL byte included
    # (which PostgreSQL refuses in a query), is no token and costs no query.
    well_formed = len(token) <= 64 and all(
        c.isascii() and (c.isalnum() or c in "-_") for c in token
    )
    owner = (
        CalendarFeed.objects.filter(token=token, person__is_active=True)
        .select_related("person")
        .first()
        if well_formed
        else None
    )
    if owner is None:
        # Not the site's 404 page (which would render the signed-in header and so on): a
        # calendar app shows nothing of it, and it says only that there is no feed here.
        return HttpResponse(
            "No calendar here.", status=404, content_type="text/plain; charset=utf-8"
        )
    body = calendars.calendar_bytes(
        feed_sessions(owner.person),
        now=timezone.now(),
        name="Tandem sessions",
        uid=f"feed-{owner.pk}@{calendars.site_host()}",
        refresh=True,
    )
    response = _ics(body, filename="tandem-sessions.ics", attachment=False)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request):
    if request.method == "POST":
        calendar_feed_replace(person=request.user)
        messages.success(
            request,
            "Your calendar has a new address. The old one has stopped working: "
            "subscribe again with the new one in each calendar app you use.",
        )
        return redirect("programmes:calendar")
    feed = calendar_feed_get_or_create(person=request.user)
    url = feed_url(feed)
    webcal = "webcal://" + url.split("://", 1)[1]
    now = timezone.now()
    upcoming = [s for s in feed_sessions(request.user, now=now) if s.ends_at > now]
    context = {
        "feed": feed,
        "feed_url": url,
        "webcal_url": webcal,
        "google_url": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "upcoming": upcoming,
    }
    response = render(request, "programmes/calendar.html", context)
    patch_cache_control(response, private=True, no_cache=True, no_store=True, max_age=0)
    return response
