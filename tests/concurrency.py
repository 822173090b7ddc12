"""A concurrency harness for PostgreSQL tests: one callable run by N threads at once, each on
its own database connection, released together by a barrier.

    from tests.concurrency import run_concurrently

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_capacity_is_never_exceeded():
        cohort = CohortFactory(capacity=10)
        people = UserFactory.create_batch(50)
        run = run_concurrently(lambda i: enrolment_create(person=people[i], cohort=cohort),
                               threads=50)
        assert len(run.results) == 10 and run.errors_of(CohortFull) == run.errors

Why each piece is there:

- Threads, not processes: Django's connections are per thread, so every thread opens its
  own connection to the test database and its own transactions, exactly as concurrent web
  requests or Celery workers would; the test can still share Python objects with them.
- Committed data: the other connections see only what is committed, so the test must use
  ``transactional_db`` (``django_db(transaction=True)``), not ``db``, whose data lives in an
  uncommitted transaction. The harness refuses to run inside a transaction rather than let a
  race test pass because no thread could see the rows. ``serialized_rollback=True`` puts back
  the migrations' data (role groups, the Wagtail site) that transactional tests flush away.
- The barrier: every thread connects first, then waits until all have, so the callables start
  within microseconds of each other instead of one connection set-up apart.
- Outcomes, not exceptions: each thread's return value or exception is kept (a refusal is an
  answer, not a failure of the test), in thread order, for the test to assert on.
- Connections closed afterwards, in each thread, so the test database can be flushed and
  dropped (PostgreSQL refuses to drop a database with open sessions).
- Connection slots: PostgreSQL allows 100 connections, and the two pytest-xdist workers share
  them. ``connection_slots`` (used here and by the gunicorn server of tests/live_gunicorn.py)
  lets one many-connection test run at a time on the machine, and waits until PostgreSQL has
  room for it; if it never has, the error lists who holds the connections.

SQLite serialises all writers on one lock and, in memory, shares one cache between threads:
races behave differently there, so tests using this are marked ``postgres``.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

DEFAULT_TIMEOUT = 60.0
SLOTS_WAIT = 120.0  # seconds to wait for PostgreSQL to have room before failing with a listing


class HarnessError(Exception):
    """The harness was used in a way that would make the test meaningless, or timed out."""


@dataclass
class Outcome:
    index: int
    result: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ConcurrentRun:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def results(self) -> list[Any]:
        """Return values of the calls that succeeded, in thread order."""
        return [o.result for o in self.outcomes if o.ok]

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions of the calls that raised, in thread order."""
        return [o.error for o in self.outcomes if not o.ok]

    def errors_of(self, *types: type[BaseException]) -> list[BaseException]:
        return [e for e in self.errors if isinstance(e, types)]


def run_concurrently(
    fn: Callable[[int], Any],
    *,
    threads: int = 10,
    timeout: float = DEFAULT_TIMEOUT,
    using: str = DEFAULT_DB_ALIAS,
) -> ConcurrentRun:
    """Call ``fn(index)`` in ``threads`` threads at once (index 0..threads-1), each on its own
    connection to database ``using``; return every call's outcome. Raises HarnessError if
    called inside a transaction (use transactional_db) or if the calls do not finish within
    ``timeout`` seconds (a deadlock, or a lock never released)."""
    if threads < 2:
        raise HarnessError("a race needs at least 2 threads")
    if connections[using].in_atomic_block:
        raise HarnessError(
            "run_concurrently is inside a transaction, so the other threads' connections "
            "cannot see this test's data: use transactional_db "
            "(@pytest.mark.django_db(transaction=True)), not db"
        )
    with connection_slots(threads, using=using):
        return _race(fn, threads=threads, timeout=timeout, using=using)


def _race(fn: Callable[[int], Any], *, threads: int, timeout: float, using: str) -> ConcurrentRun:
    barrier = threading.Barrier(threads)
    outcomes: list[Outcome] = [Outcome(index=i) for i in range(threads)]

    def worker(index: int) -> None:
        try:
            try:
                connections[using].ensure_connection()  # connect before the start line
            except BaseException:
                barrier.abort()  # release the others at once rather than at the timeout
                raise
            barrier.wait(timeout=timeout)
            outcomes[index].result = fn(index)
        except BaseException as error:  # noqa: BLE001 - kept as this thread's outcome
            outcomes[index].error = error
        finally:
            connections.close_all()

    workers = [
        threading.Thread(target=worker, args=(i,), name=f"concurrent-{i}", daemon=True)
        for i in range(threads)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=timeout)
    stuck = [thread.name for thread in workers if thread.is_alive()]
    if stuck:
        raise HarnessError(f"{len(stuck)} thread(s) still running after {timeout}s: {stuck}")
    return ConcurrentRun(outcomes=outcomes)


# --- Connection slots ------------------------------------------------------------------------

_held = threading.local()  # whether this thread is inside connection_slots already
_process_lock = threading.Lock()


@contextlib.contextmanager
def connection_slots(
    needed: int, *, using: str = DEFAULT_DB_ALIAS, wait: float = SLOTS_WAIT
) -> Iterator[None]:
    """Run the block once this machine's other many-connection tests have finished and
    PostgreSQL has ``needed`` connections free. An exclusive lock on a file in the temporary
    directory serialises such tests across pytest-xdist workers (each is one process); a
    nested use in the same thread (a race against a live server) does not wait on itself.
    A no-op on SQLite, whose connections cost no server slot."""
    if connections[using].vendor != "postgresql" or getattr(_held, "depth", 0):
        yield
        return
    path = Path(tempfile.gettempdir()) / "tandem-tests-postgres-connections.lock"
    with _process_lock, path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes
        _held.depth = 1
        try:
            _wait_for_free_connections(needed, using=using, wait=wait)
            yield
        finally:
            _held.depth = 0


def _wait_for_free_connections(needed: int, *, using: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        free = _free_connections(using)
        if free >= needed:
            return
        if time.monotonic() >= deadline:
            raise HarnessError(
                f"PostgreSQL has {free} connection(s) free after {wait:.0f}s and this test "
                f"needs {needed}. Held now:\n{_who_holds_connections(using)}"
            )
        time.sleep(0.5)


def _query(using: str, sql: str) -> list[tuple]:
    """Run ``sql`` on a connection of its own: the callers may be outside pytest-django's
    database access (a module-scoped server) or inside a test's transaction."""
    import psycopg

    params = connections[using].get_connection_params()
    with psycopg.connect(**params, connect_timeout=10) as conn:
        return conn.execute(sql).fetchall()


def _free_connections(using: str) -> int:
    [(free,)] = _query(
        using,
        "SELECT current_setting('max_connections')::int"
        " - current_setting('superuser_reserved_connections')::int"
        " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
        " + 1",  # this query's own connection
    )
    return free


def _who_holds_connections(using: str) -> str:
    rows = _query(
        using,
        "SELECT datname, application_name, state, count(*), min(backend_start)"
        " FROM pg_stat_activity WHERE backend_type = 'client backend'"
        " GROUP BY 1, 2, 3 ORDER BY 4 DESC",
    )
    return "\n".join(
        f"  {count} x database={db} application={app or '-'} state={state} since {since:%H:%M:%S}"
        for db, app, state, count, since in rows
    )
