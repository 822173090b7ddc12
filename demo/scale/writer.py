"""Writing rows in bulk, past the services: PostgreSQL's COPY (psycopg 3's ``cursor.copy``),
or batched INSERTs elsewhere (SQLite, which the tests use at a tiny scale).

Rows are plain tuples in the order of the columns named, with explicit ids taken above the
table's current maximum, so the generator can point later rows at earlier ones without reading
anything back. Afterwards the id sequences are moved past the new rows (Django's own
sequence-reset SQL) so the services' next insert does not collide with them.

Nothing is switched off: constraints, foreign keys (checked at commit, as Django declares
them deferrable) and indexes all hold while the rows go in.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

BATCH = 5_000  # rows per INSERT where COPY is not available


def next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


@dataclass
class Progress:
    """What was written, per table, and how long it took: printed by the command."""

    report: callable = print
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def done(self, label: str, rows: int, seconds: float) -> None:
        self.counts[label] = self.counts.get(label, 0) + rows
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds
        rate = rows / seconds if seconds else 0
        self.report(f"  {label:<28} {rows:>10,} rows {seconds:>7.1f}s ({rate:,.0f}/s)")


class Writer:
    def __init__(self, progress: Progress):
        self.progress = progress
        self.postgres = connection.vendor == "postgresql"
        self.written: list[type[models.Model]] = []

    def write(
        self, model: type[models.Model], columns: list[str], rows: Iterable[tuple], *, label=""
    ) -> int:
        """Insert ``rows`` (tuples, one value per name in ``columns``, the first being "id")
        into ``model``'s table in one transaction; returns how many went in. Columns not named
        take the field's default, which must be a constant (callables are evaluated once).

        ``rows`` may be a generator, so that millions of rows are never all in memory; it
        must not query the database itself, which on PostgreSQL is busy receiving the COPY
        (a query there waits for the COPY, which waits for the generator: a deadlock)."""
        fields = [model._meta.get_field(name) for name in columns]
        rest = [
            f
            for f in model._meta.concrete_fields
            if f.name not in columns and f.attname not in columns
        ]
        for f in rest:
            if f.get_default() is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.name} needs a value: name it in columns")
        constant = tuple(f.get_default() for f in rest)
        all_fields = fields + rest
        started = time.perf_counter()
        with transaction.atomic():
            count = (self._copy if self.postgres else self._insert)(
                model, all_fields, (row + constant for row in rows)
            )
        self.progress.done(label or model._meta.db_table, count, time.perf_counter() - started)
        if model not in self.written:
            self.written.append(model)
        return count

    def _copy(self, model, fields, rows: Iterator[tuple]) -> int:
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        count = 0
        # The psycopg 3 cursor under Django's wrapper: copy() streams rows in COPY's text
        # format, adapting dates, aware datetimes, decimals and None itself.
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def _insert(self, model, fields, rows: Iterator[tuple]) -> int:
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        count, batch = 0, []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(
                    [
                        f.get_db_prep_save(value, connection)
                        for f, value in zip(fields, row, strict=True)
                    ]
                )
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count, batch = count + len(batch), []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def finish(self) -> None:
        """Move the id sequences past the new rows, and refresh the planner's statistics."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.written)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            started = time.perf_counter()
            if self.postgres:
                tables = ", ".join(
                    connection.ops.quote_name(m._meta.db_table) for m in self.written
                )
                # VACUUM too where it may run (not inside a transaction, as in a test): it
                # marks the new pages all-visible, so index-only scans need no heap visits
                # from the start, as they would once autovacuum had been by.
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
                cursor.execute(f"{verb} {tables}")
            else:
                verb = "ANALYZE"
                cursor.execute(verb)
        self.progress.report(f"  {verb:<28} {time.perf_counter() - started:>18.1f}s")
