"""Writes to cohorts and enrolments: keyword-only, one transaction each, every state change
checked against programmes.models.TRANSITIONS and recorded as an EnrolmentEvent (who, when,
why). Views, admin actions, imports, tasks and the sponsor's link all call these.

**Seats under concurrency.** Every operation that can take or free a seat first locks the
cohort's row (``_lock_cohort``), then counts who is seated, then writes, all in one
transaction: two requests for the last seat queue on the lock, and the second counts the
first's enrolment. On PostgreSQL that is ``SELECT … FOR UPDATE``. On SQLite (``make run``)
``select_for_update`` does nothing, but there is one writer at a time: the settings open every
transaction with ``BEGIN IMMEDIATE`` (``transaction_mode``), which takes the database's write
lock before the first read, so the count and the write can never interleave with another
writer's. The partial unique constraint on (person, cohort) backs up "one live enrolment"
whatever the locking.

**The waiting list** is first come, first served within the mix: whenever a seat may have
freed (a withdrawal, the reserved seats released when enrolment closes) the waiting list is
walked in order and each person who fits is promoted, in the same transaction, until no seat
fits anyone. A person who does not fit (a clinician when only manager-held seats are left)
keeps their place and the next who fits goes ahead.

Each committed change is announced with ``enrolment_changed`` (programmes.events), after
commit, for the emails and for certificates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from people.models import CLINICAL_GROUPS, User
from people.permissions import may_change

from .. import emails, events
from ..cache import cohort_listing_changed
from ..models import (
    SEATED,
    TRANSITIONS,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentStatus,
    is_clinical_group,
)
from ..seats import Seats
from .errors import (  # noqa: F401 (the errors are imported from here by callers too)
    AlreadyEnrolled,
    EnrolmentClosed,
    EnrolmentError,
    IllegalTransition,
    NoPlaceAvailable,
    NotAllowed,
    ProfileIncomplete,
    check_transition,
)

Status = EnrolmentStatus
Action = EnrolmentAction


# --- locking and counting ---------------------------------------------------------------------


def _lock_cohort(cohort_id: int) -> Cohort:
    """The cohort, its row locked until the transaction ends (PostgreSQL; on SQLite the
    transaction already holds the database's write lock: see the module's docstring). Call
    inside transaction.atomic, before counting seats."""
    return (
        Cohort.objects.select_for_update(of=("self",)).select_related("programme").get(pk=cohort_id)
    )


def cohort_seats(cohort: Cohort, *, now=None) -> Seats:
    """Who is seated in ``cohort`` now, by group: one query. Under the cohort's lock in the
    services; a plain read elsewhere."""
    counts = Enrolment.objects.filter(cohort=cohort, status__in=SEATED).aggregate(
        clinicians=Count("pk", filter=Q(professional_group__in=CLINICAL_GROUPS)),
        managers=Count("pk", filter=~Q(professional_group__in=CLINICAL_GROUPS)),
    )
    return cohort.seats_from(clinicians=counts["clinicians"], managers=counts["managers"], now=now)


def _record(
    enrolment: Enrolment, *, action: str, from_status: str | None, by, reason: str, now
) -> EnrolmentEvent:
    event = EnrolmentEvent.objects.create(
        enrolment=enrolment,
        action=action,
        from_status=from_status or "",
        to_status=enrolment.status,
        by=by if by is not None and by.pk else None,
        at=now,
        reason=reason,
    )
    events.announce(enrolment=enrolment, action=action, from_status=from_status)
    emails.enqueue_for(event)  # in this transaction, through the outbox: sent once committed
    return event


def _move(enrolment: Enrolment, *, action: str, to: str, by, reason: str, now) -> Enrolment:
    """Check, write and record one transition of an existing enrolment."""
    before = enrolment.status
    check_transition(action=action, from_status=before, to_status=to)
    enrolment.status = to
    enrolment.status_changed_at = now
    fields = ["status", "status_changed_at"]
    if to == Status.WAITLISTED:
        enrolment.waitlisted_at = now
        fields.append("waitlisted_at")
    if to == Status.ENROLLED:
        enrolment.seated_at = now
        fields.append("seated_at")
    enrolment.save(update_fields=fields)
    _record(enrolment, action=action, from_status=before, by=by, reason=reason, now=now)
    return enrolment


def _locked_enrolment(enrolment: Enrolment) -> tuple[Cohort, Enrolment]:
    """Lock the enrolment's cohort, then re-read the enrolment under that lock: its status
    may have changed since the caller loaded it (a concurrent withdrawal or promotion)."""
    cohort = _lock_cohort(enrolment.cohort_id)
    fresh = Enrolment.objects.select_related("person").get(pk=enrolment.pk)
    fresh.cohort = cohort
    return cohort, fresh


def _still_running(cohort: Cohort, now) -> bool:
    """Automatic promotion makes sense until the cohort has ended, and never once cancelled."""
    return cohort.status != CohortStatus.CANCELLED and timezone.localdate(now) <= cohort.ends_on


@dataclass
class FillResult:
    promoted: list[Enrolment] = field(default_factory=list)


def _partners_of(enrolments) -> dict[int, Enrolment]:
    """{enrolment id: the other enrolment of its pair} for those of ``enrolments`` that applied
    as a pair: one query."""
    by_pair = {e.pair_id: e for e in enrolments if e.pair_id}
    if not by_pair:
        return {}
    others = Enrolment.objects.filter(pair_id__in=by_pair).exclude(
        pk__in=[e.pk for e in by_pair.values()]
    )
    partners = {}
    for other in others.select_related("person"):
        mine = by_pair[other.pair_id]
        partners[mine.pk] = other
        partners[other.pk] = mine
    return partners


def partner_of(enrolment: Enrolment) -> Enrolment | None:
    """The other enrolment of the pair ``enrolment`` applied in, if it applied as a pair."""
    return _partners_of([enrolment]).get(enrolment.pk)


def seats_fit(seats: Seats, *groups: bool) -> bool:
    """Whether one person of each of ``groups`` (True: clinical) can all be seated at once."""
    for clinical in groups:
        if not seats.fits(clinical=clinical):
            return False
        seats = seats.seat(clinical=clinical)
    return True


def _fill_from_waitlist(cohort: Cohort, *, reason: str, now, seats: Seats | None = None):
    """Promote, in queue order, each waitlisted person who fits, until no seat fits anyone.
    A pair on the waiting list is promoted together when both fit, or not at all; a pair
    member whose partner still waits for their sponsor keeps their place. The cohort's row
    must be locked by the caller."""
    result = FillResult()
    if not _still_running(cohort, now):
        return result
    seats = seats or cohort_seats(cohort, now=now)
    if not seats.left:
        return result
    waiting = list(Enrolment.objects.filter(cohort=cohort).waitlist().select_related("person"))
    partners = _partners_of(waiting)
    promoted_ids: set[int] = set()
    for candidate in waiting:
        if not seats.left:
            break
        if candidate.pk in promoted_ids:
            continue
        group = [candidate]
        partner = partners.get(candidate.pk)
        if partner is not None and partner.status == Status.PENDING_APPROVAL:
            continue  # promoted with their partner once the partner's sponsor approves
        if partner is not None and partner.status == Status.WAITLISTED:
            group.append(partner)
        if not seats_fit(seats, *(member.is_clinical for member in group)):
            continue  # keeps their place; the next who fits goes ahead
        for member in group:
            member.cohort = cohort
            _move(
                member, action=Action.PROMOTE, to=Status.ENROLLED, by=None, reason=reason, now=now
            )
            seats = seats.seat(clinical=member.is_clinical)
            promoted_ids.add(member.pk)
            result.promoted.append(member)
    return result


def _require(by, *, target: Enrolment | Cohort, person_id: int | None = None) -> None:
    """``by`` is None (Tandem itself: a task, or a sponsor's signed link, checked by its
    caller), the person concerned (``person_id``, where acting for oneself is allowed), or
    someone whose change rule covers ``target`` (the host trust's administrators)."""
    if by is None or (person_id is not None and by.pk == person_id):
        return
    if not may_change(by, target):
        raise NotAllowed("You cannot change enrolments in this cohort.")


# --- enrolling -------------------------------------------------------------------------------


def clean_sponsor(person: User, *, name: str, email: str) -> tuple[str, str]:
    """The sponsor a cohort needing approval asks for, tidied, or ProfileIncomplete: the
    approval email goes to this address, so it must be there and must not be the person's own
    (nobody approves their own place)."""
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not email:
        raise ProfileIncomplete(
            "This cohort needs your sponsor's approval: give your sponsor's name and email "
            "address (your line manager, or your supervising consultant if you are a doctor in "
            "training)."
        )
    if not name:
        raise ProfileIncomplete("Enter your sponsor's full name.")
    if email == (person.email or "").strip().lower():
        raise ProfileIncomplete(
            "Your sponsor's email address cannot be your own: give your line manager's or "
            "supervising consultant's."
        )
    return name, email


def remember_sponsor(person: User, *, name: str, email: str) -> None:
    """Keep the sponsor on the person's profile, for their next application."""
    if (person.sponsor_name, person.sponsor_email) != (name, email):
        User.objects.filter(pk=person.pk).update(sponsor_name=name, sponsor_email=email)
        person.sponsor_name, person.sponsor_email = name, email


def _refuse_to_enrol(person: User, cohort: Cohort, now, *, outside_window: bool = False) -> None:
    if not person.is_active:
        raise ProfileIncomplete("This account is not active.")
    if not person.profile_is_complete:
        raise ProfileIncomplete(
            "Complete your profile first: your name, trust, professional group and job title "
            "(and your registration number if you are a clinician)."
        )
    if cohort.status == CohortStatus.CANCELLED:
        raise EnrolmentClosed("This cohort has been cancelled.")
    if cohort.status != CohortStatus.PUBLISHED or (
        now < cohort.enrolment_opens_at and not outside_window
    ):
        raise EnrolmentClosed("Enrolment for this cohort has not opened yet.")
    if now >= cohort.enrolment_closes_at and not outside_window:
        raise EnrolmentClosed("Enrolment for this cohort has closed.")


def _save_new_enrolment(
    *,
    person: User,
    cohort: Cohort,
    status: str,
    by: User | None,
    reason: str,
    now,
    pair=None,
    goals: str = "",
    baseline_relationship: int | None = None,
    baseline_outlook: int | None = None,
    current_role: str = "",
    sponsor_name: str = "",
    sponsor_email: str = "",
) -> Enrolment:
    """Write and record a new enrolment whose status the caller decided under the cohort's
    lock (enrolment_create; a pair's acceptance makes two)."""
    check_transition(action=Action.APPLY, from_status=None, to_status=status)
    enrolment = Enrolment(
        person=person,
        cohort=cohort,
        status=status,
        trust_id=person.trust_id,
        professional_group=person.professional_group,
        goals=goals.strip(),
        baseline_relationship=baseline_relationship,
        baseline_outlook=baseline_outlook,
        baseline_current_role=current_role.strip(),
        sponsor_name=sponsor_name.strip(),
        sponsor_email=sponsor_email.strip().lower(),
        created_at=now,
        status_changed_at=now,
        waitlisted_at=now if status == Status.WAITLISTED else None,
        seated_at=now if status == Status.ENROLLED else None,
        pair=pair,
    )
    try:
        # A savepoint, so a violated constraint leaves the transaction usable. Only a
        # writer that got past the lock (there should be none) ever meets it.
        with transaction.atomic():
            enrolment.save()
    except IntegrityError as error:
        # PostgreSQL names the constraint; SQLite names its columns.
        message = str(error)
        if not ("one_live_enrolment" in message or "enrolment.person_id" in message):
            raise
        raise AlreadyEnrolled(
            "You already have a place or an application in this cohort."
        ) from None
    _record(enrolment, action=Action.APPLY, from_status=None, by=by, reason=reason, now=now)
    return enrolment


def enrolment_create(
    *,
    person: User,
    cohort: Cohort,
    by: User | None,
    goals: str = "",
    reason: str = "",
    baseline_relationship: int | None = None,
    baseline_outlook: int | None = None,
    current_role: str = "",
    sponsor_name: str = "",
    sponsor_email: str = "",
    outside_window: bool = False,
) -> Enrolment:
    """Enrol ``person`` in ``cohort``: pending approval if the cohort needs their sponsor's,
    else enrolled if a seat fits their group, else waitlisted. ``by`` is the person
    themselves, or an administrator of the host trust enrolling them (an import). The
    baseline answers and the sponsor come from the enrolment page (programmes.forms).
    ``outside_window``: an administrator's import (programmes.services.imports) enrols people
    in a published cohort before its enrolment opens or after it closes; capacity, the mix
    and the waiting list hold as ever, and draft or cancelled cohorts are still refused.

    A cohort needing approval needs a sponsor other than the person; when the person applies
    themselves, the sponsor they give is kept on their profile for next time.

    Raises ProfileIncomplete, EnrolmentClosed, AlreadyEnrolled or NotAllowed; nothing is
    written then."""
    _require(by, target=cohort, person_id=person.pk)
    if cohort.requires_sponsor_approval:
        sponsor_name, sponsor_email = clean_sponsor(person, name=sponsor_name, email=sponsor_email)
    with transaction.atomic():
        cohort = _lock_cohort(cohort.pk)
        now = timezone.now()  # after the lock: decisions and the queue follow its order
        _refuse_to_enrol(person, cohort, now, outside_window=outside_window)
        if Enrolment.objects.live().filter(person=person, cohort=cohort).exists():
            raise AlreadyEnrolled("You already have a place or an application in this cohort.")
        clinical = is_clinical_group(person.professional_group)
        if cohort.requires_sponsor_approval:
            status = Status.PENDING_APPROVAL
        else:
            seats = cohort_seats(cohort, now=now)
            status = Status.ENROLLED if seats.fits(clinical=clinical) else Status.WAITLISTED
        enrolment = _save_new_enrolment(
            person=person,
            cohort=cohort,
            status=status,
            by=by,
            reason=reason,
            now=now,
            goals=goals,
            baseline_relationship=baseline_relationship,
            baseline_outlook=baseline_outlook,
            current_role=current_role,
            sponsor_name=sponsor_name,
            sponsor_email=sponsor_email,
        )
        if cohort.requires_sponsor_approval and by is not None and by.pk == person.pk:
            remember_sponsor(person, name=enrolment.sponsor_name, email=enrolment.sponsor_email)
        _listing_changed(cohort)
    return enrolment


# --- sponsor approval --------------------------------------------------------------------------


def enrolment_approve(*, enrolment: Enrolment, by: User | None, reason: str = "") -> Enrolment:
    """The sponsor approves: enrolled if a seat fits, else waitlisted (from now: the queue is
    first come, first served among those who may take a seat). A pair is placed together:
    while the partner still waits for their own sponsor, an approved member waits on the
    waiting list; the second approval seats both if both fit, else both wait."""
    _require(by, target=enrolment)
    with transaction.atomic():
        cohort, enrolment = _locked_enrolment(enrolment)
        now = timezone.now()
        check_transition(
            action=Action.APPROVE, from_status=enrolment.status, to_status=Status.ENROLLED
        )
        partner = partner_of(enrolment)
        seats = cohort_seats(cohort, now=now)
        running = _still_running(cohort, now)
        if partner is not None and partner.status == Status.PENDING_APPROVAL:
            _move(
                enrolment,
                action=Action.APPROVE,
                to=Status.WAITLISTED,
                by=by,
                reason=reason or "Waiting for the partner's sponsor to approve.",
                now=now,
            )
        elif partner is not None and partner.status == Status.WAITLISTED:
            together = running and seats_fit(seats, enrolment.is_clinical, partner.is_clinical)
            if together:
                partner.cohort = cohort
                _move(
                    partner,
                    action=Action.PROMOTE,
                    to=Status.ENROLLED,
                    by=None,
                    reason="Their partner's sponsor approved: the pair was placed together.",
                    now=now,
                )
            to = Status.ENROLLED if together else Status.WAITLISTED
            _move(enrolment, action=Action.APPROVE, to=to, by=by, reason=reason, now=now)
        else:
            fits = running and seats.fits(clinical=enrolment.is_clinical)
            to = Status.ENROLLED if fits else Status.WAITLISTED
            _move(enrolment, action=Action.APPROVE, to=to, by=by, reason=reason, now=now)
        _listing_changed(cohort)
    return enrolment


def enrolment_decline(*, enrolment: Enrolment, by: User | None, reason: str = "") -> Enrolment:
    """The sponsor declines: the application is withdrawn (it held no seat)."""
    _require(by, target=enrolment)
    with transaction.atomic():
        cohort, enrolment = _locked_enrolment(enrolment)
        now = timezone.now()
        _move(
            enrolment,
            action=Action.DECLINE,
            to=Status.WITHDRAWN,
            by=by,
            reason=reason or "Declined by the sponsor.",
            now=now,
        )
        if enrolment.pair_id:
            # A partner who was waiting for this approval now waits alone, and may fit.
            _fill_from_waitlist(cohort, reason="A place became free.", now=now)
            _listing_changed(cohort)
    return enrolment


# --- leaving and the waiting list ---------------------------------------------------------------


@dataclass
class Withdrawal:
    enrolment: Enrolment
    promoted: list[Enrolment]  # who took the freed seat, if anyone


def enrolment_withdraw(*, enrolment: Enrolment, by: User | None, reason: str) -> Withdrawal:
    """Withdraw from a cohort (pending, waitlisted or enrolled). A freed seat goes at once to
    the first waitlisted person who fits the mix, in the same transaction. Someone other than
    the participant must say why."""
    _require(by, target=enrolment, person_id=enrolment.person_id)
    reason = (reason or "").strip()
    if not reason and (by is None or by.pk != enrolment.person_id):
        raise EnrolmentError("Give a reason for withdrawing this person.")
    with transaction.atomic():
        cohort, enrolment = _locked_enrolment(enrolment)
        now = timezone.now()
        was_seated = enrolment.status in SEATED
        _move(enrolment, action=Action.WITHDRAW, to=Status.WITHDRAWN, by=by, reason=reason, now=now)
        promoted = []
        # A seat freed, or a waiting partner now waits alone (one seat may fit them).
        if was_seated or enrolment.pair_id:
            promoted = _fill_from_waitlist(cohort, reason="A place became free.", now=now).promoted
        _listing_changed(cohort)
    return Withdrawal(enrolment=enrolment, promoted=promoted)


def enrolments_withdraw_for_erasure(*, person: User, by: User | None) -> int:
    """Withdraw an erased person's applications, waiting-list places and places in cohorts
    that have not ended (they can no longer sign in, and a seat must not stay held for them);
    freed seats go to the waiting list as on any withdrawal. Completed and past enrolments are
    kept, so reports count them. Who may erase whom was checked by the erasure's caller
    (privacy.permissions.may_erase), so no change rule is asked here. Returns how many."""
    today = timezone.localdate()
    ids = list(
        Enrolment.objects.filter(
            Q(status__in=[Status.PENDING_APPROVAL, Status.WAITLISTED])
            | Q(status=Status.ENROLLED, cohort__ends_on__gte=today),
            person=person,
        ).values_list("pk", flat=True)
    )
    for enrolment_id in ids:
        with transaction.atomic():
            cohort, enrolment = _locked_enrolment(Enrolment.objects.get(pk=enrolment_id))
            now = timezone.now()
            if enrolment.status not in TRANSITIONS[Action.WITHDRAW]:
                continue  # changed meanwhile
            was_seated = enrolment.status in SEATED
            _move(
                enrolment,
                action=Action.WITHDRAW,
                to=Status.WITHDRAWN,
                by=by,
                reason="The person's data was erased.",
                now=now,
            )
            if was_seated or enrolment.pair_id:
                _fill_from_waitlist(cohort, reason="A place became free.", now=now)
            _listing_changed(cohort)
    return len(ids)


def enrolment_promote(*, enrolment: Enrolment, by: User | None, reason: str = "") -> Enrolment:
    """An administrator promotes one person from the waiting list, ahead of their turn if they
    choose; a seat must still fit the person's group (capacity and the mix hold). A pair on
    the waiting list is promoted together, so both seats must fit."""
    _require(by, target=enrolment)
    with transaction.atomic():
        cohort, enrolment = _locked_enrolment(enrolment)
        now = timezone.now()
        check_transition(
            action=Action.PROMOTE, from_status=enrolment.status, to_status=Status.ENROLLED
        )
        partner = partner_of(enrolment)
        if partner is not None and partner.status == Status.PENDING_APPROVAL:
            raise NoPlaceAvailable(
                f"{enrolment.person.get_full_name()} applied as a pair, and their partner is "
                "still waiting for their sponsor's approval: the two are placed together."
            )
        group = [enrolment]
        if partner is not None and partner.status == Status.WAITLISTED:
            group.append(partner)
        seats = cohort_seats(cohort, now=now)
        if not seats_fit(seats, *(member.is_clinical for member in group)):
            if len(group) == 2:
                raise NoPlaceAvailable(
                    "This person applied as a pair, and the free places do not fit both of "
                    "them: the two are promoted together."
                )
            group_name = "clinicians" if enrolment.is_clinical else "managers"
            if seats.left:
                raise NoPlaceAvailable(
                    f"The free places are held for the other group until enrolment closes; "
                    f"none is left for {group_name}."
                )
            raise NoPlaceAvailable("The cohort is full: no place is free.")
        for member in group:
            member.cohort = cohort
            _move(member, action=Action.PROMOTE, to=Status.ENROLLED, by=by, reason=reason, now=now)
        _listing_changed(cohort)
    return enrolment


def cohort_release_reserved_seats(*, cohort_id: int, now=None) -> list[Enrolment] | None:
    """Once enrolment has closed, open the unfilled reserved seats to the waiting list, in
    order. Exactly once per cohort: ``reserved_seats_released_at`` is set under the row lock,
    and a second run (beat again, a re-delivered task) finds it set and returns None."""
    with transaction.atomic():
        now = now or timezone.now()
        cohort = (
            Cohort.objects.select_for_update(of=("self",))
            .select_related("programme")
            .filter(pk=cohort_id)
            .first()
        )
        if (
            cohort is None
            or cohort.reserved_seats_released_at is not None
            or cohort.status != CohortStatus.PUBLISHED
            or now < cohort.enrolment_closes_at
        ):
            return None
        cohort.reserved_seats_released_at = now
        cohort.save(update_fields=["reserved_seats_released_at", "updated_at"])
        promoted = _fill_from_waitlist(
            cohort, reason="Enrolment closed: reserved places were released.", now=now
        ).promoted
        _listing_changed(cohort)
    return promoted


def _listing_changed(cohort: Cohort) -> None:
    if cohort.programme.page_id:
        cohort_listing_changed(cohort.programme.page_id)
