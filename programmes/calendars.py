"""Sessions as iCalendar (RFC 5545): the bytes of a .ics file or a feed, built from sessions
and nothing else (no queries, no request), so the download, the private feed and the tests
all share one definition of what a calendar app is told.

**One event per session, for good.** Its UID (``session-<pk>@<host>``) never changes, so a
calendar app that already holds the event treats every later copy as the same event; its
SEQUENCE is the session's ``sequence``, which the services bump on each reschedule, change of
what a calendar shows, and cancellation, so the app knows the newer copy wins. A cancelled
session stays, with STATUS:CANCELLED: an app removes (or strikes through) an event it is
told was cancelled, whereas one that merely disappears from a feed may linger in some apps.

**Wall-clock times.** DTSTART and DTEND carry TZID=Europe/London with a VTIMEZONE that
describes the UK's clock changes over the span of the sessions, so a 09:30 session in
late March (BST) is 09:30 wherever the calendar app is, and so is one in November (GMT).

The caller selects the sessions with ``cohort__programme`` joined (the summary names the
programme); nothing here touches the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, Timezone, vDuration
from icalendar.enums import STATUS

from accounts import emails as mail

from .models import Session

PRODID = "-//Tandem//Sessions//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often a subscribed app should fetch the feed again (RFC 7986 REFRESH-INTERVAL, and
# Outlook's X-PUBLISHED-TTL). Google decides for itself, typically every few hours.
REFRESH = datetime.timedelta(hours=1)
CHECKIN_HINT = "Check in with the code shown at the session."


def london() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def site_host() -> str:
    """The host name in every UID: Tandem's public address (settings.BASE_URL), so UIDs are
    the same whichever host name a request came in on."""
    return urlsplit(settings.BASE_URL).hostname or "tandem"


def session_uid(session: Session) -> str:
    return f"session-{session.pk}@{site_host()}"


def default_session_url(session: Session) -> str:
    return mail.public_url(reverse("cms:my_learning"))


def location(session: Session) -> str:
    if session.place and session.online_url:
        return f"{session.place} (or online: {session.online_url})"
    return session.place or session.online_url


def description(session: Session) -> str:
    parts = []
    if session.is_cancelled:
        reason = f" Reason: {session.cancel_reason}" if session.cancel_reason else ""
        parts.append(f"This session was cancelled.{reason}")
    parts.append(f"{session.get_kind_display()}, {session.cohort.name}.")
    if session.description:
        parts.append(session.description.strip())
    if session.online_url:
        parts.append(f"Online: {session.online_url}")
    if not session.is_cancelled:
        parts.append(CHECKIN_HINT)
    return "\n\n".join(parts)


def session_event(
    session: Session,
    *,
    now: datetime.datetime,
    session_url: Callable[[Session], str] = default_session_url,
) -> Event:
    zone = london()
    return Event.new(
        uid=session_uid(session),
        stamp=now.astimezone(datetime.UTC),
        created=session.created_at.astimezone(datetime.UTC),
        last_modified=session.updated_at.astimezone(datetime.UTC),
        start=session.starts_at.astimezone(zone),
        end=session.ends_at.astimezone(zone),
        summary=f"{session.title} — {session.cohort.programme.title}",
        location=location(session),
        url=session_url(session),
        description=description(session),
        sequence=session.sequence,
        status=STATUS.CANCELLED if session.is_cancelled else STATUS.CONFIRMED,
    )


def _timezone_span(sessions: list[Session], now: datetime.datetime):
    """The years the VTIMEZONE must cover: every session's, from 1 January of the first."""
    zone = london()
    moments = [s.starts_at for s in sessions] + [s.ends_at for s in sessions] or [now]
    first = min(moments).astimezone(zone).date()
    last = max(moments).astimezone(zone).date()
    return datetime.date(first.year, 1, 1), datetime.date(last.year + 1, 1, 1)


def calendar_bytes(
    sessions: Iterable[Session],
    *,
    now: datetime.datetime,
    name: str,
    uid: str,
    refresh: bool = False,
    session_url: Callable[[Session], str] = default_session_url,
) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) of ``sessions``. ``uid`` names the calendar itself (a
    feed keeps one); ``refresh`` asks subscribing apps to fetch it again hourly. The
    Europe/London VTIMEZONE is always there, so even an empty feed is a valid calendar
    (RFC 5545 requires at least one component)."""
    sessions = list(sessions)
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name=name,
        uid=uid,
        refresh_interval=REFRESH if refresh else None,
    )
    if refresh:
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH).to_ical().decode())
    first, last = _timezone_span(sessions, now)
    calendar.add_component(Timezone.from_tzid(settings.TIME_ZONE, first_date=first, last_date=last))
    for session in sessions:
        calendar.add_component(session_event(session, now=now, session_url=session_url))
    return calendar.to_ical()


def session_calendar_bytes(session: Session, *, now: datetime.datetime, **kwargs) -> bytes:
    """The .ics file of one session."""
    return calendar_bytes(
        [session],
        now=now,
        name=f"{session.title} — {session.cohort.programme.title}",
        uid=f"session-file-{session.pk}@{site_host()}",
        **kwargs,
    )


def session_filename(session: Session) -> str:
    """A safe download name: the session's date and id, nothing a header could choke on."""
    day = session.starts_at.astimezone(london()).date()
    return f"tandem-session-{day:%Y-%m-%d}-{session.pk}.ics"
