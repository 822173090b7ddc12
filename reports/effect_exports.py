""" "Does it work?" as CSV and XLSX: each of the page's two tables (the rates within 12 and 24
months, the Kaplan-Meier table) as the page shows it — the same disclosed figures of
reports.effect, so "<5" and "*" are text, counts are numbers in XLSX and nothing the page
hides is in the file — under lines naming the trust, saying it is an observational
comparison, not proof of cause, and what "<5" and "*" mean. Written by reports.exports
(formula-safe cells), as the dashboard's tables are.

The people left out of both groups (already in a leadership role) are shown on the page
beside the groups, so each file ends with those two counts too: they qualify both tables."""

from __future__ import annotations

import datetime

from .disclosure import threshold
from .effect import GroupEstimate
from .exports import suppression_text, trust_text

TABLES = ("rates", "survival")

CAUTION = (
    "This is an observational comparison, not proof of cause: the two groups were not chosen "
    "at random, and people who choose to enrol may already be aiming for a leadership role or "
    "have more support. Treat a difference as a reason to look closer, not as the programme's "
    "effect."
)

_TITLES = {
    "rates": "Does it work? Rates of moving into a leadership role within 12 and 24 months",
    "survival": "Does it work? Kaplan-Meier estimate at 6, 12, 18 and 24 months",
}
_COLUMNS = {
    "rates": [
        "Group", "Within", "People followed that long", "Moved into leadership", "Rate",
        "95% confidence interval",
    ],
    "survival": [
        "Group", "Months", "Still followed, not yet appointed", "Appointed by then",
        "Not yet in a leadership role", "Estimated share appointed",
    ],
}  # fmt: skip


def _notes(table: str) -> list[str]:
    small = threshold()
    if table == "rates":
        return [
            "Only people followed for the whole period are counted. The range is a 95% "
            "confidence interval (Wilson).",
            f'"Not shown" means fewer than {small} people are counted, or one of the counts '
            f"would give away fewer than {small} people.",
        ]
    return [
        "The share of each group not yet appointed to a leadership role, by months since "
        "follow-up started (people with no appointment yet count for as long as they have "
        "been followed).",
        f'"—" means the figure is not shown: fewer than {small} people were still being '
        f"followed, or the count of appointments would give away fewer than {small} people.",
    ]


def too_few_text() -> str:
    """The page's words for a group too small to show anything of (templates/reports/
    effect.html)."""
    return f"Not shown: fewer than {threshold()} people in the group."


def _group_rows(table: str, group: GroupEstimate) -> list[list]:
    if not group.shown:
        return [[group.label, too_few_text()]]
    if table == "rates":
        return [
            [group.label, f"{rate['months']} months", rate["n"], rate["k"],
             rate["rate_display"], rate["interval_display"]]
            for rate in group.rates
        ]  # fmt: skip
    return [
        [group.label, row.months, row.at_risk, row.events, row.survival_display,
         row.appointed_display]
        for row in group.table
    ]  # fmt: skip


def sheet_rows(
    table: str,
    *,
    trust,
    groups: list[GroupEstimate],
    excluded: dict,
    today: datetime.date,
) -> list[list]:
    """The rows of one table's file: the heading lines, the column headings, each group's
    rows as the page has them, then the people left out of both groups."""
    small = threshold()
    rows = [
        [_TITLES[table]],
        [trust_text(trust)],
        [f"Figures up to {today:%-d %B %Y}."],
        [CAUTION],
        [f"{suppression_text()} A group of fewer than {small} people is not shown at all."],
        *([note] for note in _notes(table)),
        [],
        _COLUMNS[table],
    ]
    for group in groups:
        rows += _group_rows(table, group)
    rows += [
        [],
        ["Left out of both groups: already in a leadership role when follow-up started"],
        ["Completed a programme", excluded["completers"]],
        ["Comparison group", excluded["comparison"]],
    ]
    return rows
