"""Calendar months, in Python and in the database, the same way: a date plus 12 months is
the same day a year on, or the last day of that month when it has no such day (29 February
2024 + 12 months = 28 February 2025), as PostgreSQL's ``date + interval '12 months'`` does.
SQLite's ``date(d, '+12 months')`` would roll over to 1 March instead, so its SQL clamps."""

from __future__ import annotations

import calendar
import datetime

from django.db.models import DateField, Func


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class AddMonths(Func):
    """``expression`` (a date) plus a whole number of months, clamped to the month's end."""

    output_field = DateField()
    arity = 1

    def __init__(self, expression, months: int, **extra):
        if not isinstance(months, int):
            raise TypeError("months must be an int")
        self.months = months
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + make_interval(months => %s))::date", [*params, self.months]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        shift = f"+{self.months} months"
        rolled = f"date({sql}, %s)"
        # A day the target month lacks rolls into the next month; step back to its end.
        return (
            f"(CASE WHEN strftime('%%d', {rolled}) = strftime('%%d', {sql}) THEN {rolled} "
            f"ELSE date({rolled}, 'start of month', '-1 day') END)",
            [*params, shift, *params, *params, shift, *params, shift],
        )
