"""Session reminders (programmes.services.reminders, programmes.tasks.sessions): a day ahead,
to each participant holding a place, exactly once — however often beat runs, however often a
task is delivered, after beat was down, and across a reschedule. The clock is moved with
time_machine; the outbox's after-commit publishing is run with
django_capture_on_commit_callbacks(execute=True) (tasks are eager in tests), or the queued
task is run by hand from its outbox row."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from outbox.models import OutboxMessage
from programmes import services
from programmes.models import SessionReminder
from programmes.services.reminders import (
    REMIND_AHEAD,
    reminders_due,
    session_reminders_queue,
)
from programmes.tasks import queue_session_reminders, send_session_reminder
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
TASK = "programmes.tasks.sessions.send_session_reminder"
# Monday 3 May 2027, 10:00 in London: the clock every test starts from.
NOW = datetime.datetime(2027, 5, 3, 10, 0, tzinfo=LONDON)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def cohort(clock, trust_a):
    return CohortFactory(host_trust=trust_a, name="Northshire, spring")


@pytest.fixture
def seat(cohort, participant):
    return EnrolmentFactory(person=participant, cohort=cohort)


def session_at(cohort, starts_at, **kwargs):
    return SessionFactory(
        cohort=cohort, starts_at=starts_at, ends_at=starts_at + 3 * HOUR, **kwargs
    )


@pytest.fixture
def tomorrow(cohort, seat):
    """Tuesday 09:30: 23.5 hours ahead, so in the window."""
    return session_at(
        cohort,
        datetime.datetime(2027, 5, 4, 9, 30, tzinfo=LONDON),
        title="Reading a directorate budget",
        online_url="https://meet.example/budget",
    )


def reminders_sent() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Reminder:")]


def queued_ids() -> list[int]:
    return [m.args[0] for m in OutboxMessage.objects.filter(task_name=TASK).order_by("pk")]


def test_beat_run_twice_reminds_once(
    tomorrow, seat, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_session_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_session_reminders() == 0

    [message] = reminders_sent()
    assert message.to == [participant.email]
    assert message.subject == "Reminder: Reading a directorate budget, Tuesday 4 May at 09:30"
    assert "When: Tuesday 4 May 2027, 09:30 to 12:30" in message.body
    assert "Where: Education Centre, Seminar Room 2" in message.body
    assert "Online: https://meet.example/budget" in message.body
    assert "check in with the code shown at the session" in message.body
    ics = settings.BASE_URL + reverse("programmes:session_calendar", args=[tomorrow.pk])
    assert ics in message.body
    assert settings.BASE_URL + reverse("programmes:calendar") in message.body
    [(html, _)] = message.alternatives
    assert f'href="{ics}"' in html and "check in with the code shown at the session" in html
    reminder = SessionReminder.objects.get()
    assert (reminder.session, reminder.enrolment) == (tomorrow, seat)
    assert reminder.starts_at == tomorrow.starts_at
    assert reminder.sent_at == NOW
    assert len(queued_ids()) == 1


def test_the_send_task_delivered_twice_sends_once(tomorrow):
    assert session_reminders_queue() == 1
    [reminder_id] = queued_ids()  # queued in the run's transaction, published on commit
    assert send_session_reminder(reminder_id) == "sent"
    assert send_session_reminder(reminder_id) == "already sent"
    assert len(reminders_sent()) == 1


def test_a_session_more_than_a_day_ahead_waits_its_turn(clock, cohort, seat):
    session = session_at(cohort, NOW + REMIND_AHEAD + 10 * datetime.timedelta(minutes=1))
    assert session_reminders_queue() == 0
    clock.shift(datetime.timedelta(minutes=5))
    assert session_reminders_queue() == 0
    clock.shift(datetime.timedelta(minutes=5))  # now exactly a day ahead
    assert session_reminders_queue() == 1
    assert SessionReminder.objects.get().session == session


def test_after_beat_was_down_each_due_session_is_reminded_once_and_none_started(
    clock, cohort, seat, django_capture_on_commit_callbacks
):
    """Beat last ran on Sunday, when nothing was due, and came back on Tuesday at 08:00: the
    session at 09:30 is still reminded (late, once); the one that began at 07:00, while beat
    was down, is not."""
    clock.move_to(NOW - REMIND_AHEAD, tick=False)
    early = session_at(cohort, datetime.datetime(2027, 5, 4, 7, 0, tzinfo=LONDON))
    later = session_at(cohort, datetime.datetime(2027, 5, 4, 9, 30, tzinfo=LONDON))
    assert session_reminders_queue() == 0

    clock.move_to(datetime.datetime(2027, 5, 4, 8, 0, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_session_reminders() == 1
        assert queue_session_reminders() == 0
    [message] = reminders_sent()
    assert "Tuesday 4 May at 09:30" in message.subject
    assert SessionReminder.objects.get().session == later
    assert not SessionReminder.objects.filter(session=early).exists()


def test_a_reminder_whose_email_waited_past_the_start_is_not_sent(clock, tomorrow):
    """Queued on Monday, but the workers were down until Tuesday 10:00."""
    session_reminders_queue()
    [reminder_id] = queued_ids()
    clock.move_to(datetime.datetime(2027, 5, 4, 10, 0, tzinfo=LONDON), tick=False)
    assert send_session_reminder(reminder_id) == "session started"
    assert not reminders_sent()
    assert SessionReminder.objects.get().sent_at is None


def test_a_reschedule_after_the_reminder_gets_one_for_the_new_time(
    clock, tomorrow, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session_reminders_queue()
    assert len(reminders_sent()) == 1
    new_start = datetime.datetime(2027, 5, 6, 14, 0, tzinfo=LONDON)  # Thursday afternoon
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=tomorrow, by=None, starts_at=new_start, ends_at=new_start + 2 * HOUR
        )
        assert session_reminders_queue() == 0  # not within a day yet
    clock.move_to(new_start - REMIND_AHEAD + datetime.timedelta(minutes=3), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_session_reminders() == 1
        assert queue_session_reminders() == 0
    first, second = reminders_sent()
    assert "Tuesday 4 May at 09:30" in first.subject
    assert second.subject == "Reminder: Reading a directorate budget, Thursday 6 May at 14:00"
    assert sorted(SessionReminder.objects.values_list("starts_at", flat=True)) == [
        tomorrow.starts_at,
        new_start,
    ]


def test_an_unsent_reminder_for_the_old_time_is_not_sent_after_a_reschedule(tomorrow):
    session_reminders_queue()
    [old] = SessionReminder.objects.all()
    new_start = tomorrow.starts_at - 2 * HOUR  # earlier, still within the day
    services.session_update(
        session=tomorrow, by=None, starts_at=new_start, ends_at=new_start + 2 * HOUR
    )
    assert session_reminders_queue() == 1  # the new time's own
    new = SessionReminder.objects.exclude(pk=old.pk).get()
    assert send_session_reminder(old.pk) == "session rescheduled"
    assert send_session_reminder(new.pk) == "sent"
    [message] = reminders_sent()
    assert "07:30" in message.subject


def test_a_cancelled_session_is_not_reminded(tomorrow):
    services.session_cancel(session=tomorrow, by=None)
    assert session_reminders_queue() == 0
    assert not SessionReminder.objects.exists()


def test_a_session_cancelled_after_its_reminder_was_queued_is_not_sent(tomorrow):
    session_reminders_queue()
    services.session_cancel(session=tomorrow, by=None)
    [reminder_id] = queued_ids()
    assert send_session_reminder(reminder_id) == "session cancelled"
    assert not reminders_sent()


def test_only_those_holding_a_place_before_now_are_reminded(clock, cohort, tomorrow, seat):
    def enrol(status, **kwargs):
        return EnrolmentFactory(person=ClinicianFactory(), cohort=cohort, status=status, **kwargs)

    enrol("withdrawn")
    enrol("waitlisted")
    enrol("pending_approval")
    # Completed early (the rules met before the last session): still on the register.
    early = enrol("completed")
    just_now = enrol("enrolled", seated_at=NOW)  # seated this very moment: next run
    assert session_reminders_queue() == 2
    assert {r.enrolment for r in SessionReminder.objects.all()} == {seat, early}
    clock.shift(datetime.timedelta(minutes=5))
    assert session_reminders_queue() == 1
    assert SessionReminder.objects.filter(enrolment=just_now).exists()


def test_someone_who_withdraws_before_the_email_goes_is_not_sent_it(tomorrow, seat, participant):
    session_reminders_queue()
    services.enrolment_withdraw(enrolment=seat, by=participant, reason="")
    [reminder_id] = queued_ids()
    assert send_session_reminder(reminder_id) == "no longer enrolled"
    assert not reminders_sent()


def test_a_cancelled_cohorts_sessions_are_not_reminded(cohort, tomorrow):
    cohort.status = "cancelled"
    cohort.save()
    assert reminders_due(NOW) == []


def test_a_run_costs_the_same_reads_however_many_sessions(
    clock, trust_a, django_assert_max_num_queries
):
    for _ in range(3):
        cohort = CohortFactory(host_trust=trust_a)
        EnrolmentFactory.create_batch(2, cohort=cohort)
        session_at(cohort, NOW + 2 * HOUR)
        session_at(cohort, NOW + 20 * HOUR)
    # Savepoint and its release; the due sessions (locked), their enrolments, the reminders
    # written already; one insert of the 12 reminders; then one outbox row per reminder.
    with django_assert_max_num_queries(2 + 3 + 1 + 12):
        assert session_reminders_queue() == 12
    assert len(queued_ids()) == 12


def test_beat_runs_the_queue_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["programmes-queue-session-reminders"]
    assert entry["task"] == "programmes.tasks.sessions.queue_session_reminders"
    assert entry["schedule"] == 300.0
    assert 0 < entry["options"]["expires"] < entry["schedule"]
    assert settings.CELERY_TASK_ROUTES[TASK] == {"queue": "email"}


def test_someone_who_completed_early_is_still_reminded_of_the_sessions_left(
    django_capture_on_commit_callbacks,
):
    from django.core import mail
    from django.utils import timezone

    from programmes.services.reminders import session_reminders_queue
    from tests.factories import EnrolmentFactory, SessionFactory

    now = timezone.now()
    session = SessionFactory(
        starts_at=now + datetime.timedelta(hours=20), ends_at=now + datetime.timedelta(hours=22)
    )
    person = EnrolmentFactory(cohort=session.cohort, status="completed")

    with django_capture_on_commit_callbacks(execute=True):
        session_reminders_queue()

    assert [m.to for m in mail.outbox] == [[person.person.email]]
