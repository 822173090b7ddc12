""" "Does it work?" — the statistics of the effect estimate, on plain arrays (no database).

reports.effect_selectors builds the two groups in the database and hands each person over as
a ``Followed``: the date their follow-up started, the start date of their first leadership
appointment after it (or None) and the date follow-up ends (today). This module turns those
into

- the **rate of moving into a leadership role within 12 and 24 months**, counting only the
  people followed for the whole window, with a 95% **Wilson** interval
  (``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``);
- the **Kaplan-Meier** estimate of time to a first leadership appointment, which keeps the
  people still being followed (censored: no appointment yet) in the denominator for as
  long as we have watched them (``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``);

and applies disclosure control to both. It is an observational comparison, not proof of
cause: the page (templates/reports/effect.html) says so.

Disclosure control (issue 14, part 7), through the reports' one function
(reports.disclosure), so every count here is a disclosed ``Figure``:
- a group smaller than ``REPORTS_SUPPRESSION_THRESHOLD`` (default 5) shows nothing, and says
  why (``too_few``);
- any count from 1 to threshold - 1 is shown as "<5";
- a window's appointed and not appointed are disclosed as one set with its total (the people
  followed that long): when either is small, the other is hidden too (shown as "*", since
  the total would give it away), and the rate and interval are not shown;
- the curve is drawn on a monthly grid and stops where fewer than threshold people remain
  at risk (the tail is where individuals become identifiable, and the estimate unstable);
  months by which only 1 to threshold - 1 appointments have happened are left out of it
  (it runs level across them and steps down where the count is large enough to show).
  Later steps can still be of fewer than threshold people each: the curve of a group of
  at least threshold people is shown at that resolution, as a chart of rates would be.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .dates import add_months
from .disclosure import Figure, disclose, disclose_one, too_few

WINDOWS = (12, 24)  # months, for the rates
TABLE_MONTHS = (6, 12, 18, 24)  # where the Kaplan-Meier table reads the curve
DAYS_PER_MONTH = 365.25 / 12  # for the curve's axis only; windows use calendar months
CONFIDENCE = 0.95


def percent(value: float | None) -> str:
    """A proportion as the page prints it: "32.5%"; "—" when there is none to show."""
    return "—" if value is None else f"{100 * value:.1f}%"


@dataclass(frozen=True)
class Followed:
    """One person's follow-up: from `start` to `end`; `first_leadership` is the start of
    their first leadership appointment after `start`, if any (and if it is after `end`,
    it has not happened yet as far as this follow-up goes)."""

    start: datetime.date
    end: datetime.date
    first_leadership: datetime.date | None = None

    @property
    def event_on(self) -> datetime.date | None:
        if self.first_leadership is not None and self.first_leadership <= self.end:
            return self.first_leadership
        return None

    @property
    def days(self) -> int:
        """Days to the event, or to the end of follow-up (censored)."""
        return ((self.event_on or self.end) - self.start).days

    @property
    def observed(self) -> bool:
        return self.event_on is not None


# --- rates within a window ----------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    months: int
    n: int  # followed for the whole window
    k: int  # moved into a leadership role within it
    low: float | None
    high: float | None

    @property
    def proportion(self) -> float | None:
        return self.k / self.n if self.n else None


def window_counts(people: Sequence[Followed], months: int) -> tuple[int, int]:
    """(k, n): of the people followed for at least `months` calendar months, how many had a
    first leadership appointment on or before the window's last day. Someone whose
    appointment came within the window counts even if follow-up then stopped; someone
    without one counts only once the whole window has passed."""
    k = n = 0
    for person in people:
        window_end = add_months(person.start, months)
        event = person.event_on
        if event is not None and event <= window_end:
            k, n = k + 1, n + 1
        elif person.end >= window_end:
            n += 1
    return k, n


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    if n == 0:
        return None
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


def window_rate(people: Sequence[Followed], months: int) -> Rate:
    k, n = window_counts(people, months)
    interval = wilson(k, n)
    return Rate(months, n, k, *(interval or (None, None)))


# --- Kaplan-Meier -------------------------------------------------------------------------


@dataclass(frozen=True)
class Survival:
    """The Kaplan-Meier estimate: at each distinct time (days) where it changes, the
    proportion not yet appointed to a leadership role."""

    days: np.ndarray
    survival: np.ndarray
    durations: np.ndarray  # every person's days to event or censoring
    observed: np.ndarray  # whether that was an event

    def at(self, day: float) -> float:
        """S(day): the last value at or before `day` (1 before the first event)."""
        index = np.searchsorted(self.days, day, side="right") - 1
        return 1.0 if index < 0 else float(self.survival[index])

    def at_risk(self, day: float) -> int:
        """People still followed and not yet appointed just before `day`."""
        return int(np.count_nonzero(self.durations >= day))

    def events_by(self, day: float) -> int:
        return int(np.count_nonzero(self.observed & (self.durations <= day)))


def kaplan_meier(people: Sequence[Followed]) -> Survival:
    durations = np.array([p.days for p in people], dtype=float)
    observed = np.array([p.observed for p in people], dtype=bool)
    if not len(durations):
        return Survival(np.array([]), np.array([]), durations, observed)
    data = stats.CensoredData(uncensored=durations[observed], right=durations[~observed])
    sf = stats.ecdf(data).sf
    return Survival(
        np.asarray(sf.quantiles, dtype=float),
        np.asarray(sf.probabilities, dtype=float),
        durations,
        observed,
    )


# --- one group as the page shows it -----------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    months: int
    at_risk: Figure
    events: Figure
    survival: float | None  # None: not shown (suppressed, or nobody left to estimate it)

    @property
    def survival_display(self) -> str:
        return percent(self.survival)

    @property
    def appointed_display(self) -> str:
        """1 - S(t): the estimated share appointed to a leadership role by then."""
        return percent(None if self.survival is None else 1 - self.survival)


@dataclass(frozen=True)
class GroupEstimate:
    label: str
    size: Figure
    shown: bool  # False: the group is below the threshold and nothing else is shown
    rates: list[dict]
    table: list[TableRow]
    curve: list[tuple[float, float]]  # (months, survival) on a monthly grid


def _rate_row(rate: Rate) -> dict:
    counts = disclose({"k": rate.k, "not": rate.n - rate.k})
    shown = not counts.any_hidden and rate.n > 0
    return {
        "months": rate.months,
        "n": counts.total,
        "k": counts["k"],
        "proportion": rate.proportion if shown else None,
        "low": rate.low if shown else None,
        "high": rate.high if shown else None,
        "rate_display": percent(rate.proportion) if shown else "Not shown",
        "interval_display": f"{percent(rate.low)} to {percent(rate.high)}" if shown else "—",
    }


def estimate(label: str, people: Sequence[Followed]) -> GroupEstimate:
    size = len(people)
    if too_few(size):
        return GroupEstimate(label, disclose_one(size), False, [], [], [])
    rates = [_rate_row(window_rate(people, months)) for months in WINDOWS]
    km = kaplan_meier(people)
    table = []
    for months in TABLE_MONTHS:
        day = months * DAYS_PER_MONTH
        at_risk, events = km.at_risk(day), km.events_by(day)
        at_risk_shown, events_shown = disclose_one(at_risk), disclose_one(events)
        hidden = too_few(at_risk) or events_shown.hidden
        table.append(TableRow(months, at_risk_shown, events_shown, None if hidden else km.at(day)))
    curve = []
    month = 0
    while not too_few(km.at_risk(month * DAYS_PER_MONTH)):
        # A month where only 1 to threshold - 1 appointments have happened so far is left
        # out (the step path runs level across it), so the curve cannot show one person's
        # timing that the table hides.
        if not disclose_one(km.events_by(month * DAYS_PER_MONTH)).hidden:
            curve.append((float(month), km.at(month * DAYS_PER_MONTH)))
        month += 1
    return GroupEstimate(label, disclose_one(size), True, rates, table, curve)
