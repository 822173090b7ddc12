"""Reminder runs that overlap, on PostgreSQL (tests/concurrency.py): beat's run and a second
one (a second beat by mistake, or a manual run) at the same moment write each reminder once
and queue its email once, because each run locks the due sessions before reading which
reminders exist."""

import datetime
import time

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from outbox.models import OutboxMessage
from programmes.models import SessionReminder
from programmes.services import reminders
from tests.concurrency import run_concurrently
from tests.factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RUNS = 4
WINDOW_SECONDS = 0.3
TASK = "programmes.tasks.sessions.send_session_reminder"


def due_setting() -> int:
    """Two sessions a few hours ahead, three people with a place in each cohort."""
    soon = timezone.now() + datetime.timedelta(hours=3)
    for _ in range(2):
        cohort = CohortFactory()
        EnrolmentFactory.create_batch(3, cohort=cohort)
        SessionFactory(cohort=cohort, starts_at=soon, ends_at=soon + datetime.timedelta(hours=2))
    return 6


def widen_the_window(monkeypatch):
    """Sleep between reading what is due and writing it, as a slow database would."""
    due = reminders.reminders_due

    def slow_due(*args, **kwargs):
        rows = due(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)
        return rows

    monkeypatch.setattr(reminders, "reminders_due", slow_due)


def test_overlapping_runs_write_and_queue_each_reminder_once(monkeypatch):
    expected = due_setting()
    widen_the_window(monkeypatch)

    run = run_concurrently(lambda i: reminders.session_reminders_queue(), threads=RUNS)

    assert not run.errors
    assert sorted(run.results) == [0] * (RUNS - 1) + [expected]
    assert SessionReminder.objects.count() == expected
    queued = list(OutboxMessage.objects.filter(task_name=TASK).values_list("args", flat=True))
    assert sorted(args[0] for args in queued) == sorted(
        SessionReminder.objects.values_list("pk", flat=True)
    )


def test_without_the_lock_the_runs_collide(monkeypatch):
    """The control: with select_for_update taken away, the runs read the same nothing-yet and
    all but one fail on the unique constraint (none sends twice, but runs fail)."""
    expected = due_setting()
    widen_the_window(monkeypatch)
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)

    run = run_concurrently(lambda i: reminders.session_reminders_queue(), threads=RUNS)

    assert run.errors
    assert SessionReminder.objects.count() == expected
