"""Reads of cohorts and enrolments. The public listing is here (the CMS reads it through
cms.selectors.open_cohorts_for_programme); anything showing people's enrolments is scoped by
people.permissions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from people.models import CLINICAL_GROUPS

from .models import SEATED, Cohort, Enrolment, EnrolmentStatus
from .seats import Seats


@dataclass(frozen=True)
class CohortListing:
    """A cohort open for enrolment, with the places left for each group now."""

    cohort: Cohort
    seats: Seats

    @property
    def places_left(self) -> int:
        return self.seats.left

    @property
    def places_left_for_clinicians(self) -> int:
        return self.seats.left_for_clinicians

    @property
    def places_left_for_managers(self) -> int:
        return self.seats.left_for_managers


_SEATED = Q(enrolments__status__in=SEATED)
_CLINICAL = Q(enrolments__professional_group__in=CLINICAL_GROUPS)


def open_cohorts(
    *, programme_page_id: int, now: datetime.datetime | None = None
) -> list[CohortListing]:
    """The published cohorts of the programme whose page is ``programme_page_id`` that are open
    for enrolment now, soonest first, each with the places left per group: one query (the
    seated counts are annotated, the host trust joined)."""
    now = now or timezone.now()
    cohorts = (
        Cohort.objects.open_for_enrolment(now)
        .filter(programme__page_id=programme_page_id)
        .select_related("host_trust")
        .annotate(
            seated_clinicians=Count("enrolments", filter=_SEATED & _CLINICAL),
            seated_managers=Count("enrolments", filter=_SEATED & ~_CLINICAL),
        )
        .order_by("starts_on", "name", "pk")
    )
    return [
        CohortListing(
            cohort=cohort,
            seats=cohort.seats_from(
                clinicians=cohort.seated_clinicians, managers=cohort.seated_managers, now=now
            ),
        )
        for cohort in cohorts
    ]


def waitlist_position(enrolment: Enrolment) -> int | None:
    """Where a waitlisted enrolment stands in its cohort's queue (1 = next), or None. The
    queue is shared by both groups; a person who does not fit a free seat keeps their place."""
    if enrolment.status != EnrolmentStatus.WAITLISTED or enrolment.waitlisted_at is None:
        return None
    ahead = (
        Enrolment.objects.filter(cohort_id=enrolment.cohort_id)
        .waitlist()
        .filter(
            Q(waitlisted_at__lt=enrolment.waitlisted_at)
            | Q(waitlisted_at=enrolment.waitlisted_at, pk__lt=enrolment.pk)
        )
        .count()
    )
    return ahead + 1
