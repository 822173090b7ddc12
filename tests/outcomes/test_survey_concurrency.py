"""Exactly once on PostgreSQL (tests/concurrency.py: each thread its own connection, released
together by a barrier): five beat runs at once queue each due survey once, and five
deliveries of one send task at once send one email. Each has a control with its guard (the
row lock) taken away and the same widened window, so the difference is the guard alone."""

import time

import pytest
from django.core import mail
from django.db.models import QuerySet

from outbox.models import OutboxMessage
from outcomes import services, tasks
from outcomes.models import SurveyInvitation
from tests.concurrency import run_concurrently
from tests.factories_outcomes import SurveyInvitationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 5
WINDOW_SECONDS = 0.3


def widen(monkeypatch, module, name):
    original = getattr(module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)  # checked, not yet written
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.fixture
def held_outbox(monkeypatch):
    """What the runs enqueue waits in the outbox (as after a failed publish), so the test
    counts the queued rows rather than running them."""
    from time import monotonic

    from outbox import services as outbox

    monkeypatch.setattr(outbox, "_broker_failed_at", monotonic())


def queued_invitations() -> list[int]:
    return [
        message.args[0]
        for message in OutboxMessage.objects.filter(task_name=tasks.send_survey_invitation.name)
    ]


def test_five_beat_runs_at_once_queue_each_survey_once(monkeypatch, held_outbox):
    rows = SurveyInvitationFactory.create_batch(3)
    widen(monkeypatch, services, "_take")
    run = run_concurrently(lambda index: services.surveys_queue_due(), threads=THREADS)
    assert run.errors == []
    assert sorted(queued_invitations()) == sorted(row.pk for row in rows)


def test_control_without_the_row_lock_beat_runs_queue_twice(monkeypatch, held_outbox):
    SurveyInvitationFactory.create_batch(3)
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    widen(monkeypatch, services, "_take")
    run_concurrently(lambda index: services.surveys_queue_due(), threads=THREADS)
    assert len(queued_invitations()) > 3, "the window did not open: the test above proves nothing"


def test_five_deliveries_of_the_send_task_at_once_send_one(monkeypatch):
    row = SurveyInvitationFactory()
    widen(monkeypatch, tasks, "_refuse_invitation")  # sent_at read, not yet set
    run = run_concurrently(lambda index: tasks.send_survey_invitation(row.pk), threads=THREADS)
    assert run.errors == []
    assert sorted(run.results) == ["already sent"] * (THREADS - 1) + ["sent"]
    assert len(mail.outbox) == 1
    assert SurveyInvitation.objects.get().sent_at is not None


def test_control_without_the_row_lock_every_delivery_sends(monkeypatch):
    row = SurveyInvitationFactory()
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    widen(monkeypatch, tasks, "_refuse_invitation")
    run_concurrently(lambda index: tasks.send_survey_invitation(row.pk), threads=THREADS)
    assert len(mail.outbox) > 1, "the window did not open: the test above proves nothing"


def test_the_unique_constraint_makes_one_survey_per_enrolment_and_kind():
    row = SurveyInvitationFactory()
    run = run_concurrently(
        lambda index: services.surveys_schedule(enrolment=row.enrolment), threads=THREADS
    )
    assert run.errors == []
    assert SurveyInvitation.objects.filter(enrolment=row.enrolment).count() == 2
