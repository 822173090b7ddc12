"""How `manage.py bench` reports what bench.runner measured: the header that says where it
ran, the table of times and queries, the throughput of concurrent measurements, and JSON."""

from __future__ import annotations

import platform
from collections.abc import Iterable
from typing import Any

import django
from django.db import DEFAULT_DB_ALIAS, connections

from .runner import BenchResult, Measurement


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


THROUGHPUT_COLUMNS = ("benchmark", "clients", "calls", "per second", "x 1 client")


def format_throughput(measurements: Iterable[Measurement]) -> str | None:
    """The concurrent measurements' calls per second, each as a ratio of the same benchmark's
    1-client figure when it has one; None if there are no concurrent measurements."""
    concurrent = [m for m in measurements if m.per_second is not None]
    if not concurrent:
        return None
    one_client = {m.benchmark: m.per_second for m in concurrent if m.clients == 1}
    rows = [
        (
            m.name,
            str(m.clients),
            str(m.requests),
            f"{m.per_second:,.0f}",
            f"{m.per_second / one_client[m.benchmark]:.2f}" if m.benchmark in one_client else "-",
        )
        for m in concurrent
    ]
    widths = [
        max(len(row[i]) for row in [THROUGHPUT_COLUMNS, *rows])
        for i in range(len(THROUGHPUT_COLUMNS))
    ]

    def line(cells):
        return "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(THROUGHPUT_COLUMNS), rule, *(line(row) for row in rows)])


def results_as_dict(
    results: Iterable[BenchResult], env: dict[str, str], *, repeat: int, warmup: int
) -> dict[str, Any]:
    results = list(results)
    return {
        "environment": env,
        "repeat": repeat,
        "warmup": warmup,
        "results": [m.as_dict() for r in results for m in r.measurements if r.ok],
        "notes": [
            {"benchmark": r.benchmark.name, "group": r.benchmark.group, "note": note}
            for r in results
            for note in r.notes
        ],
        "skipped": [
            {"benchmark": r.benchmark.name, "group": r.benchmark.group, "reason": r.skipped}
            for r in results
            if r.skipped
        ],
        "errors": [
            {"benchmark": r.benchmark.name, "group": r.benchmark.group, "error": r.error}
            for r in results
            if not r.ok
        ],
    }
