"""Edge cases a hostile review of sessions and attendance found: cancelled cohorts, apologies
ahead, no-shows, joining links, clock changes, bad notes. Each states what should happen; each
failed before its fix."""

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from people.access import AccessRole
from programmes import services
from programmes.models import AbsenceAlert, Attendance, Enrolment, Session, SessionFacilitator
from tests.factories import (
    AttendanceFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SessionFacilitatorFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def held_sessions(cohort, count, *, days_ago_first=40, **kwargs):
    made = []
    for i in range(count):
        start = NOW - datetime.timedelta(days=days_ago_first - 7 * i)
        made.append(
            SessionFactory(
                cohort=cohort,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                **kwargs,
            )
        )
    return made


# --- state machine ------------------------------------------------------------------------------


def test_nobody_completes_in_a_cancelled_cohort():
    """A register saved (or a check-in) at a cancelled cohort's session queues
    attendance_changed -> completion_evaluate, which never looks at the cohort's status."""
    cohort = CohortFactory(programme=ProgrammeFactory(min_attendance_percent=50))
    sessions = held_sessions(cohort, 2)
    person = EnrolmentFactory(cohort=cohort)
    for session in sessions:  # marked before the cohort was cancelled
        services.register_save(session=session, marks={person.pk: ("present", "")}, by=None)
    services.cohort_cancel(cohort=cohort, by=None)
    with pytest.raises(ValidationError, match="cohort was cancelled"):
        services.register_save(session=sessions[0], marks={person.pk: ("late", "")}, by=None)

    services.completion_evaluate(cohort_id=cohort.pk, at_end=True)

    assert Enrolment.objects.get(pk=person.pk).status == "enrolled"


def test_apologies_recorded_ahead_do_not_complete_anyone_before_a_session_is_held():
    """Before the window only 'excused' may be recorded; where excused counts as attended,
    a facilitator recording apologies for the whole timetable completes the person before
    the cohort has met once (COMPLETED is final: the certificate event fires)."""
    cohort = CohortFactory(
        programme=ProgrammeFactory(min_attendance_percent=80, excused_counts_as_attended=True)
    )
    person = EnrolmentFactory(cohort=cohort)
    future = [
        SessionFactory(cohort=cohort, starts_at=NOW + datetime.timedelta(days=10 + 7 * i))
        for i in range(4)
    ]
    for session in future:
        services.register_save(session=session, marks={person.pk: ("excused", "Leave")}, by=None)

    run = services.completion_evaluate(cohort_id=cohort.pk)

    assert run.completed == []


# --- absence alerts -----------------------------------------------------------------------------


def test_a_no_show_left_unmarked_is_alerted_like_one_marked_absent():
    """attendance_changed is queued only for the enrolments whose marks were written, so a
    person nobody marked (counted 'Not marked' = not attended everywhere else) never gets
    the alert, however many sessions they miss; no other job raises alerts."""
    cohort = CohortFactory(programme=ProgrammeFactory(min_attendance_percent=75))
    sessions = held_sessions(cohort, 4)
    came, never_marked = EnrolmentFactory.create_batch(2, cohort=cohort)
    written = []
    for session in sessions:
        result = services.register_save(session=session, marks={came.pk: ("present", "")}, by=None)
        written += result.enrolment_ids
    # What the register queues: attendance_changed(cohort, enrolment ids written).
    from programmes.tasks import attendance_changed

    attendance_changed(cohort.pk, sorted(set(written)))

    assert AbsenceAlert.objects.filter(enrolment=never_marked).exists()


# --- cancelled cohorts in people's timetables ---------------------------------------------------


def test_the_feed_shows_a_cancelled_cohorts_sessions_as_cancelled(client, participant):
    from icalendar import Calendar

    from programmes.services.calendars import calendar_feed_get_or_create

    enrolment = EnrolmentFactory(person=participant)
    SessionFactory(cohort=enrolment.cohort)
    services.cohort_cancel(cohort=enrolment.cohort, by=None)
    feed = calendar_feed_get_or_create(person=participant)

    body = client.get(f"/calendar/{feed.token}.ics").content
    [event] = Calendar.from_ical(body).walk("VEVENT")

    assert str(event["STATUS"]) == "CANCELLED"


def test_no_check_in_to_a_cancelled_cohorts_session(participant):
    enrolment = EnrolmentFactory(person=participant)
    session = SessionFactory(cohort=enrolment.cohort, starts_at=NOW - datetime.timedelta(minutes=5))
    services.cohort_cancel(cohort=enrolment.cohort, by=None)

    with pytest.raises(services.CheckInRefused):
        services.checkin(person=participant, code=session.checkin_code)


# --- leaks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["waitlisted", "withdrawn", "pending_approval"])
def test_someone_without_a_place_cannot_download_a_sessions_joining_link(
    client, participant, status
):
    """sessions_visible_to follows cohorts_visible_to, which counts an enrolment in any
    status, so the .ics (with the video call's address in LOCATION and DESCRIPTION) goes to
    people on the waiting list, who have withdrawn, or are awaiting approval. The feed and
    My learning use SEATED; the single download does not."""
    enrolment = EnrolmentFactory(person=participant, status=status)
    session = SessionFactory(
        cohort=enrolment.cohort, place="", online_url="https://meet.example/secret-room"
    )
    client.force_login(participant)

    response = client.get(f"/learn/sessions/{session.pk}/calendar.ics")

    assert response.status_code == 404, response.content.decode()[:300]


def test_a_sessions_own_facilitator_is_not_sent_to_a_page_they_are_refused(client):
    """_facilitate_list.html links 'Cohort attendance' on every session, but a session's own
    facilitator (not the cohort's) is refused it (attendance_report_cohorts) and the refusal
    is audited as someone probing a cohort that is not theirs."""
    link = SessionFacilitatorFactory()
    client.force_login(link.person)

    page = client.get("/learn/facilitate/").content.decode()
    attendance = f"/learn/facilitate/cohorts/{link.session.cohort_id}/attendance/"
    followed = client.get(attendance).status_code if attendance in page else None

    assert followed in (None, 200)
    assert not AuditEvent.objects.filter(action="refused").exists()


# --- the admin ------------------------------------------------------------------------------------


def test_changing_a_session_keeps_facilitators_the_form_cannot_list(admin_client, trust_a, trust_b):
    """The form's choices are facilitator_candidates(by) (people the administrator sees);
    one added by a superuser from another trust is not among them, so any edit (a typo in
    the title) posts no box for them and _set_facilitators deletes their link."""
    cohort = CohortFactory(
        host_trust=trust_a,
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() + datetime.timedelta(days=200),
    )
    session = SessionFactory(cohort=cohort)
    outsider = ClinicianFactory(trust=trust_b, roles=[AccessRole.FACILITATOR])
    services.session_facilitator_add(session=session, person=outsider, by=None)
    local = timezone.localtime(session.starts_at)

    response = admin_client.post(
        f"/admin/cohorts/sessions/{session.pk}/edit/",
        {
            "title": session.title + " (fixed typo)",
            "kind": session.kind,
            "date": local.date().isoformat(),
            "starts": local.strftime("%H:%M"),
            "ends": timezone.localtime(session.ends_at).strftime("%H:%M"),
            "place": session.place,
            "online_url": "",
            "description": "",
            "reason": "",
        },
    )

    assert response.status_code == 302
    assert SessionFacilitator.objects.filter(session=session, person=outsider).exists()


def _last_sunday(month: int, year: int) -> datetime.date:
    day = datetime.date(year, month, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def _spring_forward_cohort(trust):
    day = _last_sunday(3, NOW.year + 1)
    cohort = CohortFactory(
        host_trust=trust,
        starts_on=day - datetime.timedelta(days=5),
        ends_on=day + datetime.timedelta(days=5),
    )
    return day, cohort


def _add(admin_client, cohort, day, starts, ends):
    return admin_client.post(
        f"/admin/cohorts/{cohort.pk}/sessions/add/",
        {
            "title": "Night shift debrief",
            "kind": "workshop",
            "date": day.isoformat(),
            "starts": starts,
            "ends": ends,
            "place": "Ward 7",
        },
    )


def test_a_time_that_does_not_exist_in_the_uk_is_refused_not_moved(admin_client, trust_a):
    """01:30 on the last Sunday of March does not exist in Europe/London (01:00 -> 02:00).
    make_aware (zoneinfo, fold=0) gives 01:30+00:00, saved as 01:30 UTC: the timetable,
    the emails and the calendars then say 02:30 BST, and nobody was told."""
    day, cohort = _spring_forward_cohort(trust_a)

    response = _add(admin_client, cohort, day, "01:30", "03:00")

    stored = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in Session.objects.all()]
    assert response.status_code == 400, f"accepted; stored as {stored}"


def test_a_session_across_the_spring_gap_is_not_told_it_ends_before_it_starts(
    admin_client, trust_a
):
    """01:30 to 02:30 on the spring-forward day: the form's own check compares the two
    aware times wall-clock to wall-clock (same tzinfo) and passes; both are 01:30 UTC, so the
    model's constraint answers 'A session must end after it starts.', untrue of what was
    typed."""
    day, cohort = _spring_forward_cohort(trust_a)

    response = _add(admin_client, cohort, day, "01:30", "02:30")

    assert response.status_code == 400
    assert "must end after it starts" not in response.content.decode()


# --- bad input -----------------------------------------------------------------------------------


def test_a_note_with_a_nul_character_is_a_row_error(client):
    """The register reads its fields by hand, so Django's ProhibitNullCharactersValidator
    never runs; SQLite stores the NUL, PostgreSQL refuses the INSERT (DataError: a 500)."""
    cohort = CohortFactory()
    person = EnrolmentFactory(cohort=cohort)
    start = NOW - datetime.timedelta(hours=1)
    session = SessionFactory(
        cohort=cohort, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    facilitator = SessionFacilitatorFactory(session=session).person
    client.force_login(facilitator)

    response = client.post(
        f"/learn/facilitate/sessions/{session.pk}/register/",
        {f"mark-{person.pk}": "present", f"note-{person.pk}": "Bleep\x00ed"},
    )

    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_register_save_refuses_a_note_longer_than_the_column():
    """The view checks the length; the service (the API and imports call it too) does not,
    and bulk_create skips model validation: SQLite stores 1,000 characters, PostgreSQL
    raises DataError (varchar(300))."""
    cohort = CohortFactory()
    person = EnrolmentFactory(cohort=cohort)
    [session] = held_sessions(cohort, 1)

    with pytest.raises(Exception):  # noqa: B017 - any refusal, as long as nothing is written
        services.register_save(session=session, marks={person.pk: ("present", "x" * 1000)}, by=None)
    assert not Attendance.objects.exists()


def test_control_the_register_does_save_a_plain_mark(client):
    """Control for the two tests above: the same set-up saves an ordinary mark (302)."""
    cohort = CohortFactory()
    person = EnrolmentFactory(cohort=cohort)
    start = NOW - datetime.timedelta(hours=1)
    session = SessionFactory(
        cohort=cohort, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    client.force_login(SessionFacilitatorFactory(session=session).person)

    response = client.post(
        f"/learn/facilitate/sessions/{session.pk}/register/",
        {f"mark-{person.pk}": "present", f"note-{person.pk}": "Bleeped"},
    )

    assert response.status_code == 302
    assert Attendance.objects.get().note == "Bleeped"


def test_override_of_a_withdrawn_enrolment_is_a_form_error_not_a_500(admin_client, trust_a):
    cohort = CohortFactory(
        host_trust=trust_a, programme=ProgrammeFactory(min_attendance_percent=80)
    )
    enrolment = EnrolmentFactory(cohort=cohort, status="withdrawn")
    AttendanceFactory(session=SessionFactory(cohort=cohort), enrolment=enrolment)

    response = admin_client.post(
        f"/admin/cohorts/enrolments/{enrolment.pk}/completion/",
        {"outcome": "completed", "reason": "Forged"},
    )

    assert response.status_code == 400
    assert Enrolment.objects.get(pk=enrolment.pk).status == "withdrawn"


# --- exactly once -------------------------------------------------------------------------------


def test_a_notice_retried_after_a_timeout_does_not_email_the_first_people_twice(monkeypatch):
    """TimeoutError is in the tasks' autoretry_for (outbox.base): an SMTP timeout at person 2
    of 3 retries that person's delivery alone (one SessionNoticeDelivery and one task per
    recipient), so person 1 is not emailed again."""
    from django.core import mail

    from accounts import emails
    from programmes.models import SessionNoticeDelivery
    from programmes.tasks import send_session_notice, send_session_notice_to

    session = SessionFactory()
    first, second, third = EnrolmentFactory.create_batch(3, cohort=session.cohort)
    services.session_cancel(session=session, by=None, reason="Room flooded")
    notice = session.notices.get()
    real_send, failed = emails.send, []

    def flaky(template, *, to, context):
        if to == second.person.email and not failed:
            failed.append(to)
            raise TimeoutError("SMTP timed out")
        real_send(template, to=to, context=context)

    monkeypatch.setattr(emails, "send", flaky)
    mail.outbox.clear()
    assert send_session_notice.run(notice.pk) == "queued for 3"
    assert send_session_notice.run(notice.pk) == "already sent"  # beat or a re-delivery
    deliveries = list(SessionNoticeDelivery.objects.filter(notice=notice).order_by("pk"))
    for delivery in deliveries:
        with contextlib.suppress(TimeoutError):  # Celery would retry this one
            send_session_notice_to.run(delivery.pk)
    for delivery in deliveries:  # the retries: only the one that failed sends
        send_session_notice_to.run(delivery.pk)

    for person in (first, second, third):
        assert len([m for m in mail.outbox if m.to == [person.person.email]]) == 1
