"""Round runs that overlap, on PostgreSQL (tests/concurrency.py): the round task delivered
four times at the same moment (beat restarted and queued it again, a worker's message
re-delivered) makes one round and queues its emails once, because each run locks the
scheme's row before looking for the round."""

import datetime
import time

import pytest
from django.db.models import QuerySet

from coffee import selectors, services
from coffee.models import CoffeeMatchMember, CoffeeRound
from outbox import claims
from outbox.models import OutboxMessage
from tests.concurrency import run_concurrently
from tests.factories import TrustFactory

from .factories import CoffeeSchemeFactory, opted_in_people

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RUNS = 4
WINDOW_SECONDS = 0.3
START = datetime.date(2026, 3, 1)
FAN_OUT = "coffee.tasks.send_coffee_round_emails"


def a_trust():
    trust = TrustFactory()
    scheme = CoffeeSchemeFactory(trust=trust)
    opted_in_people(trust, clinicians=5, managers=4)
    return scheme


def widen_the_window(monkeypatch):
    """Sleep between reading who takes part and writing the round, as a slow database would."""
    inputs = selectors.round_inputs

    def slow_inputs(*args, **kwargs):
        found = inputs(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)
        return found

    monkeypatch.setattr(selectors, "round_inputs", slow_inputs)


def run_round(scheme):
    try:
        return services.coffee_round_create(scheme_id=scheme.pk, period_start=START).pk
    except claims.NotClaimed as skipped:
        return skipped.reason


def test_overlapping_runs_make_one_round_and_queue_its_emails_once(monkeypatch):
    scheme = a_trust()
    widen_the_window(monkeypatch)

    run = run_concurrently(lambda i: run_round(scheme), threads=RUNS)

    assert not run.errors
    [round_] = CoffeeRound.objects.all()
    assert sorted(run.results, key=str) == sorted([round_.pk] + ["already run"] * 3, key=str)
    assert CoffeeMatchMember.objects.count() + round_.carried_over_count == 9
    assert OutboxMessage.objects.filter(task_name=FAN_OUT).count() == 1


def test_without_the_lock_the_runs_collide(monkeypatch):
    """The control: with select_for_update taken away, the runs all find no round and all
    but one fail on the unique constraint — one round still, but by the backstop alone."""
    scheme = a_trust()
    widen_the_window(monkeypatch)
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)

    run = run_concurrently(lambda i: run_round(scheme), threads=RUNS)

    assert run.errors
    assert CoffeeRound.objects.count() == 1
