"""Reads of pairing: hours against target, who has gone quiet, the pairs a person is in or
supports — each a bounded number of queries, aggregated in the database. Callers pass
querysets already scoped by pairing.permissions; the reports work reads these too."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from programmes.models import Cohort

from .models import (
    Pairing,
    PairingStatus,
    PairMeeting,
    ProjectStatus,
    ShadowingVisit,
    VisitStatus,
)

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=7, decimal_places=1))


def quiet_after_weeks_default() -> int:
    return getattr(settings, "PAIRING_QUIET_AFTER_WEEKS", 4)


def with_progress(queryset: QuerySet) -> QuerySet:
    """Each pairing with its confirmed hours per member, its unconfirmed visits, and the date
    of its last meeting or visit: four aggregates in the one query."""
    confirmed = Q(visits__status=VisitStatus.CONFIRMED)
    return queryset.annotate(
        clinician_hours=Coalesce(
            Sum("visits__hours", filter=confirmed & Q(visits__shadower_id=F("clinician_id"))),
            ZERO,
        ),
        manager_hours=Coalesce(
            Sum("visits__hours", filter=confirmed & Q(visits__shadower_id=F("manager_id"))),
            ZERO,
        ),
        unconfirmed_visits=Count("visits", filter=Q(visits__status=VisitStatus.LOGGED)),
        last_visit=Max("visits__visited_on"),
    ).annotate(
        # A separate subquery for meetings: joining both visits and meetings would multiply
        # the rows the sums above add up.
        last_meeting=PairMeeting.objects.filter(pairing_id=OuterRef("pk"))
        .order_by("-met_on")
        .values("met_on")[:1],
    )


def last_activity(pairing) -> datetime.date | None:
    dates = [d for d in (pairing.last_visit, pairing.last_meeting) if d is not None]
    return max(dates) if dates else None


def quiet_weeks_for(pairing) -> int:
    if pairing.scheme_id:
        return pairing.scheme.quiet_after_weeks
    return quiet_after_weeks_default()


def is_quiet(pairing, *, today: datetime.date | None = None) -> bool:
    """An active pair with no meeting or visit (or, if they have none yet, no start) in the
    last N weeks."""
    if pairing.status != PairingStatus.ACTIVE:
        return False
    today = today or timezone.localdate()
    since = last_activity(pairing) or pairing.started_on
    if since is None:
        return False
    return (today - since).days >= 7 * quiet_weeks_for(pairing)


@dataclass(frozen=True)
class PairRow:
    pairing: Pairing
    clinician_hours: Decimal
    manager_hours: Decimal
    target: Decimal | None
    last_activity: datetime.date | None
    quiet: bool
    unconfirmed_visits: int


def pair_rows(queryset: QuerySet) -> list[PairRow]:
    """What a facilitator's or administrator's list shows for each pair: 1 query."""
    today = timezone.localdate()
    rows = []
    pairings = with_progress(
        queryset.select_related(
            "clinician", "manager", "cohort__programme", "cohort__host_trust", "scheme__trust"
        )
    )
    for pairing in pairings:
        rows.append(
            PairRow(
                pairing=pairing,
                clinician_hours=pairing.clinician_hours,
                manager_hours=pairing.manager_hours,
                target=pairing.target_hours,
                last_activity=last_activity(pairing),
                quiet=is_quiet(pairing, today=today),
                unconfirmed_visits=pairing.unconfirmed_visits,
            )
        )
    return rows


def confirmed_hours(person_ids: list[int], cohort: Cohort) -> dict[int, Decimal]:
    """Each person's confirmed hours shadowing their partner in ``cohort``'s pairings, for
    programmes' completion rule (registered in pairing.receivers). One query."""
    rows = (
        ShadowingVisit.objects.confirmed()
        .filter(pairing__cohort=cohort, shadower_id__in=person_ids)
        .values("shadower_id")
        .annotate(total=Sum("hours"))
    )
    return {row["shadower_id"]: row["total"] for row in rows}


def pairing_summary(queryset: QuerySet) -> dict:
    """Counts for a trust's figures: pairings by status, confirmed hours, projects by status
    (the statuses with none left out). One query: each pair's confirmed hours are a subquery
    summed with the rest, so its visits are read by the pair index and never multiply the
    pairs being counted (a join to them would)."""
    hours = Subquery(
        ShadowingVisit.objects.confirmed()
        .filter(pairing_id=OuterRef("pk"))
        .order_by()
        .values("pairing_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    aggregates = {
        f"status:{status}": Count("pk", filter=Q(status=status)) for status in PairingStatus.values
    }
    aggregates |= {
        f"project:{status}": Count("project", filter=Q(project__status=status))
        for status in ProjectStatus.values
    }
    row = (
        queryset.order_by()
        .annotate(confirmed=hours)
        .aggregate(hours=Coalesce(Sum("confirmed"), ZERO), **aggregates)
    )
    split = {"status": {}, "project": {}}
    for key, value in row.items():
        kind, _, name = key.partition(":")
        if name and value:
            split[kind][name] = value
    return {
        "by_status": split["status"],
        "confirmed_hours": row["hours"],
        "projects": split["project"],
    }


__all__ = [
    "PairRow",
    "confirmed_hours",
    "is_quiet",
    "last_activity",
    "pair_rows",
    "pairing_summary",
    "with_progress",
]
