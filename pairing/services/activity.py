"""What a pair records: shadowing visits (logged by either member, confirmed by the other),
pair meetings, and their joint improvement project, which facilitators comment on.

Confirmed shadowing hours count toward a programme's completion rule: confirming (or
withdrawing a confirmed visit) asks programmes to evaluate the shadower's completion again,
through the outbox (programmes.services.completion_inputs_changed).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from people.models import User
from programmes.services.completion import completion_inputs_changed

from ..models import (
    MAX_HOURS_A_DAY,
    ImprovementProject,
    Pairing,
    PairingStatus,
    PairMeeting,
    ProjectComment,
    ProjectStatus,
    ShadowingSetting,
    ShadowingVisit,
    VisitStatus,
)
from ..permissions import may_read_private
from .pairings import PairingRefused

# A pairing runs for months, not years: an entry dated earlier than this before the pairing
# was made is a typing mistake.
EARLIEST = datetime.timedelta(days=366)


def _require_member(pairing: Pairing, by: User, what: str) -> None:
    if not pairing.has_member(by):
        raise PairingRefused(f"Only the two people in the pair {what}.")
    if pairing.status == PairingStatus.ENDED:
        raise PairingRefused("This pairing has ended: nothing more can be added to it.")


def _check_date(value: datetime.date, pairing: Pairing, what: str) -> None:
    today = timezone.localdate()
    if value > today:
        raise PairingRefused(f"The {what} date is in the future: log it once it has happened.")
    if value < timezone.localtime(pairing.proposed_at).date() - EARLIEST:
        raise PairingRefused(f"The {what} date is more than a year before the pairing began.")


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
        if not hours.is_finite():
            raise ValueError(value)
        hours = hours.quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as error:
        raise PairingRefused("Give the hours as a number, like 2.5.") from error
    if hours <= 0:
        raise PairingRefused("A visit lasts more than 0 hours.")
    if hours > MAX_HOURS_A_DAY:
        raise PairingRefused("A visit cannot last more than 24 hours in a day.")
    return hours


def _people_locked(pairing: Pairing) -> None:
    """Both members' rows, locked in id order: every write that adds hours to one of their
    days waits for the others, whatever pairing it is in."""
    ids = sorted(pk for pk in (pairing.clinician_id, pairing.manager_id) if pk)
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _check_day(pairing: Pairing, day: datetime.date, hours: Decimal, *, exclude=None) -> None:
    """A day has 24 hours for each person: the visits that take up their time that day —
    shadowing or being shadowed, in any of their pairings, not queried — plus ``hours``
    may not pass 24. Call inside a transaction."""
    _people_locked(pairing)
    for person_id in (pairing.clinician_id, pairing.manager_id):
        if person_id is None:
            continue
        visits = ShadowingVisit.objects.filter(visited_on=day).exclude(status=VisitStatus.QUERIED)
        visits = visits.filter(
            Q(pairing__clinician_id=person_id) | Q(pairing__manager_id=person_id)
        )
        if exclude is not None:
            visits = visits.exclude(pk=exclude.pk)
        taken = visits.aggregate(total=Sum("hours"))["total"] or Decimal(0)
        if taken + hours > MAX_HOURS_A_DAY:
            raise PairingRefused(
                f"That makes {taken + hours} hours of shadowing on {day:%-d %B %Y} for "
                f"{_name_of(pairing, person_id)}: a day has 24."
            )


def _name_of(pairing: Pairing, person_id: int) -> str:
    person = pairing.clinician if person_id == pairing.clinician_id else pairing.manager
    return person.get_full_name() or person.email


def visit_log(
    *,
    pairing: Pairing,
    by: User,
    shadower: User,
    visited_on: datetime.date,
    hours,
    setting: str,
    setting_other: str = "",
    reflection: str = "",
) -> ShadowingVisit:
    """Record a shadowing visit: ``shadower`` (either member) shadowed the other. It waits
    for the other member to confirm it (the one who did not log it)."""
    _require_member(pairing, by, "log their visits")
    if not pairing.has_member(shadower):
        raise PairingRefused("The person who shadowed must be one of the pair.")
    if pairing.status != PairingStatus.ACTIVE:
        raise PairingRefused("Visits are logged once the pairing is active.")
    _check_date(visited_on, pairing, "visit")
    hours = _hours(hours)
    if setting not in ShadowingSetting.values:
        raise PairingRefused("Choose where the visit took place.")
    if setting == ShadowingSetting.OTHER and not setting_other.strip():
        raise PairingRefused("Say where the visit took place.")
    with transaction.atomic():
        _check_day(pairing, visited_on, hours)
        visit = ShadowingVisit(
            pairing=pairing,
            shadower=shadower,
            visited_on=visited_on,
            hours=hours,
            setting=setting,
            setting_other=setting_other.strip() if setting == ShadowingSetting.OTHER else "",
            reflection=reflection.strip(),
            logged_by=by,
        )
        visit.full_clean()
        visit.save()
        from ..tasks import send_visit_to_confirm  # the tasks module imports the models

        send_visit_to_confirm.delay(visit.pk)
    return visit


def _locked_visit(visit: ShadowingVisit) -> ShadowingVisit:
    return (
        ShadowingVisit.objects.select_for_update(of=("self",))
        .select_related("pairing")
        .get(pk=visit.pk)
    )


def _hours_changed(visit: ShadowingVisit) -> None:
    if visit.pairing.cohort_id and visit.shadower_id:
        cohort = visit.pairing.cohort
        completion_inputs_changed(
            person_id=visit.shadower_id, programme_page_id=cohort.programme.page_id
        )


def visit_confirm(*, visit: ShadowingVisit, by: User) -> ShadowingVisit:
    """The other member confirms the visit happened as logged: its hours now count."""
    with transaction.atomic():
        locked = _locked_visit(visit)
        pairing = locked.pairing
        _require_member(pairing, by, "confirm their visits")
        if locked.logged_by_id == by.pk:
            raise PairingRefused("You logged this visit: your partner confirms it.")
        if locked.status == VisitStatus.CONFIRMED:
            return locked
        if locked.status == VisitStatus.QUERIED:
            # A queried visit was left out of the day's total: it must fit again.
            _check_day(pairing, locked.visited_on, locked.hours, exclude=locked)
        locked.status = VisitStatus.CONFIRMED
        locked.confirmed_by = by
        locked.confirmed_at = timezone.now()
        locked.query_reason = ""
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "query_reason"])
        _hours_changed(locked)
    return locked


def visit_query(*, visit: ShadowingVisit, by: User, reason: str) -> ShadowingVisit:
    """The other member says the visit is not right as logged (the date, the hours): it does
    not count until the one who logged it corrects it by logging it again."""
    reason = reason.strip()
    if not reason:
        raise PairingRefused("Say what is not right, so your partner can correct it.")
    with transaction.atomic():
        locked = _locked_visit(visit)
        _require_member(locked.pairing, by, "query their visits")
        if locked.logged_by_id == by.pk:
            raise PairingRefused("You logged this visit: delete it instead.")
        if locked.status == VisitStatus.CONFIRMED:
            raise PairingRefused("This visit is confirmed already.")
        locked.status = VisitStatus.QUERIED
        locked.query_reason = reason[:300]
        locked.save(update_fields=["status", "query_reason"])
    return locked


def visit_delete(*, visit: ShadowingVisit, by: User) -> None:
    """The one who logged a visit removes it, while it is unconfirmed."""
    with transaction.atomic():
        locked = _locked_visit(visit)
        _require_member(locked.pairing, by, "remove their visits")
        if locked.logged_by_id != by.pk:
            raise PairingRefused("Only the one who logged a visit removes it.")
        if locked.status == VisitStatus.CONFIRMED:
            raise PairingRefused("A confirmed visit is part of the record: it cannot be removed.")
        locked.delete()


def meeting_log(
    *, pairing: Pairing, by: User, met_on: datetime.date, notes: str = "", actions: str = ""
) -> PairMeeting:
    _require_member(pairing, by, "log their meetings")
    _check_date(met_on, pairing, "meeting")
    if not notes.strip() and not actions.strip():
        raise PairingRefused("Write what you talked about or what you agreed to do.")
    meeting = PairMeeting(
        pairing=pairing, met_on=met_on, notes=notes.strip(), actions=actions.strip(), logged_by=by
    )
    meeting.full_clean()
    meeting.save()
    return meeting


PROJECT_FIELDS = ("title", "problem", "aims", "measures", "status", "final_summary", "presented_on")


def project_save(*, pairing: Pairing, by: User, **fields) -> ImprovementProject:
    """Start or change the pair's improvement project (either member)."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown project fields: {sorted(unknown)}")
    _require_member(pairing, by, "change their project")
    project = ImprovementProject.objects.filter(pairing=pairing).first() or ImprovementProject(
        pairing=pairing
    )
    for name, value in fields.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    if project.status == ProjectStatus.PRESENTED and not project.final_summary:
        raise PairingRefused("Add the summary you presented to the executive team.")
    if project.presented_on and project.presented_on > timezone.localdate():
        raise PairingRefused("The presentation date is in the future.")
    project.updated_at = timezone.now()
    project.updated_by = by
    project.full_clean(exclude=["pairing"])
    project.save()
    return project


def project_comment_add(*, project: ImprovementProject, by: User, body: str) -> ProjectComment:
    """A facilitator's comment on the project, or a member's reply."""
    if not may_read_private(by, project.pairing):
        raise PairingRefused("Only the pair and their facilitators comment on the project.")
    body = body.strip()
    if not body:
        raise PairingRefused("Write a comment.")
    comment = ProjectComment(project=project, author=by, body=body)
    comment.full_clean()
    comment.save()
    return comment
