"""The measures of the regional and national comparison, for every trust at once: each an
aggregate query grouped by trust in the database (GROUP BY ``enrolment.trust_id``), never a
query per trust or a loop over rows in Python. They count what the trust dashboard counts
(reports.selectors), the same way — an enrolment for the trust that sent the person, a
clinician's leadership role on the day 12 or 24 months after completing — so a trust's row
here is its dashboard's figure (tests/reports/test_comparison.py checks it).

Each returns ``{trust_id: {measure: count}}`` for the trusts with anything to count; a trust
missing from it has nothing (zeros). The regional and national figures are sums of these
rows (reports.comparison), so a person who took part for two trusts counts in each.

Filters (ComparisonFilter): a programme, and dates selecting the cohorts running on any day
between them, as the dashboard's; board snapshots by their date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from people.models import CLINICAL_GROUPS, BoardSnapshot
from programmes.models import (
    ATTENDED,
    Attendance,
    Enrolment,
    EnrolmentStatus,
    Mark,
    Relationship,
    Session,
    SessionStatus,
)

from .dates import AddMonths
from .selectors import _NOT_WITHDRAWN, FOLLOW_UPS, _leading_on


@dataclass(frozen=True)
class ComparisonFilter:
    """The dashboard's filters less the cohort (a cohort is one trust's, or a few)."""

    programme: object | None = None  # programmes.Programme
    since: datetime.date | None = None
    until: datetime.date | None = None
    cohort = None  # for reports.exports' heading, which names a cohort when there is one


def enrolments(f: ComparisonFilter) -> QuerySet:
    """Every trust's enrolments in the filtered cohorts."""
    queryset = Enrolment.objects.all()
    if f.programme is not None:
        queryset = queryset.filter(cohort__programme=f.programme)
    if f.since is not None:
        queryset = queryset.filter(cohort__ends_on__gte=f.since)
    if f.until is not None:
        queryset = queryset.filter(cohort__starts_on__lte=f.until)
    return queryset


def _by_trust(queryset: QuerySet, trust_field: str, **aggregates) -> dict[int, dict]:
    rows = queryset.order_by().values(trust_field).annotate(**aggregates)
    return {row.pop(trust_field): row for row in rows}


def enrolment_counts(f: ComparisonFilter) -> dict[int, dict]:
    """One query: participants (distinct people, not withdrawn), enrolments, and of them
    completed and did not complete, per trust; and the baseline relationship answers
    (``relationship_<answer>``, not withdrawn), as the dashboard counts them."""
    answers = {
        f"relationship_{answer}": Count(
            "pk", filter=_NOT_WITHDRAWN & Q(baseline_relationship=answer)
        )
        for answer in Relationship.values
    }
    return _by_trust(
        enrolments(f),
        "trust_id",
        participants=Count("person", distinct=True, filter=_NOT_WITHDRAWN),
        enrolments=Count("pk"),
        completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)),
        not_completed=Count("pk", filter=Q(status=EnrolmentStatus.NOT_COMPLETED)),
        **answers,
    )


def attendance_counts(f: ComparisonFilter, *, now: datetime.datetime | None = None) -> dict:
    """One query: marks recorded at sessions held so far and how many count as attended
    (reports.selectors.attendance_counts' rule), per trust of the enrolment."""
    now = now or timezone.now()
    # The programme's rule as a set of sessions, tested only for excused marks: joining
    # each of two million marks to its cohort and programme for it cost a third of the
    # query (README, Benchmarks).
    excused_count = Session.objects.filter(
        cohort__programme__excused_counts_as_attended=True
    ).values("pk")
    attended = Q(mark__in=ATTENDED) | Q(mark=Mark.EXCUSED, session_id__in=excused_count)
    marks = Attendance.objects.filter(
        session__status=SessionStatus.SCHEDULED, session__ends_at__lte=now
    )
    if f.programme is not None:
        marks = marks.filter(session__cohort__programme=f.programme)
    if f.since is not None:
        marks = marks.filter(session__cohort__ends_on__gte=f.since)
    if f.until is not None:
        marks = marks.filter(session__cohort__starts_on__lte=f.until)
    return _by_trust(
        marks, "enrolment__trust_id", marks=Count("pk"), attended=Count("pk", filter=attended)
    )


def leadership_counts(f: ComparisonFilter, *, today: datetime.date | None = None) -> dict:
    """One query: per trust, clinicians who completed (counted once each), and for 12 and 24
    months those whose day has come (``followed_<m>``) and, of them, those in a leadership
    role on that day (``led_<m>``) — reports.selectors.leadership_counts' rules."""
    today = today or timezone.localdate()
    queryset = (
        enrolments(f)
        .filter(status=EnrolmentStatus.COMPLETED, professional_group__in=CLINICAL_GROUPS)
        .annotate(completed_on=TruncDate("status_changed_at"))
        .annotate(**{f"at_{m}": AddMonths("completed_on", m) for m in FOLLOW_UPS})
        .annotate(**{f"led_at_{m}": _leading_on(f"at_{m}") for m in FOLLOW_UPS})
    )
    person = "person_id"
    aggregates = {"clinicians": Count(person, distinct=True)}
    for m in FOLLOW_UPS:
        reached = Q(**{f"at_{m}__lte": today})
        aggregates[f"followed_{m}"] = Count(person, distinct=True, filter=reached)
        aggregates[f"led_{m}"] = Count(
            person, distinct=True, filter=reached & Q(**{f"led_at_{m}": True})
        )
    return _by_trust(queryset, "trust_id", **aggregates)


def latest_boards(f: ComparisonFilter) -> dict[int, dict]:
    """One query: each trust's latest board snapshot in the dates (members, clinicians, the
    day), for the trusts that have one."""
    snapshots = BoardSnapshot.objects.all()
    if f.since is not None:
        snapshots = snapshots.filter(recorded_on__gte=f.since)
    if f.until is not None:
        snapshots = snapshots.filter(recorded_on__lte=f.until)
    latest = snapshots.filter(trust_id=OuterRef("trust_id")).order_by("-recorded_on")
    rows = (
        snapshots.filter(recorded_on=Subquery(latest.values("recorded_on")[:1]))
        .order_by()
        .values("trust_id", "recorded_on", "members", "clinician_members")
    )
    return {row.pop("trust_id"): row for row in rows}
