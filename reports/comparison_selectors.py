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
between them, as the dashboard's; board snapshots, scheme pairs and coffee rounds by their
dates. A programme leaves scheme pairs and coffee out: they belong to none.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from coffee.selectors import meetups_by_trust
from pairing.models import Pairing, ShadowingVisit
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


# --- pairs, shadowing, projects (one query) and Tandem coffee (two) --------------------------

PAIR_STATUSES = ("proposed", "active", "ended")


def _member_trust(member: str):
    """The trust a pair's member (``clinician_id`` or ``manager_id``) was in the pair's cohort
    for: their live enrolment there (at most one: the partial unique index on person and
    cohort finds it), else the one they withdrew from."""

    def trust_of(enrolments: QuerySet) -> Subquery:
        return Subquery(
            enrolments.filter(cohort_id=OuterRef("cohort_id"), person_id=OuterRef(member))
            .order_by()
            .values("trust_id")[:1],
            output_field=IntegerField(),
        )

    live = Enrolment.objects.exclude(status=EnrolmentStatus.WITHDRAWN)
    return Coalesce(
        trust_of(live), trust_of(Enrolment.objects.filter(status=EnrolmentStatus.WITHDRAWN))
    )


def pair_counts(f: ComparisonFilter) -> dict[int, dict]:
    """One query: per trust, pairs by status (``pairs_<status>``), confirmed shadowing hours
    (``hours``, a Decimal) and improvement projects (``projects``, of them ``presented``) —
    reports.selectors.pairing_counts' rules: a pair in a cohort counts for each trust either
    member was there for (once, if both were there for the same one), a pair in a scheme for
    the scheme's trust.

    Grouped by the pair of trusts (the clinician's, the manager's) — at most a few thousand
    rows however many pairs (7,604 for seed_scale's 36,070, which pairs across trusts freely)
    — then added up per trust here. One difference from the dashboard,
    for a case we have never seen: someone who withdrew from a cohort and enrolled in it
    again from another trust counts for the trust of their live place only."""
    cohort_pairs = Q(cohort__isnull=False)
    if f.programme is not None:
        cohort_pairs &= Q(cohort__programme=f.programme)
    if f.since is not None:
        cohort_pairs &= Q(cohort__ends_on__gte=f.since)
    if f.until is not None:
        cohort_pairs &= Q(cohort__starts_on__lte=f.until)
    condition = cohort_pairs
    if f.programme is None:
        scheme_pairs = Q(scheme__isnull=False)
        if f.until is not None:
            scheme_pairs &= Q(started_on__isnull=True) | Q(started_on__lte=f.until)
        if f.since is not None:
            scheme_pairs &= Q(ended_on__isnull=True) | Q(ended_on__gte=f.since)
        condition |= scheme_pairs
    hours = Subquery(
        ShadowingVisit.objects.confirmed()
        .filter(pairing_id=OuterRef("pk"))
        .order_by()
        .values("pairing_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    rows = (
        Pairing.objects.filter(condition)
        .annotate(
            clinician_trust=Coalesce("scheme__trust_id", _member_trust("clinician_id")),
            manager_trust=Coalesce("scheme__trust_id", _member_trust("manager_id")),
            confirmed=hours,
        )
        .order_by()
        .values("clinician_trust", "manager_trust")
        .annotate(
            **{f"pairs_{status}": Count("pk", filter=Q(status=status)) for status in PAIR_STATUSES},
            hours=Sum("confirmed"),
            projects=Count("project"),
            presented=Count("project", filter=Q(project__status="presented")),
        )
    )
    per_trust: dict[int, dict] = {}
    for row in rows:
        trusts = {row.pop("clinician_trust"), row.pop("manager_trust")} - {None}
        for trust_id in trusts:
            counts = per_trust.setdefault(trust_id, {})
            for key, value in row.items():
                counts[key] = counts.get(key, 0) + (value or 0)
    return per_trust


def coffee_counts(f: ComparisonFilter) -> dict[int, dict] | None:
    """Two queries: per trust, Tandem coffee rounds in the dates, matches made and matches
    who met (``coffee_rounds``, ``coffee_matches``, ``coffee_met``); None when a programme is
    chosen (coffee belongs to none)."""
    if f.programme is not None:
        return None
    until = f.until + datetime.timedelta(days=1) if f.until else None
    return {
        trust_id: {
            "coffee_rounds": meetups.rounds,
            "coffee_matches": meetups.matches,
            "coffee_met": meetups.met,
        }
        for trust_id, meetups in meetups_by_trust(since=f.since, until=until).items()
    }
