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

Nothing here creates or chooses a database: :func:`run_benchmarks` uses the current one (the
tests call it inside pytest's test database) and :func:`throwaway_test_database` is what the
command wraps it in, so the developer's real database is never touched.
"""

from __future__ import annotations

import math
import platform
import statistics
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import django
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


# --- Registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    name: str
    group: str
    func: Callable[[BenchContext], Any]
    atomic: bool = True

    @property
    def origin(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


_registry: dict[str, Benchmark] = {}


def benchmark(name: str, *, group: str = "misc", atomic: bool = True):
    """Register the decorated function ``fn(ctx)`` as a benchmark called ``name``.

    ``atomic=False`` runs it in autocommit, as real requests run (on_commit callbacks fire);
    such a benchmark must itself remove what it creates.
    """

    def decorator(func):
        bench = Benchmark(name=name, group=group, func=func, atomic=atomic)
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
    """Every registered benchmark, ordered by group then name."""
    return sorted(_registry.values(), key=lambda b: (b.group, b.name))


def select(substring: str | None = None) -> list[Benchmark]:
    """Benchmarks whose name or group contains ``substring`` (case-insensitive); all if None."""
    if not substring:
        return registered()
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

    @property
    def name(self) -> str:
        return self.benchmark if self.label is None else f"{self.benchmark} {self.label}"

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
        return {
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

    @property
    def connection(self):
        return connections[self.using]

    def client(self, user=None, **defaults) -> Client:
        """A fresh test client, logged in as ``user`` if one is given."""
        client = Client(**defaults)
        if user is not None:
            client.force_login(user)
        return client

    @contextmanager
    def run_on_commit(self) -> Iterator[list]:
        """Run on_commit callbacks (e.g. ``delay_on_commit`` tasks) when the block exits,
        although an atomic benchmark's transaction never commits."""
        with TestCase.captureOnCommitCallbacks(using=self.using, execute=True) as callbacks:
            yield callbacks

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
        if any(m.label == label for m in self.measurements):
            raise BenchmarkError(
                f"{self.benchmark.name} already recorded a measurement labelled {label!r}; "
                "give each measurement its own label"
            )
        for _ in range(warmup):
            fn()
        measurement = Measurement(
            benchmark=self.benchmark.name,
            group=self.benchmark.group,
            label=label,
            warmup=warmup,
        )
        for _ in range(repeat):
            with CaptureQueriesContext(self.connection) as captured:
                start = time.perf_counter()
                fn()
                elapsed = time.perf_counter() - start
            measurement.timings_ms.append(elapsed * 1000)
            measurement.queries.append(len(captured.captured_queries))
        self.measurements.append(measurement)
        return measurement

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


# --- Running -------------------------------------------------------------------------------


@dataclass
class BenchResult:
    benchmark: Benchmark
    measurements: list[Measurement]
    seconds: float
    error: str | None = None
    traceback: str | None = None

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
    except Exception as error:  # noqa: BLE001 - reported as this benchmark's failure
        return BenchResult(
            benchmark=bench,
            measurements=ctx.measurements,
            seconds=time.perf_counter() - start,
            error=f"{type(error).__name__}: {error}".strip(),
            traceback=traceback.format_exc(),
        )
    return BenchResult(
        benchmark=bench, measurements=ctx.measurements, seconds=time.perf_counter() - start
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


# --- Reporting -----------------------------------------------------------------------------


def environment(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The facts needed to compare two runs; call while the database is still there."""
    connection = connections[using]
    return {
        "database": connection.display_name,
        "database_vendor": connection.vendor,
        "database_version": ".".join(str(p) for p in connection.get_database_version()),
        "database_name": str(connection.settings_dict["NAME"]),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def header_line(env: dict[str, str], *, repeat: int, warmup: int) -> str:
    return (
        f"Database: {env['database']} {env['database_version']} ({env['database_name']})"
        f" | Python {env['python']} | Django {env['django']}"
        f" | repeat {repeat}, warmup {warmup}"
    )


TABLE_COLUMNS = (
    "benchmark",
    "group",
    "requests",
    "median ms",
    "p95 ms",
    "min ms",
    "queries/request",
)


def format_table(measurements: Iterable[Measurement]) -> str:
    rows = [
        (
            m.name,
            m.group,
            str(m.requests),
            f"{m.median_ms:.2f}",
            f"{m.p95_ms:.2f}",
            f"{m.min_ms:.2f}",
            m.queries_display,
        )
        for m in measurements
    ]
    widths = [max(len(row[i]) for row in [TABLE_COLUMNS, *rows]) for i in range(len(TABLE_COLUMNS))]

    def line(cells):
        # Text columns left-aligned, numbers right-aligned.
        return "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(TABLE_COLUMNS), rule, *(line(row) for row in rows)])


def results_as_dict(
    results: Iterable[BenchResult], env: dict[str, str], *, repeat: int, warmup: int
) -> dict[str, Any]:
    results = list(results)
    return {
        "environment": env,
        "repeat": repeat,
        "warmup": warmup,
        "results": [m.as_dict() for r in results for m in r.measurements if r.ok],
        "errors": [
            {"benchmark": r.benchmark.name, "group": r.benchmark.group, "error": r.error}
            for r in results
            if not r.ok
        ],
    }
