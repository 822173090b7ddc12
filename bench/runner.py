"""Benchmark registry and runner behind `make bench` (`manage.py bench`).

Write a benchmark in a module of ``bench/benchmarks/`` (imported by that package, which the
command finds with ``autodiscover_modules("benchmarks")``)::

    from bench.runner import benchmark

    @benchmark("programme-page", group="cms")
    def programme_page(ctx):
        page = ProgrammePageFactory()            # set up data with the ORM or factories
        ctx.measure_request(ctx.client(), page.url)

A benchmark receives a :class:`BenchContext` and records one or more measurements with
``ctx.measure_request(client, url)`` (a page served through the test client) or
``ctx.measure(fn)`` (any callable, e.g. a bulk task). By default it runs inside a transaction
that is rolled back afterwards, so data it creates never leaks into the next benchmark.

Two more for what one connection cannot show:

- ``ctx.measure_concurrently(fn, clients=8, calls=40)``: ``fn`` called from 8 threads at
  once, each on its own database connection (contention on a row lock, say), reported as
  calls per second beside each call's time. The threads see only committed data, so such a
  benchmark is registered with ``atomic=False`` and removes what it creates.
- ``ctx.skip(reason)``: the benchmark cannot run on this database (e.g. it needs PostgreSQL);
  the command prints the reason instead of a row, and does not fail.

And two for comparing variants on a machine whose speed drifts:

- ``ctx.measure_alternating({"project": fn, "reference": ref})``: each variant called in
  turn, round after round (the order rotating), so a slow spell slows them all alike; one
  measurement per label.
- ``ctx.note(text)``: a line printed under the table (a ratio to its target, a size, which
  library is in use), and kept in the JSON.

Nothing here creates or chooses a database: :func:`run_benchmarks` uses the current one (the
tests call it inside pytest's test database) and :func:`throwaway_test_database` is what the
command wraps it in, so the developer's real database is never touched.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client, TestCase
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

DEFAULT_REPEAT = 50
DEFAULT_WARMUP = 5


class BenchmarkError(Exception):
    """A benchmark did something the runner cannot report honestly."""


class BenchmarkSkipped(Exception):
    """Raised by ``ctx.skip(reason)``: reported as skipped, with the reason, not as a failure."""


# --- Registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    name: str
    group: str
    func: Callable[[BenchContext], Any]
    atomic: bool = True
    # Run only when asked for by name or group (--filter): too slow for every `make bench`.
    opt_in: bool = False

    @property
    def origin(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


_registry: dict[str, Benchmark] = {}


def benchmark(name: str, *, group: str = "misc", atomic: bool = True, opt_in: bool = False):
    """Register the decorated function ``fn(ctx)`` as a benchmark called ``name``.

    ``atomic=False`` runs it in autocommit, as real requests run (on_commit callbacks fire);
    such a benchmark must itself remove what it creates. ``opt_in=True`` leaves it out of a
    run that names nothing: it runs only when ``--filter`` matches its name or group.
    """

    def decorator(func):
        bench = Benchmark(name=name, group=group, func=func, atomic=atomic, opt_in=opt_in)
        existing = _registry.get(name)
        if existing is not None and existing.origin != bench.origin:
            raise ValueError(
                f"benchmark {name!r} is already registered by {existing.origin}; "
                f"{bench.origin} needs another name"
            )
        _registry[name] = bench
        return func

    return decorator


def unregister(name: str) -> None:
    _registry.pop(name, None)


def registered() -> list[Benchmark]:
    """Every registered benchmark, ordered by group then name, opt-in ones last (they may
    leave data behind that the others should not have to run beside)."""
    return sorted(_registry.values(), key=lambda b: (b.opt_in, b.group, b.name))


def select(substring: str | None = None) -> list[Benchmark]:
    """Benchmarks whose name or group contains ``substring`` (case-insensitive); all but the
    opt-in ones if None."""
    if not substring:
        return [b for b in registered() if not b.opt_in]
    needle = substring.lower()
    return [b for b in registered() if needle in b.name.lower() or needle in b.group.lower()]


# --- Measurements --------------------------------------------------------------------------


def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile: always a value that was really observed."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measurement:
    benchmark: str
    group: str
    label: str | None
    warmup: int
    timings_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    # Set by measure_concurrently: how many clients ran at once, and their calls per second.
    clients: int | None = None
    per_second: float | None = None

    @property
    def name(self) -> str:
        # One word (no spaces), so the table's columns can be split on whitespace.
        return self.benchmark if self.label is None else f"{self.benchmark}:{self.label}"

    @property
    def requests(self) -> int:
        return len(self.timings_ms)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95_ms(self) -> float:
        return percentile(self.timings_ms, 95)

    @property
    def min_ms(self) -> float:
        return min(self.timings_ms)

    @property
    def max_ms(self) -> float:
        return max(self.timings_ms)

    @property
    def queries_display(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"

    def as_dict(self) -> dict[str, Any]:
        concurrent = {}
        if self.per_second is not None:
            concurrent = {"clients": self.clients, "per_second": round(self.per_second, 2)}
        return {
            **concurrent,
            "benchmark": self.benchmark,
            "group": self.group,
            "label": self.label,
            "requests": self.requests,
            "warmup": self.warmup,
            "median_ms": round(self.median_ms, 4),
            "p95_ms": round(self.p95_ms, 4),
            "min_ms": round(self.min_ms, 4),
            "max_ms": round(self.max_ms, 4),
            "queries_per_request": {
                "min": min(self.queries),
                "median": statistics.median(self.queries),
                "max": max(self.queries),
            },
            "timings_ms": [round(t, 4) for t in self.timings_ms],
            "queries": list(self.queries),
        }


class BenchContext:
    """What a benchmark function gets: helpers that time work and count its queries."""

    def __init__(
        self,
        bench: Benchmark,
        *,
        repeat: int = DEFAULT_REPEAT,
        warmup: int = DEFAULT_WARMUP,
        using: str = DEFAULT_DB_ALIAS,
    ):
        if repeat < 1:
            raise ValueError("repeat must be at least 1")
        if warmup < 0:
            raise ValueError("warmup cannot be negative")
        self.benchmark = bench
        self.repeat = repeat
        self.warmup = warmup
        self.using = using
        self.measurements: list[Measurement] = []
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """A line for the report under the table (a ratio, a size, a setting in use)."""
        self.notes.append(text)

    @property
    def connection(self):
        return connections[self.using]

    def client(self, user=None, **defaults) -> Client:
        """A fresh test client, logged in as ``user`` if one is given."""
        client = Client(**defaults)
        if user is not None:
            client.force_login(user)
        return client

    def skip(self, reason: str):
        """Stop here: this benchmark cannot run on this database or machine, for ``reason``."""
        raise BenchmarkSkipped(reason)

    @contextmanager
    def run_on_commit(self) -> Iterator[list]:
        """Run on_commit callbacks (e.g. ``delay_on_commit`` tasks) when the block exits,
        although an atomic benchmark's transaction never commits."""
        with TestCase.captureOnCommitCallbacks(using=self.using, execute=True) as callbacks:
            yield callbacks

    def _check_label(self, label: str | None) -> None:
        if any(m.label == label for m in self.measurements):
            raise BenchmarkError(
                f"{self.benchmark.name} already recorded a measurement labelled {label!r}; "
                "give each measurement its own label"
            )

    def measure(
        self,
        fn: Callable[[], Any],
        *,
        label: str | None = None,
        repeat: int | None = None,
        warmup: int | None = None,
    ) -> Measurement:
        """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times, timing each call
        (time.perf_counter) and counting the database queries it makes."""
        repeat = self.repeat if repeat is None else repeat
        warmup = self.warmup if warmup is None else warmup
        if repeat < 1:
            raise ValueError("repeat must be at least 1")
        self._check_label(label)
        for _ in range(warmup):
            fn()
        measurement = Measurement(
            benchmark=self.benchmark.name,
            group=self.benchmark.group,
            label=label,
            warmup=warmup,
        )
        for _ in range(repeat):
            # CaptureQueriesContext counts by position in the connection's query log, which
            # keeps the last 9,000 queries only: once it is full every call would count 0
            # (or too few), so each call starts with an empty log.
            self.connection.queries_log.clear()
            with CaptureQueriesContext(self.connection) as captured:
                start = time.perf_counter()
                fn()
                elapsed = time.perf_counter() - start
            if len(captured) >= self.connection.queries_limit:
                raise BenchmarkError(
                    f"{self.benchmark.name}: one call made {len(captured)} queries or more, "
                    "beyond what the query log can count"
                )
            measurement.timings_ms.append(elapsed * 1000)
            measurement.queries.append(len(captured.captured_queries))
        self.measurements.append(measurement)
        return measurement

    def measure_alternating(
        self,
        fns: dict[str, Callable[[], Any]],
        *,
        repeat: int | None = None,
        warmup: int | None = None,
    ) -> dict[str, Measurement]:
        """Call each of ``fns`` (label: function) in turn, ``warmup`` rounds untimed, then
        ``repeat`` timed rounds, rotating which goes first each round: variants compared
        this way share the machine's slow and fast spells, so their ratio holds even when
        the absolute times drift. Records one measurement per label (time and queries)."""
        repeat = self.repeat if repeat is None else repeat
        warmup = self.warmup if warmup is None else warmup
        if repeat < 1 or not fns:
            raise ValueError("repeat must be at least 1, with at least one function")
        for label in fns:
            self._check_label(label)
        labels = list(fns)
        for _ in range(warmup):
            for label in labels:
                fns[label]()
        measurements = {
            label: Measurement(
                benchmark=self.benchmark.name,
                group=self.benchmark.group,
                label=label,
                warmup=warmup,
            )
            for label in labels
        }
        for round_ in range(repeat):
            shift = round_ % len(labels)
            for label in labels[shift:] + labels[:shift]:
                self.connection.queries_log.clear()
                with CaptureQueriesContext(self.connection) as captured:
                    start = time.perf_counter()
                    fns[label]()
                    elapsed = time.perf_counter() - start
                measurements[label].timings_ms.append(elapsed * 1000)
                measurements[label].queries.append(len(captured.captured_queries))
        self.measurements.extend(measurements.values())
        return measurements

    def measure_request(
        self,
        client: Client,
        url: str,
        *,
        repeat: int | None = None,
        warmup: int | None = None,
        label: str | None = None,
        method: str = "get",
        status: int = 200,
        check: Callable[[Any], None] | None = None,
        **request_kwargs,
    ) -> Measurement:
        """Serve ``url`` through ``client`` repeatedly; every response (warm-up included) must
        have ``status`` (200 unless told) and pass ``check(response)`` if one is given."""
        send = getattr(client, method.lower())

        def request():
            response = send(url, **request_kwargs)
            if response.status_code != status:
                raise AssertionError(
                    f"{method.upper()} {url} returned {response.status_code}, expected {status}"
                )
            if check is not None:
                check(response)
            return response

        return self.measure(request, label=label, repeat=repeat, warmup=warmup)

    def measure_concurrently(
        self,
        fn: Callable[[int, int], Any],
        *,
        clients: int,
        calls: int,
        label: str | None = None,
        warmup: int = 1,
        timeout: float = 300.0,
    ) -> Measurement:
        """Call ``fn(client, n)`` from ``clients`` threads at once, each on its own database
        connection: ``warmup`` untimed calls, then ``calls`` timed ones, per client (``n``
        counts both, from 0, so each call can use data of its own). The timed calls start
        together, released by a barrier once every client has warmed up.

        Records each call's time and queries (on its thread's connection), and ``per_second``:
        all the timed calls divided by the wall-clock time from the release until the last
        client finished. Other connections see only committed data, so the benchmark must
        be registered with ``atomic=False``; the first exception in any client is raised
        once every client has stopped."""
        if clients < 1 or calls < 1:
            raise ValueError("clients and calls must be at least 1")
        if self.connection.in_atomic_block:
            raise BenchmarkError(
                f"{self.benchmark.name} measures concurrently inside a transaction, so the "
                "other connections cannot see its data: register it with atomic=False"
            )
        self._check_label(label)
        released: list[float] = []
        barrier = threading.Barrier(clients, action=lambda: released.append(time.perf_counter()))
        timings: list[list[float]] = [[] for _ in range(clients)]
        queries: list[list[int]] = [[] for _ in range(clients)]
        finished = [0.0] * clients
        errors: list[BaseException] = []

        def client(index: int) -> None:
            connection = connections[self.using]  # this thread's own
            try:
                for n in range(warmup):
                    fn(index, n)
                barrier.wait(timeout=timeout)
                for n in range(warmup, warmup + calls):
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        fn(index, n)
                        elapsed = time.perf_counter() - start
                    timings[index].append(elapsed * 1000)
                    queries[index].append(len(captured.captured_queries))
                finished[index] = time.perf_counter()
            except BaseException as error:  # noqa: BLE001 - raised below, in the caller
                errors.append(error)
                barrier.abort()  # release the others rather than leave them waiting
            finally:
                connections.close_all()  # this thread's, so the database can be dropped

        threads = [
            threading.Thread(target=client, args=(i,), name=f"bench-client-{i}", daemon=True)
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=timeout)
        if any(thread.is_alive() for thread in threads):
            raise BenchmarkError(f"{self.benchmark.name}: clients still running after {timeout}s")
        if errors:
            first = next(
                (e for e in errors if not isinstance(e, threading.BrokenBarrierError)), errors[0]
            )
            raise first
        measurement = Measurement(
            benchmark=self.benchmark.name,
            group=self.benchmark.group,
            label=label,
            warmup=warmup,
            timings_ms=[t for per_client in timings for t in per_client],
            queries=[q for per_client in queries for q in per_client],
            clients=clients,
            per_second=clients * calls / (max(finished) - released[0]),
        )
        self.measurements.append(measurement)
        return measurement


# --- Running -------------------------------------------------------------------------------


@dataclass
class BenchResult:
    benchmark: Benchmark
    measurements: list[Measurement]
    seconds: float
    error: str | None = None
    traceback: str | None = None
    skipped: str | None = None  # why it could not run here (ctx.skip); not a failure
    notes: list[str] = field(default_factory=list)  # ctx.note(...), printed under the table

    @property
    def ok(self) -> bool:
        return self.error is None


def run_benchmark(
    bench: Benchmark,
    *,
    repeat: int = DEFAULT_REPEAT,
    warmup: int = DEFAULT_WARMUP,
    using: str = DEFAULT_DB_ALIAS,
) -> BenchResult:
    """Run one benchmark against the current database; an exception becomes the result's
    error instead of propagating, so one broken benchmark does not hide the others."""
    ctx = BenchContext(bench, repeat=repeat, warmup=warmup, using=using)
    for cache in caches.all(initialized_only=True):
        cache.clear()  # each benchmark starts cold and cannot see another's cached objects
    start = time.perf_counter()
    try:
        if bench.atomic:
            with transaction.atomic(using=using):
                bench.func(ctx)
                transaction.set_rollback(True, using=using)
        else:
            bench.func(ctx)
        if not ctx.measurements:
            raise BenchmarkError(f"{bench.name} recorded no measurements")
    except BenchmarkSkipped as skipped:
        return BenchResult(
            benchmark=bench,
            measurements=[],
            seconds=time.perf_counter() - start,
            skipped=str(skipped),
        )
    except Exception as error:  # noqa: BLE001 - reported as this benchmark's failure
        return BenchResult(
            benchmark=bench,
            measurements=ctx.measurements,
            seconds=time.perf_counter() - start,
            error=f"{type(error).__name__}: {error}".strip(),
            traceback=traceback.format_exc(),
            notes=ctx.notes,
        )
    return BenchResult(
        benchmark=bench,
        measurements=ctx.measurements,
        seconds=time.perf_counter() - start,
        notes=ctx.notes,
    )


def run_benchmarks(
    benchmarks: Iterable[Benchmark],
    *,
    repeat: int = DEFAULT_REPEAT,
    warmup: int = DEFAULT_WARMUP,
    using: str = DEFAULT_DB_ALIAS,
    on_start: Callable[[Benchmark], None] | None = None,
) -> list[BenchResult]:
    results = []
    for bench in benchmarks:
        if on_start is not None:
            on_start(bench)
        results.append(run_benchmark(bench, repeat=repeat, warmup=warmup, using=using))
    return results


@contextmanager
def throwaway_test_database(using: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """Set up the test environment and a fresh, migrated test database the way Django's test
    runner does; destroy it afterwards. Yields the test database's name.

    On server databases the name is ``test_<NAME>_bench`` unless settings give TEST NAME, so
    a run never clobbers the ``test_<NAME>`` database pytest keeps with --reuse-db.
    """
    connection = connections[using]
    settings_dict = connection.settings_dict
    real_name = settings_dict["NAME"]
    test_settings = settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    if connection.vendor != "sqlite" and not saved_test_name:
        test_settings["NAME"] = f"test_{real_name}_bench"
    try:
        test_name = connection.creation._get_test_db_name()
        if not test_name or str(test_name) == str(real_name):
            raise BenchmarkError(
                f"the test database name for {using!r} is the real database's ({real_name}); "
                "refusing to create (and so clobber) it"
            )
        setup_test_environment()
        try:
            created = connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=False
            )
            try:
                yield created
            finally:
                connection.creation.destroy_test_db(real_name, verbosity=0, keepdb=False)
        finally:
            teardown_test_environment()
    finally:
        test_settings["NAME"] = saved_test_name
