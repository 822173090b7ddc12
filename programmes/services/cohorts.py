"""Writes to programmes and cohorts: creating and changing a cohort (its capacity and joint mix
included), choosing its facilitators, and programme records. Keyword-only, one transaction
each; the admin and the demo data call these.

**Capacity under the row lock.** A cohort is changed under the same row lock every enrolment
takes (``enrolments._lock_cohort``), so a capacity change and an enrolment racing for the last
place are put in one order: the change counts who is seated *after* any enrolment ahead of it
in the queue, and refuses a capacity below that count; an enrolment behind it counts against
the new capacity. When the change frees places (the capacity rises, or a reservation shrinks so
a held place opens to the other group), the waiting list is walked in order in the same
transaction (``enrolments._fill_from_waitlist``), exactly as after a withdrawal.

**Who may.** Superusers, and a programme administrator for the cohorts their trust hosts
(``people.permissions.may_change``), putting a cohort only in a trust they administer
(``assignable_trusts``). Refusals of that kind are PermissionDenied; bad data is a
ValidationError whose messages (field by field, the model's constraints included) the admin
shows on the form. Programme records are superusers' alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from people.access import AccessRole
from people.models import User
from people.permissions import assignable_trusts, may_change, visible

from ..cache import cohort_listing_changed
from ..models import Cohort, CohortFacilitator, CohortStatus, Programme
from .enrolments import _fill_from_waitlist, _lock_cohort, cohort_seats

# What an administrator sets on a cohort (the admin's form, an import). The rest is Tandem's:
# the release of reserved places, the timestamps.
COHORT_FIELDS = frozenset(
    {
        "programme",
        "name",
        "host_trust",
        "starts_on",
        "ends_on",
        "enrolment_opens_at",
        "enrolment_closes_at",
        "capacity",
        "reserved_for_clinicians",
        "reserved_for_managers",
        "requires_sponsor_approval",
        "status",
    }
)

PROGRAMME_FIELDS = frozenset(
    {
        "title",
        "slug",
        "page",
        "cpd_hours",
        "min_attendance_percent",
        "excused_counts_as_attended",
        "min_modules_completed",
        "min_shadowing_hours",
        "certificate_template",
    }
)

PLACES_FREED_REASON = "The cohort's places were changed: a place became free."


def _is_superuser(by) -> bool:
    return bool(by is not None and by.is_authenticated and by.is_active and by.is_superuser)


def _check_fields(values: dict, allowed: frozenset[str]) -> None:
    if unknown := set(values) - allowed:
        raise TypeError(f"Not fields one may set: {', '.join(sorted(unknown))}")


def _require_host_trust(by, trust_id: int | None) -> None:
    """``by`` may put a cohort in this trust (None: Tandem itself, seed data and commands)."""
    if by is None or trust_id is None:
        return
    if not assignable_trusts(by, Cohort).filter(pk=trust_id).exists():
        raise ValidationError(
            {"host_trust": "Choose a trust you administer: you may run cohorts only there."}
        )


def _listing_changed(*programme_ids: int) -> None:
    """The programme pages whose list of open cohorts may now read differently."""
    page_ids = Programme.objects.filter(pk__in=programme_ids, page__isnull=False).values_list(
        "page_id", flat=True
    )
    for page_id in page_ids:
        cohort_listing_changed(page_id)


# --- cohorts ---------------------------------------------------------------------------------


def cohort_create(*, by: User | None, facilitators: Iterable[User] = (), **fields) -> Cohort:
    """Create a cohort from ``fields`` (names in COHORT_FIELDS), with its facilitators.
    Raises ValidationError (a field's or a constraint's message) or PermissionDenied; nothing
    is written then."""
    _check_fields(fields, COHORT_FIELDS)
    cohort = Cohort(**fields)
    _require_host_trust(by, cohort.host_trust_id)
    cohort.full_clean()
    with transaction.atomic():
        cohort.save()
        _set_facilitators(cohort, facilitators, by=by)
        _listing_changed(cohort.programme_id)
    return cohort


@dataclass
class CohortChange:
    cohort: Cohort
    promoted: list = field(default_factory=list)  # who the freed places went to, in order


def cohort_update(
    *, cohort: Cohort, by: User | None, facilitators: Iterable[User] | None = None, **changes
) -> CohortChange:
    """Change a cohort (``changes``: names in COHORT_FIELDS; ``facilitators``, if given, the
    whole new list). Under the cohort's row lock: a capacity below the number of people who
    already hold a place is refused, and places the change frees go to the waiting list in
    order. Cancelling a cohort is ``status="cancelled"``: its enrolments stay as they are
    and nobody more can enrol or be promoted. Returns the cohort as saved and whom the
    waiting list promoted."""
    _check_fields(changes, COHORT_FIELDS)
    if by is not None and not may_change(by, cohort):
        raise PermissionDenied("You cannot change this cohort.")
    with transaction.atomic():
        locked = _lock_cohort(cohort.pk)
        before = {
            name: getattr(locked, name)
            for name in ("capacity", "reserved_for_clinicians", "reserved_for_managers")
        }
        programme_before, trust_before = locked.programme_id, locked.host_trust_id
        status_before = locked.status
        for name, value in changes.items():
            setattr(locked, name, value)
        if locked.host_trust_id != trust_before:
            _require_host_trust(by, locked.host_trust_id)
        locked.full_clean()
        now = timezone.now()
        seated = cohort_seats(locked, now=now).taken
        if locked.capacity < seated:
            raise ValidationError(
                {
                    "capacity": f"{seated} people already hold a place in this cohort, so the "
                    f"capacity cannot be less than {seated}. Withdraw people first to make "
                    "it smaller."
                }
            )
        locked.save()
        if facilitators is not None:
            _set_facilitators(locked, facilitators, by=by)
        frees_places = (
            locked.capacity > before["capacity"]
            or locked.reserved_for_clinicians < before["reserved_for_clinicians"]
            or locked.reserved_for_managers < before["reserved_for_managers"]
        )
        promoted = []
        if frees_places and locked.status != CohortStatus.CANCELLED:
            promoted = _fill_from_waitlist(locked, reason=PLACES_FREED_REASON, now=now).promoted
        if locked.status == CohortStatus.CANCELLED and status_before != CohortStatus.CANCELLED:
            _cancel_sessions(locked, by=by, now=now)
        _listing_changed(programme_before, locked.programme_id)
    return CohortChange(cohort=locked, promoted=promoted)


COHORT_CANCELLED_REASON = "The cohort was cancelled."


def _cancel_sessions(cohort: Cohort, *, by, now) -> None:
    """A cancelled cohort's sessions still to come are cancelled with it, so calendars and My
    learning say so and participants are told (each session's notice, through the outbox)."""
    from .sessions import session_cancel  # sessions imports this module

    for session in cohort.sessions.filter(status="scheduled", ends_at__gt=now):
        session_cancel(session=session, by=None, reason=COHORT_CANCELLED_REASON)


def cohort_cancel(*, cohort: Cohort, by: User | None) -> Cohort:
    """Cancel a cohort: a status change (see cohort_update)."""
    return cohort_update(cohort=cohort, by=by, status="cancelled").cohort


# --- facilitators ------------------------------------------------------------------------------


def facilitator_candidates(by: User | None):
    """The people ``by`` may make a cohort's facilitator: those they may see (people.permissions)
    who hold the facilitator role. The form offers these; the services check the same."""
    people = User.objects.all() if by is None else visible(by, User)
    return people.filter(is_active=True, access_grants__role=AccessRole.FACILITATOR).distinct()


def _require_facilitator(person: User, by) -> None:
    if not facilitator_candidates(by).filter(pk=person.pk).exists():
        raise ValidationError(
            {
                "facilitators": f"{person} cannot facilitate: only active people who hold the "
                "facilitator role can (grant it under People and trusts → Access roles)."
            }
        )


def _set_facilitators(cohort: Cohort, people: Iterable[User], *, by) -> None:
    wanted = {person.pk: person for person in people}
    current = set(cohort.facilitator_links.values_list("person_id", flat=True))
    for person_id in current - set(wanted):
        CohortFacilitator.objects.filter(cohort=cohort, person_id=person_id).delete()
    for person_id in set(wanted) - current:
        _require_facilitator(wanted[person_id], by)
        CohortFacilitator.objects.create(cohort=cohort, person=wanted[person_id])


def cohort_facilitator_add(*, cohort: Cohort, person: User, by: User | None) -> CohortFacilitator:
    """Make ``person`` (who holds the facilitator role) a facilitator of ``cohort``: they then
    see its participants. Adding someone twice keeps the one record."""
    if by is not None and not may_change(by, cohort):
        raise PermissionDenied("You cannot change this cohort.")
    _require_facilitator(person, by)
    with transaction.atomic():
        link, _ = CohortFacilitator.objects.get_or_create(cohort=cohort, person=person)
    return link


def cohort_facilitator_remove(*, cohort: Cohort, person: User, by: User | None) -> bool:
    """``person`` no longer facilitates ``cohort``. Returns whether they did."""
    if by is not None and not may_change(by, cohort):
        raise PermissionDenied("You cannot change this cohort.")
    with transaction.atomic():
        deleted, _ = CohortFacilitator.objects.filter(cohort=cohort, person=person).delete()
    return bool(deleted)


# --- programmes ----------------------------------------------------------------------------------


def programme_save(
    *, programme: Programme, by: User | None, required_modules: Iterable | None = None
) -> Programme:
    """Create or change a programme record (its fields set by the caller): superusers only.
    Checked in full (one programme per CMS page, the completion rules' bounds)."""
    if by is not None and not _is_superuser(by):
        raise PermissionDenied("Only a superuser may create or change programmes.")
    page_before = None
    if programme.pk:
        page_before = Programme.objects.filter(pk=programme.pk).values_list("page_id", flat=True)
        page_before = page_before.first()
    programme.full_clean()
    with transaction.atomic():
        programme.save()
        if required_modules is not None:
            programme.required_modules.set(required_modules)
        for page_id in {page_before, programme.page_id} - {None}:
            cohort_listing_changed(page_id)
    return programme
