"""When a round's period starts, for each frequency, in Europe/London dates (TIME_ZONE).

- weekly: the Monday of the week;
- fortnightly: every other Monday, counted from Monday 5 January 1970 (an even ISO week),
  so every fortnight is exactly 14 days. ISO week numbers would make a one-week period after
  each 53-week year (week 53 and week 1 are both odd);
- monthly: the 1st of the month;
- quarterly: 1 January, 1 April, 1 July, 1 October.

A round belongs to its period's first day: CoffeeRound(trust, period_start) is unique, which
is what makes a round run exactly once per period.
"""

import datetime

FORTNIGHT_EPOCH = datetime.date(1970, 1, 5)  # a Monday, ISO week 2


def period_start(frequency: str, day: datetime.date) -> datetime.date:
    if frequency == "weekly":
        return day - datetime.timedelta(days=day.weekday())
    if frequency == "fortnightly":
        monday = day - datetime.timedelta(days=day.weekday())
        fortnights = (monday - FORTNIGHT_EPOCH).days // 14
        return FORTNIGHT_EPOCH + datetime.timedelta(days=14 * fortnights)
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "quarterly":
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(f"Unknown frequency {frequency!r}")


def next_period_start(frequency: str, start: datetime.date) -> datetime.date:
    """The first day of the period after the one starting on ``start``."""
    if frequency == "weekly":
        return start + datetime.timedelta(days=7)
    if frequency == "fortnightly":
        return start + datetime.timedelta(days=14)
    months = 1 if frequency == "monthly" else 3
    month = start.month - 1 + months
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def period_word(frequency: str) -> str:
    """How an email says "this round": "this month", "this week"..."""
    return {
        "weekly": "this week",
        "fortnightly": "this fortnight",
        "monthly": "this month",
        "quarterly": "this quarter",
    }[frequency]
