"""The trust dashboard's measures: each one aggregate query (or a few), counted in the
database, whatever the number of rows — never a loop over people in Python. Each returns raw
counts; the dashboard (reports.dashboard) discloses them through reports.disclosure.

**Whose figures.** An enrolment counts for the trust that sent the person (Enrolment.trust:
the person's trust when they enrolled, wherever the cohort was hosted). A pair in a cohort
counts for a trust when either member was there for it; a pair in a trust-wide scheme, for
the scheme's trust. Coffee meet-ups and board composition are the trust's own.

**Filters** (ReportFilter): a programme and a cohort narrow every cohort-based figure; the
dates select the cohorts running on any day between them (a cohort from March to September
is in "1 June to 30 June"), the scheme pairs active then, the coffee rounds and board
snapshots dated then. Programme and cohort filters leave scheme pairs and coffee out: they
belong to no programme.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from coffee.selectors import meetups_by_trust
from pairing.models import Pairing, PairingScheme
from pairing.selectors import pairing_summary
from people.models import CLINICAL_GROUPS, LEADERSHIP_CATEGORIES, BoardSnapshot, RoleAppointment
from people.models import ProfessionalGroup as Group
from programmes.models import (
    ATTENDED,
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Mark,
    Outlook,
    Relationship,
    SessionStatus,
)

from .dates import AddMonths
from .permissions import trust_cohorts


@dataclass(frozen=True)
class ReportFilter:
    trust: object  # people.Trust
    programme: object | None = None  # programmes.Programme
    cohort: object | None = None  # programmes.Cohort, one of trust_cohorts(trust)
    since: datetime.date | None = None
    until: datetime.date | None = None

    @property
    def by_programme(self) -> bool:
        return self.programme is not None or self.cohort is not None


def cohorts(f: ReportFilter) -> QuerySet:
    queryset = trust_cohorts(f.trust)
    if f.programme is not None:
        queryset = queryset.filter(programme=f.programme)
    if f.cohort is not None:
        queryset = queryset.filter(pk=f.cohort.pk)
    if f.since is not None:
        queryset = queryset.filter(ends_on__gte=f.since)
    if f.until is not None:
        queryset = queryset.filter(starts_on__lte=f.until)
    return queryset


def _in_filtered_cohort(f: ReportFilter) -> Q:
    """The filters, on a row's own cohort (``cohort``): what ``cohort__in=cohorts(f)`` keeps
    of rows already known to be the trust's (see enrolments)."""
    condition = Q()
    if f.programme is not None:
        condition &= Q(cohort__programme=f.programme)
    if f.cohort is not None:
        condition &= Q(cohort=f.cohort)
    if f.since is not None:
        condition &= Q(cohort__ends_on__gte=f.since)
    if f.until is not None:
        condition &= Q(cohort__starts_on__lte=f.until)
    return condition


def enrolments(f: ReportFilter) -> QuerySet:
    """The trust's enrolments in the filtered cohorts (the base of every enrolment figure).

    An enrolment counted for the trust is always in one of the trust's cohorts (those its
    people took part in), so the filters go on its own cohort: the same rows as
    ``cohort__in=cohorts(f)``, without a subquery over every cohort whose size the planner
    cannot estimate (it guessed half of them, not a trust's few hundred, and chose plans to
    match; README, Benchmarks)."""
    return Enrolment.objects.filter(_in_filtered_cohort(f), trust=f.trust)


# --- enrolments: people, statuses, completion, baseline answers (one query) ------------------

_NOT_WITHDRAWN = ~Q(status=EnrolmentStatus.WITHDRAWN)


def enrolment_counts(f: ReportFilter) -> dict:
    """One query: participants (distinct people, not withdrawn) per professional group,
    enrolments per status, and the baseline relationship and outlook answers per answer.
    {"groups": {group: n}, "statuses": {status: n}, "relationship": {answer: n},
    "outlook": {answer: n}}."""
    aggregates = {}
    for group in Group.values:
        aggregates[f"group:{group}"] = Count(
            "person", distinct=True, filter=_NOT_WITHDRAWN & Q(professional_group=group)
        )
    for status in EnrolmentStatus.values:
        aggregates[f"status:{status}"] = Count("pk", filter=Q(status=status))
    for answer in Relationship.values:
        aggregates[f"relationship:{answer}"] = Count(
            "pk", filter=_NOT_WITHDRAWN & Q(baseline_relationship=answer)
        )
    for answer in Outlook.values:
        aggregates[f"outlook:{answer}"] = Count(
            "pk", filter=_NOT_WITHDRAWN & Q(baseline_outlook=answer)
        )
    row = enrolments(f).aggregate(**aggregates)
    split = {"groups": {}, "statuses": {}, "relationship": {}, "outlook": {}}
    names = {
        "group": "groups",
        "status": "statuses",
        "relationship": "relationship",
        "outlook": "outlook",
    }
    for key, value in row.items():
        kind, _, name = key.partition(":")
        split[names[kind]][int(name) if kind in ("relationship", "outlook") else name] = value
    return split


# --- the cohorts the trust's people took part in (one query, read first) ----------------------


@dataclass(frozen=True)
class TakenPart:
    """The cohorts of the trust's filtered enrolments, read into a list before the measures
    that join through them. Why a list and not a subquery: PostgreSQL cannot estimate how few
    cohorts a trust's enrolments fall in — it takes them for nearly one cohort per enrolment
    (2,419 for the largest trust's 2,689 at seed_scale volume; in fact 311), and so scans
    every session to join the trust's marks, or every pair to test them. Given the ids it
    counts them, and reads the sessions and pairs of those cohorts through their indexes
    (README, Benchmarks). A few hundred ids, whatever the size of the country. The
    dashboard reads them once for both measures (``taken=``)."""

    cohort_ids: list[int]
    # Of them, those whose programme counts an excused absence as attended.
    excused_counts: list[int]


def taken_part(f: ReportFilter) -> TakenPart:
    rows = list(
        Cohort.objects.filter(pk__in=enrolments(f).values("cohort_id"))
        .order_by()
        .values_list("pk", "programme__excused_counts_as_attended")
    )
    return TakenPart(
        cohort_ids=[pk for pk, _ in rows], excused_counts=[pk for pk, excused in rows if excused]
    )


# --- attendance (two queries) ----------------------------------------------------------------


def attendance_counts(
    f: ReportFilter, *, now: datetime.datetime | None = None, taken: TakenPart | None = None
) -> dict:
    """Marks recorded at sessions held so far (scheduled and ended), and how many of them
    count as attended: present, late, left early, and excused where the programme says so
    (programmes.attendance_report's rule). A held session nobody marked adds nothing.

    The trust's cohorts are read first (taken_part): a mark is for an enrolment in the
    session's own cohort, so the sessions are those cohorts' — a few thousand read through
    the cohort index, where a subquery left the planner scanning all of them."""
    now = now or timezone.now()
    cohorts = taken or taken_part(f)
    attended = Q(mark__in=ATTENDED) | Q(
        mark=Mark.EXCUSED, session__cohort_id__in=cohorts.excused_counts
    )
    return Attendance.objects.filter(
        enrolment__in=enrolments(f).values("pk"),
        session__cohort_id__in=cohorts.cohort_ids,
        session__status=SessionStatus.SCHEDULED,
        session__ends_at__lte=now,
    ).aggregate(marks=Count("*"), attended=Count("mark", filter=attended))


# --- pairs, shadowing, projects (two queries, pairing.selectors) -----------------------------


def pairings(f: ReportFilter, *, taken: TakenPart | None = None) -> QuerySet:
    there_for_trust = Enrolment.objects.filter(trust=f.trust, cohort_id=OuterRef("cohort_id"))
    # The cohorts of the trust's enrolments, as ids (see TakenPart): a pair in any other
    # cohort has no member there for the trust.
    in_cohorts = Q(cohort_id__in=(taken or taken_part(f)).cohort_ids) & (
        Exists(there_for_trust.filter(person_id=OuterRef("clinician_id")))
        | Exists(there_for_trust.filter(person_id=OuterRef("manager_id")))
    )
    condition = in_cohorts
    if not f.by_programme:
        # The trust's schemes as ids too: beside the cohort ids, the planner reads both sets
        # of pairs through their indexes (a join to the schemes made it test every pair).
        schemes = PairingScheme.objects.filter(trust=f.trust).values_list("pk", flat=True)
        scheme = Q(scheme_id__in=list(schemes))
        if f.until is not None:
            scheme &= Q(started_on__isnull=True) | Q(started_on__lte=f.until)
        if f.since is not None:
            scheme &= Q(ended_on__isnull=True) | Q(ended_on__gte=f.since)
        condition |= scheme
    return Pairing.objects.filter(condition)


def pairing_counts(f: ReportFilter, *, taken: TakenPart | None = None) -> dict:
    """Pairs by status, confirmed shadowing hours, improvement projects by status. Two
    queries: the trust's schemes, then pairing_summary's one over the trust's pairs — which
    reads each pair's visits by the pair index, as a subquery per pair. (Before it summed
    the visits of a subquery of pairs, the planner guessed three times as many pairs and
    scanned every visit; the pairs were read as ids first to avoid it, README, Benchmarks.)"""
    return pairing_summary(pairings(f, taken=taken))


# --- Tandem coffee (two queries, coffee.selectors) -------------------------------------------


def coffee_counts(f: ReportFilter) -> dict | None:
    """Rounds, matches and meet-ups of the trust's rounds in the dates; None when a
    programme or cohort is chosen (coffee belongs to none)."""
    if f.by_programme:
        return None
    until = f.until + datetime.timedelta(days=1) if f.until else None
    meetups = meetups_by_trust(trust_ids=[f.trust.pk], since=f.since, until=until).get(f.trust.pk)
    if meetups is None:
        return {"rounds": 0, "matches": 0, "met": 0}
    return {"rounds": meetups.rounds, "matches": meetups.matches, "met": meetups.met}


# --- clinicians in leadership roles (one query) ----------------------------------------------

FOLLOW_UPS = (12, 24)  # months after completing


def _leading_on(day_field: str, *, started_before: bool = False):
    """Whether the enrolment's person held a leadership, management or board role on the
    enrolment's date ``day_field``: begun on or before it (strictly before, for "when they
    enrolled": a role begun that day is one they moved into), and not ended before it."""
    start = "starts_on__lt" if started_before else "starts_on__lte"
    return Exists(
        RoleAppointment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef(day_field)),
            person_id=OuterRef("person_id"),
            category__in=LEADERSHIP_CATEGORIES,
            **{start: OuterRef(day_field)},
        )
    )


def leadership_counts(f: ReportFilter, *, today: datetime.date | None = None) -> dict:
    """Clinicians (by professional group when they enrolled) who completed, counted once each:

    - ``completed``: all of them; ``led_at_enrolment``: those in a leadership role when they
      enrolled (begun before the day they applied, not ended by it);
    - for 12 and 24 months: ``followed_<m>``, those whose completion date plus m calendar
      months has come (on or before ``today``; the others are still being followed), and
      ``led_<m>``, of those, the ones in a leadership role on that very day.

    The completion date is the day the enrolment became completed (its status change), the
    enrolment date the day they applied (created_at), both in Europe/London."""
    today = today or timezone.localdate()
    queryset = (
        enrolments(f)
        .filter(status=EnrolmentStatus.COMPLETED, professional_group__in=CLINICAL_GROUPS)
        .annotate(
            enrolled_on=TruncDate("created_at"),
            completed_on=TruncDate("status_changed_at"),
        )
        .annotate(**{f"at_{m}": AddMonths("completed_on", m) for m in FOLLOW_UPS})
        .annotate(
            led_then=_leading_on("enrolled_on", started_before=True),
            **{f"led_at_{m}": _leading_on(f"at_{m}") for m in FOLLOW_UPS},
        )
    )
    person = "person_id"
    aggregates = {
        "completed": Count(person, distinct=True),
        "led_at_enrolment": Count(person, distinct=True, filter=Q(led_then=True)),
    }
    for m in FOLLOW_UPS:
        reached = Q(**{f"at_{m}__lte": today})
        aggregates[f"followed_{m}"] = Count(person, distinct=True, filter=reached)
        aggregates[f"led_{m}"] = Count(
            person, distinct=True, filter=reached & Q(**{f"led_at_{m}": True})
        )
    return queryset.aggregate(**aggregates)


# --- the board (one query) -------------------------------------------------------------------


def board_snapshots(f: ReportFilter) -> list[dict]:
    """The trust's board snapshots in the dates, oldest first."""
    queryset = BoardSnapshot.objects.filter(trust=f.trust)
    if f.since is not None:
        queryset = queryset.filter(recorded_on__gte=f.since)
    if f.until is not None:
        queryset = queryset.filter(recorded_on__lte=f.until)
    return list(
        queryset.order_by("recorded_on").values("recorded_on", "members", "clinician_members")
    )
