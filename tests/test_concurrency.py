"""The concurrency harness (tests/concurrency.py), and proof that it can fail.

The first tests check the harness itself and run anywhere. The PostgreSQL ones race a real
row-locked operation (accepting one invitation from 10 browsers at once) and a counter, each
twice: with its lock, which must hold, and with the lock taken away, which must show the race.
Both runs of a pair widen the window between the check and the write by the same amount, so
the only difference between a pass and a caught race is the lock.

Every test here uses serialized_rollback: a transactional test's flush without it lets
post_migrate recreate content types, which the next serialized test then cannot restore.
"""

import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import QuerySet

from accounts.services import InvitationInvalid, invitation_accept
from people.models import BoardSnapshot, User
from tests.concurrency import HarnessError, connection_slots, run_concurrently
from tests.factories import BoardSnapshotFactory, InvitationFactory

THREADS = 10
# Long enough that every unlocked thread has read before the first one writes.
WINDOW_SECONDS = 0.3


# --- The harness ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_thread_runs_at_once_and_each_outcome_is_kept():
    # Each call waits for all the others inside it: this finishes only if all 10 run at the
    # same time (the harness released them together), not one after another.
    inside = threading.Barrier(THREADS, timeout=10)

    def call(index):
        inside.wait()
        if index == 3:
            raise ValueError("thread 3 refuses")
        return index * index

    run = run_concurrently(call, threads=THREADS)

    assert [o.index for o in run.outcomes] == list(range(THREADS))
    assert run.results == [i * i for i in range(THREADS) if i != 3]
    [error] = run.errors
    assert isinstance(error, ValueError) and str(error) == "thread 3 refuses"
    assert run.errors_of(KeyError) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_thread_has_its_own_connection_and_closes_it():
    def call(index):
        wrapper = connections[DEFAULT_DB_ALIAS]  # this thread's, not the proxy
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
        return wrapper

    run = run_concurrently(call, threads=4)

    wrappers = run.results
    assert len({id(w) for w in wrappers}) == 4
    assert connections[DEFAULT_DB_ALIAS] not in wrappers  # nor the test's own
    if connection.vendor != "sqlite":  # Django never closes an in-memory SQLite database
        assert all(w.connection is None for w in wrappers)  # closed as each thread finished


@pytest.mark.django_db
def test_it_refuses_to_race_inside_a_transaction():
    # Under `db` the test's rows are uncommitted: no other connection could see them, and a
    # race test would pass for the wrong reason.
    with pytest.raises(HarnessError, match="transactional_db"):
        run_concurrently(lambda i: None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_thread_that_never_finishes_is_reported():
    release = threading.Event()
    try:
        with pytest.raises(HarnessError, match="still running"):
            run_concurrently(lambda i: release.wait(5), threads=2, timeout=0.5)
    finally:
        release.set()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_race_that_postgresql_has_no_room_for_fails_saying_who_holds_the_connections():
    with (
        pytest.raises(HarnessError, match=r"needs 100000\. Held now:\n.*database=test_"),
        connection_slots(100_000, wait=0),
    ):
        pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_race_inside_a_many_connection_block_does_not_wait_for_itself():
    with connection_slots(5, wait=1):
        run = run_concurrently(lambda i: i, threads=3, timeout=5)
    assert run.results == [0, 1, 2]


# --- A real row-locked operation: one invitation, accepted from 10 browsers at once -----------


def widen_the_window(monkeypatch):
    """invitation_accept validates the new account (full_clean, whose unique check reads the
    email) and then writes it: pause between the two, so every thread has checked before any
    has written unless a lock holds them. (A pause before full_clean let the first writer
    commit while slower threads were still to validate, on a loaded CI machine: they were
    refused by the unique check instead, and the control passed or failed by timing.)"""
    full_clean = User.full_clean

    def slow_full_clean(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        time.sleep(WINDOW_SECONDS)

    monkeypatch.setattr(User, "full_clean", slow_full_clean)


def accept_from_every_thread(invitation):
    return run_concurrently(
        lambda i: invitation_accept(
            invitation=invitation,
            first_name="Mary",
            last_name=f"Seacole {i}",
            password="a-long-password-1",
        ),
        threads=THREADS,
    )


def assert_accepted_once(run, invitation):
    """The invariant: one account, and every other attempt told plainly the link is used."""
    assert len(run.results) == 1, run.errors
    assert len(run.errors_of(InvitationInvalid)) == THREADS - 1, run.errors
    assert User.objects.filter(email=invitation.email).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_by == run.results[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_simultaneous_accepts_of_one_invitation_make_one_account(monkeypatch):
    invitation = InvitationFactory()
    widen_the_window(monkeypatch)

    run = accept_from_every_thread(invitation)

    assert_accepted_once(run, invitation)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_its_row_lock_the_race_is_caught(monkeypatch):
    """The control: the same run with select_for_update taken away. Every thread sees the
    invitation pending; all but one then fail on the email's unique constraint instead of
    being refused, so the invariant above does not hold, and the harness shows it."""
    invitation = InvitationFactory()
    widen_the_window(monkeypatch)
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)

    run = accept_from_every_thread(invitation)

    with pytest.raises(AssertionError):
        assert_accepted_once(run, invitation)
    assert run.errors_of(IntegrityError), run.errors  # the unique email was all that held


# --- A deliberately simple read-modify-write --------------------------------------------------


def add_one(snapshot_pk, *, lock):
    with transaction.atomic():
        rows = BoardSnapshot.objects.filter(pk=snapshot_pk)
        snapshot = (rows.select_for_update() if lock else rows).get()
        time.sleep(WINDOW_SECONDS / 3)
        snapshot.members += 1
        snapshot.save(update_fields=["members"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_locked_counter_counts_every_increment():
    snapshot = BoardSnapshotFactory(members=0, clinician_members=0)

    run = run_concurrently(lambda i: add_one(snapshot.pk, lock=True), threads=THREADS)

    assert run.errors == []
    snapshot.refresh_from_db()
    assert snapshot.members == THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unlocked_counter_loses_increments_and_the_harness_shows_it():
    snapshot = BoardSnapshotFactory(members=0, clinician_members=0)

    run = run_concurrently(lambda i: add_one(snapshot.pk, lock=False), threads=THREADS)

    assert run.errors == []  # nothing failed loudly...
    snapshot.refresh_from_db()
    assert snapshot.members < THREADS  # ...yet increments were lost: the race is visible
