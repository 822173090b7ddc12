"""A cohort's sessions in the admin: scheduling in UK time across the clock change,
rescheduling and cancelling (each told to participants once), refusals, and the completion
page's override."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from outbox.services import outbox_sweep
from programmes.models import Enrolment, Session, SessionNotice
from tests.factories import (
    CohortFacilitatorFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SessionFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(trust_a):
    today = timezone.localdate()
    return CohortFactory(
        host_trust=trust_a,
        name="Northshire, spring",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=400),
    )


def form(**overrides):
    data = {
        "title": "Reading a directorate budget",
        "kind": "workshop",
        "date": "",
        "starts": "09:30",
        "ends": "12:30",
        "place": "Education Centre, Room 2",
        "online_url": "",
        "description": "",
    }
    data.update(overrides)
    return data


def next_date(month, day):
    today = timezone.localdate()
    year = today.year if (month, day) > (today.month, today.day) else today.year + 1
    return datetime.date(year, month, day)


def test_a_session_is_scheduled_in_uk_time_in_summer_and_winter(admin_client, cohort):
    summer, winter = next_date(7, 1), next_date(1, 15)
    for day in (summer, winter):
        response = admin_client.post(
            f"/admin/cohorts/{cohort.pk}/sessions/add/", form(date=day.isoformat())
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    by_day = {timezone.localtime(s.starts_at).date(): s for s in Session.objects.all()}
    assert timezone.localtime(by_day[summer].starts_at).strftime("%H:%M %Z") == "09:30 BST"
    assert timezone.localtime(by_day[winter].starts_at).strftime("%H:%M %Z") == "09:30 GMT"
    # The same wall-clock time is an hour apart in UTC.
    assert by_day[summer].starts_at.astimezone(datetime.UTC).hour == 8
    assert by_day[winter].starts_at.astimezone(datetime.UTC).hour == 9


def test_bad_input_is_shown_on_the_form_and_nothing_is_written(admin_client, cohort):
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    cases = {
        "The session must end after it starts.": form(date=day, ends="09:00"),
        "Give the place it meets, the online link, or both.": form(date=day, place=""),
        "Choose a date within the cohort": form(date="2001-01-01"),
    }
    for message, data in cases.items():
        response = admin_client.post(f"/admin/cohorts/{cohort.pk}/sessions/add/", data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Session.objects.exists()


def test_rescheduling_tells_each_participant_once_and_bumps_the_sequence(
    admin_client, cohort, django_capture_on_commit_callbacks
):
    session = SessionFactory(cohort=cohort)
    people = EnrolmentFactory.create_batch(2, cohort=cohort)
    EnrolmentFactory(cohort=cohort, status="waitlisted")  # not told: holds no place
    new_day = timezone.localtime(session.starts_at).date() + datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/cohorts/sessions/{session.pk}/edit/",
            form(date=new_day.isoformat(), title=session.title, reason="Room double-booked"),
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.sequence == 1
    [notice] = SessionNotice.objects.all()
    assert notice.kind == "rescheduled" and notice.reason == "Room double-booked"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.person.email for p in people)
    assert "Room double-booked" in mail.outbox[0].body

    # A second delivery of the same notice sends nothing more.
    from programmes.tasks import send_session_notice

    assert send_session_notice(notice.pk) == "already sent"
    assert len(mail.outbox) == 2
    outbox_sweep()
    assert len(mail.outbox) == 2


def test_changing_only_the_description_tells_nobody(admin_client, cohort):
    session = SessionFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort)
    local = timezone.localtime(session.starts_at)

    admin_client.post(
        f"/admin/cohorts/sessions/{session.pk}/edit/",
        form(
            title=session.title,
            date=local.date().isoformat(),
            starts=local.strftime("%H:%M"),
            ends=timezone.localtime(session.ends_at).strftime("%H:%M"),
            place=session.place,
            description="Bring last month's budget statement.",
        ),
    )

    session.refresh_from_db()
    assert session.description == "Bring last month's budget statement."
    assert session.sequence == 1  # calendars show the description: they see an update
    assert not SessionNotice.objects.exists()  # but nobody is emailed


def test_cancelling_needs_a_reason_and_is_told_once(
    admin_client, cohort, django_capture_on_commit_callbacks
):
    session = SessionFactory(cohort=cohort)
    person = EnrolmentFactory(cohort=cohort)
    url = f"/admin/cohorts/sessions/{session.pk}/cancel/"

    assert admin_client.post(url, {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, {"reason": "Strike day"}).status_code == 302
        admin_client.post(url, {"reason": "Again"})

    session.refresh_from_db()
    assert session.is_cancelled and session.cancel_reason == "Strike day"
    assert [m.to for m in mail.outbox] == [[person.person.email]]
    assert mail.outbox[0].subject.startswith("Cancelled: ")


def test_another_trusts_administrator_and_a_facilitator_get_404(client, cohort, admin_b):
    session = SessionFactory(cohort=cohort)
    facilitator = CohortFacilitatorFactory(cohort=cohort).person
    give_totp(admin_b)
    for person in (admin_b, facilitator):
        client.force_login(person)
        for url in (
            f"/admin/cohorts/{cohort.pk}/sessions/",
            f"/admin/cohorts/{cohort.pk}/sessions/add/",
            f"/admin/cohorts/sessions/{session.pk}/edit/",
            f"/admin/cohorts/sessions/{session.pk}/cancel/",
        ):
            assert client.get(url).status_code in (403, 404)
            assert client.post(url, {"reason": "x"}).status_code in (403, 404)
    session.refresh_from_db()
    assert not session.is_cancelled


def test_the_timetable_lists_sessions_with_links_to_their_registers(admin_client, cohort):
    session = SessionFactory(cohort=cohort, title="Business planning")

    page = admin_client.get(f"/admin/cohorts/{cohort.pk}/sessions/").content.decode()

    assert "Business planning" in page
    assert f"/learn/facilitate/sessions/{session.pk}/register/" in page


def test_the_completion_page_shows_the_rules_and_records_an_override(admin_client, trust_a):
    cohort = CohortFactory(
        host_trust=trust_a, programme=ProgrammeFactory(min_attendance_percent=80)
    )
    enrolment = EnrolmentFactory(cohort=cohort)
    url = f"/admin/cohorts/enrolments/{enrolment.pk}/completion/"

    page = admin_client.get(url).content.decode()
    assert "Sessions attended" in page and "80%" in page

    assert admin_client.post(url, {"outcome": "completed", "reason": ""}).status_code == 400
    response = admin_client.post(url, {"outcome": "completed", "reason": "Agreed adjustment"})

    assert response.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).status == "completed"
