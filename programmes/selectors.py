"""Reads of cohorts and enrolments. The public listing is here (the CMS reads it through
cms.selectors.open_cohorts_for_programme); anything showing people's enrolments is scoped by
people.permissions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from people.models import CLINICAL_GROUPS

from .attendance_report import AttendanceSummary, summary_of, with_attendance_counts
from .models import (
    SEATED,
    TRANSITIONS,
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentAction,
    EnrolmentStatus,
    PairApplication,
)
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


@dataclass(frozen=True)
class MyEnrolment:
    """One of a person's enrolments as "My learning" shows it."""

    enrolment: Enrolment
    waitlist_place: int | None  # 1 = next; None unless waitlisted
    partner_name: str | None = None  # who they applied with, if they applied as a pair
    attendance: AttendanceSummary | None = None  # only for an enrolment holding a place

    @property
    def may_withdraw(self) -> bool:
        return self.enrolment.status in TRANSITIONS[EnrolmentAction.WITHDRAW]


def enrolments_for(person) -> list[MyEnrolment]:
    """``person``'s own enrolments, the most recent cohorts first, each with its place on the
    waiting list. At most three queries however many: the enrolments (cohort, programme and
    host trust joined, and each one's sessions attended and expected counted in the same
    query: programmes.attendance_report.with_attendance_counts); only if any is waitlisted,
    those cohorts' whole queues, counted here; only if any applied as a pair, their
    partners' names."""
    if person is None or not person.is_authenticated:
        return []
    enrolments = list(
        with_attendance_counts(Enrolment.objects.filter(person=person))
        .select_related("cohort__programme", "cohort__host_trust")
        .order_by("-cohort__starts_on", "-pk")
    )
    waiting_cohorts = {e.cohort_id for e in enrolments if e.status == EnrolmentStatus.WAITLISTED}
    places: dict[int, int] = {}
    if waiting_cohorts:
        queue = (
            Enrolment.objects.filter(cohort_id__in=waiting_cohorts)
            .waitlist()
            .order_by("cohort_id", "waitlisted_at", "pk")
            .values_list("cohort_id", "pk")
        )
        position: dict[int, int] = {}
        for cohort_id, pk in queue:
            position[cohort_id] = position.get(cohort_id, 0) + 1
            places[pk] = position[cohort_id]
    partners: dict[int, str] = {}
    if pair_ids := {e.pair_id for e in enrolments if e.pair_id}:
        for pair_id, first, last in (
            Enrolment.objects.filter(pair_id__in=pair_ids)
            .exclude(person=person)
            .values_list("pair_id", "person__first_name", "person__last_name")
        ):
            partners[pair_id] = f"{first} {last}".strip()
    return [
        MyEnrolment(
            enrolment=e,
            waitlist_place=places.get(e.pk),
            partner_name=partners.get(e.pair_id),
            attendance=summary_of(e),
        )
        for e in enrolments
    ]


def pair_invitations_for(person) -> list[PairApplication]:
    """The open pair invitations ``person`` sent or received (by their account's email), for
    "My learning": one query."""
    if person is None or not person.is_authenticated:
        return []
    condition = Q(inviter=person)
    if person.email:
        condition |= Q(invitee_email__iexact=person.email)
    return list(
        PairApplication.objects.open()
        .filter(condition)
        .select_related("cohort__programme", "inviter")
        .order_by("invited_at", "pk")
    )


def upcoming_sessions_for(person, *, limit: int = 8) -> list:
    """The next sessions of the cohorts where ``person`` holds a place (cancelled ones too,
    shown as such so nobody turns up), soonest first: one query."""
    from django.utils import timezone

    from .models import SEATED, Session

    if person is None or not person.is_authenticated:
        return []
    return list(
        Session.objects.filter(
            cohort__enrolments__person=person,
            cohort__enrolments__status__in=SEATED,
            ends_at__gt=timezone.now(),
        )
        .select_related("cohort__programme")
        .order_by("starts_at", "pk")
        .distinct()[:limit]
    )


def runs_sessions(person) -> bool:
    """Whether ``person`` takes any session's register (for the link to Sessions I run)."""
    from .permissions import register_sessions

    if person is None or not person.is_authenticated:
        return False
    return register_sessions(person).exists()


def register_entries(session) -> list[tuple[Enrolment, Attendance | None]]:
    """Everyone on ``session``'s register (Enrolment.on_register), by surname, with what is
    recorded for them, if anything: two queries (the people, their marks). The register page
    and the API's register read it."""
    enrolments = (
        Enrolment.objects.on_register(session)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    saved = {
        a.enrolment_id: a
        for a in Attendance.objects.filter(session=session).only(
            "enrolment_id", "mark", "note", "source"
        )
    }
    return [(enrolment, saved.get(enrolment.pk)) for enrolment in enrolments]
