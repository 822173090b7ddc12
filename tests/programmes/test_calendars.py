"""Sessions in calendars (programmes.calendars, programmes.calendar_views): the iCalendar
written is parsed back with icalendar and read field by field; the download and the private
feed answer only those they should, in a bounded number of queries."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from people.access import AccessRole
from programmes import calendars, services
from programmes.models import CalendarFeed
from programmes.services.calendars import (
    calendar_feed_get_or_create,
    calendar_feed_replace,
    feed_sessions,
)
from tests.factories import (
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def london(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def one_event(body: bytes):
    [event] = parse(body).events
    return event


def test_a_session_as_an_event_with_every_field(settings):
    settings.BASE_URL = "https://learn.tandem.example"
    session = SessionFactory(
        title="Reading a directorate budget",
        cohort__programme__title="Leading together",
        cohort__name="Northshire, spring",
        starts_at=london(2027, 6, 15, 9, 30),
        ends_at=london(2027, 6, 15, 12, 30),
        place="Education Centre, Room 2",
        online_url="https://meet.example/abc",
        description="Bring last month's budget report.",
    )
    now = datetime.datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
    calendar = parse(calendars.session_calendar_bytes(session, now=now))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == calendars.PRODID
    assert calendar["METHOD"] == "PUBLISH"
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/London"
    [event] = calendar.events
    assert event["UID"] == f"session-{session.pk}@learn.tandem.example"
    assert event["DTSTAMP"].dt == now
    assert event.start == london(2027, 6, 15, 9, 30)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.end == london(2027, 6, 15, 12, 30)
    assert event["SUMMARY"] == "Reading a directorate budget — Leading together"
    assert event["LOCATION"] == "Education Centre, Room 2 (or online: https://meet.example/abc)"
    assert event["URL"] == "https://learn.tandem.example/learn/"
    assert "Bring last month's budget report." in event["DESCRIPTION"]
    assert "Online: https://meet.example/abc" in event["DESCRIPTION"]
    assert calendars.CHECKIN_HINT in event["DESCRIPTION"]
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"


def test_an_online_only_session_is_located_at_its_link():
    session = SessionFactory(place="", online_url="https://meet.example/x")
    event = one_event(calendars.session_calendar_bytes(session, now=timezone.now()))
    assert event["LOCATION"] == "https://meet.example/x"


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ((2027, 3, 25), 9),  # before the clocks go forward (28 March 2027): GMT
        ((2027, 3, 30), 8),  # after: BST, still 09:30 on the wall clock
        ((2027, 10, 29), 8),  # before they go back (31 October 2027): BST
        ((2027, 11, 2), 9),  # after: GMT
    ],
)
def test_the_wall_clock_time_survives_the_clock_change(day, utc_hour):
    session = SessionFactory(starts_at=london(*day, 9, 30), ends_at=london(*day, 12, 0))
    body = calendars.session_calendar_bytes(session, now=timezone.now())
    assert f"DTSTART;TZID=Europe/London:{day[0]}{day[1]:02}{day[2]:02}T093000".encode() in body
    event = one_event(body)
    assert event.start.astimezone(UTC) == datetime.datetime(*day, utc_hour, 30, tzinfo=UTC)
    # The VTIMEZONE sent says when the clocks change, so an app that knows no zone
    # database places it right: read by itself, it gives the same offset.
    [zone] = parse(body).timezones
    assert zone.to_tz().utcoffset(event.start.replace(tzinfo=None)) == datetime.timedelta(
        hours=9 - utc_hour
    )


def test_a_reschedule_is_an_update_of_the_same_event():
    session = SessionFactory(starts_at=london(2027, 5, 4, 9, 30), ends_at=london(2027, 5, 4, 12))
    before = one_event(calendars.session_calendar_bytes(session, now=timezone.now()))
    moved = services.session_update(
        session=session,
        by=None,
        starts_at=london(2027, 5, 11, 14, 0),
        ends_at=london(2027, 5, 11, 16, 0),
        reason="The room is needed for training.",
    )
    after = one_event(calendars.session_calendar_bytes(moved, now=timezone.now()))
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start == london(2027, 5, 11, 14, 0)
    assert after["STATUS"] == "CONFIRMED"


def test_a_cancelled_session_stays_with_status_cancelled():
    session = SessionFactory()
    before = one_event(calendars.session_calendar_bytes(session, now=timezone.now()))
    cancelled = services.session_cancel(session=session, by=None, reason="Facilitator unwell.")
    after = one_event(calendars.session_calendar_bytes(cancelled, now=timezone.now()))
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["STATUS"] == "CANCELLED"
    assert "cancelled. Reason: Facilitator unwell." in after["DESCRIPTION"]
    assert calendars.CHECKIN_HINT not in after["DESCRIPTION"]


def test_an_empty_feed_is_still_a_valid_calendar():
    calendar = parse(
        calendars.calendar_bytes([], now=timezone.now(), name="Tandem sessions", uid="f@x")
    )
    calendar.validate()  # at least one component: the time zone
    assert calendar.events == []


# --- the download of one session ---------------------------------------------------------------


@pytest.fixture
def seated(participant):
    """The participant, with a place in a cohort of trust A, and a session of it."""
    enrolment = EnrolmentFactory(person=participant, cohort=CohortFactory())
    return enrolment, SessionFactory(cohort=enrolment.cohort)


def test_a_participant_downloads_their_sessions_file(client, seated, participant):
    _, session = seated
    client.force_login(participant)
    response = client.get(reverse("programmes:session_calendar", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tandem-session-')
    assert "private" in response["Cache-Control"]
    assert one_event(response.content)["UID"].startswith(f"session-{session.pk}@")


def test_someone_who_may_not_see_the_session_gets_404(client, seated, trust_b):
    _, session = seated
    client.force_login(ClinicianFactory(trust=trust_b, roles=[AccessRole.PARTICIPANT]))
    url = reverse("programmes:session_calendar", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("programmes:session_calendar", args=[999_999])).status_code == 404


def test_signing_in_comes_first(client, seated):
    _, session = seated
    response = client.get(reverse("programmes:session_calendar", args=[session.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the private feed -------------------------------------------------------------------------


def feed_path(feed: CalendarFeed) -> str:
    return reverse("calendar_feed", kwargs={"token": feed.token})


def test_the_feed_lists_the_sessions_of_cohorts_where_one_has_a_place(client, participant):
    now = timezone.now()
    mine = EnrolmentFactory(person=participant).cohort
    finished = EnrolmentFactory(person=participant, status="completed").cohort
    left = EnrolmentFactory(person=participant, status="withdrawn").cohort
    waiting = EnrolmentFactory(person=participant, status="waitlisted").cohort
    listed = [
        SessionFactory(cohort=mine),
        SessionFactory(cohort=mine, starts_at=now - datetime.timedelta(days=30)),
        SessionFactory(cohort=finished, starts_at=now - datetime.timedelta(days=50)),
    ]
    cancelled = SessionFactory(cohort=mine)
    services.session_cancel(session=cancelled, by=None)
    not_listed = [
        SessionFactory(cohort=mine, starts_at=now - datetime.timedelta(days=90)),  # too old
        SessionFactory(cohort=left),
        SessionFactory(cohort=waiting),
        SessionFactory(),  # someone else's cohort
    ]
    feed = calendar_feed_get_or_create(person=participant)

    response = client.get(feed_path(feed))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar = parse(response.content)
    uids = {event["UID"]: event for event in calendar.events}
    for session in [*listed, cancelled]:
        assert calendars.session_uid(session) in uids
    for session in not_listed:
        assert calendars.session_uid(session) not in uids
    assert uids[calendars.session_uid(cancelled)]["STATUS"] == "CANCELLED"
    assert calendar["REFRESH-INTERVAL"].dt == datetime.timedelta(hours=1)


def test_the_feed_costs_two_queries_however_many_sessions(
    client, participant, django_assert_max_num_queries
):
    for _ in range(3):
        cohort = EnrolmentFactory(person=participant).cohort
        SessionFactory.create_batch(4, cohort=cohort)
    feed = calendar_feed_get_or_create(person=participant)
    # 1: the feed by its token, with its owner; 2: the sessions with cohort and programme.
    with django_assert_max_num_queries(2):
        response = client.get(feed_path(feed))
    assert len(parse(response.content).events) == 12


def test_an_unknown_replaced_or_deactivated_feed_answers_the_same_404(client, participant):
    EnrolmentFactory(person=participant)
    old = calendar_feed_get_or_create(person=participant)
    old_path = feed_path(old)
    new = calendar_feed_replace(person=participant)
    assert new.token != old.token
    unknown = client.get(reverse("calendar_feed", kwargs={"token": "not-a-real-token"}))
    replaced = client.get(old_path)
    assert client.get(feed_path(new)).status_code == 200
    participant.is_active = False
    participant.save()
    deactivated = client.get(feed_path(new))
    for response in (unknown, replaced, deactivated):
        assert response.status_code == 404
        assert response.content == unknown.content
        assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_the_feed_only_answers_reads(client, participant):
    feed = calendar_feed_get_or_create(person=participant)
    assert client.post(feed_path(feed)).status_code == 405


def test_the_feed_lists_no_more_than_its_owner_may_see(participant):
    from people.permissions import visible

    EnrolmentFactory(person=participant)
    SessionFactory(cohort=participant.enrolments.get().cohort)
    SessionFactory()
    listed = set(feed_sessions(participant).values_list("pk", flat=True))
    assert listed
    assert listed <= set(
        visible(participant, feed_sessions(participant)).values_list("pk", flat=True)
    )


# --- the page with the feed's address --------------------------------------------------------


def test_the_page_makes_the_feed_once_and_shows_its_address(client, participant, settings):
    settings.BASE_URL = "https://learn.tandem.example"
    enrolment = EnrolmentFactory(person=participant)
    session = SessionFactory(cohort=enrolment.cohort, title="Budgets without tears")
    client.force_login(participant)

    first = client.get(reverse("programmes:calendar"))
    second = client.get(reverse("programmes:calendar"))

    feed = CalendarFeed.objects.get(person=participant)
    address = f"https://learn.tandem.example/calendar/{feed.token}.ics"
    for response in (first, second):
        assert response.status_code == 200
        assert address.encode() in response.content
        assert "no-store" in response["Cache-Control"]
    assert f"webcal://learn.tandem.example/calendar/{feed.token}.ics".encode() in first.content
    assert b"Budgets without tears" in first.content
    assert reverse("programmes:session_calendar", args=[session.pk]).encode() in first.content
    assert b"Replace this address" in first.content


def test_replacing_the_address_stops_the_old_one_at_once(client, participant):
    client.force_login(participant)
    client.get(reverse("programmes:calendar"))
    old = CalendarFeed.objects.get(person=participant)
    response = client.post(reverse("programmes:calendar"), follow=True)
    new = CalendarFeed.objects.get(person=participant)
    assert new.token != old.token
    assert b"The old one has stopped working" in response.content
    assert new.token.encode() in response.content
    client.logout()
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200


def test_the_page_needs_signing_in(client):
    response = client.get(reverse("programmes:calendar"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CalendarFeed.objects.exists()


def test_the_feed_services_make_one_feed_per_person():
    person = UserFactory()
    first = calendar_feed_get_or_create(person=person)
    assert calendar_feed_get_or_create(person=person) == first
    replaced = calendar_feed_replace(person=person)
    assert replaced.pk == first.pk and replaced.token != first.token
    other = UserFactory()
    assert calendar_feed_replace(person=other).person == other  # none yet: made
    assert CalendarFeed.objects.count() == 2
