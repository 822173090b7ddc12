"""Writes to a cohort's sessions: scheduling, rescheduling, cancelling, and their facilitators.
Keyword-only, one transaction each; the admin, the demo data and the API call these.

**Who may.** Superusers and the host trust's programme administrators
(``people.permissions.may_change`` on the session's cohort); ``by=None`` is Tandem itself.
Refusals are PermissionDenied; bad data is a ValidationError, field by field, and writes
nothing.

**Telling people.** A reschedule (the start or end moves) or a cancellation bumps the
session's ``sequence`` (calendars see the change as an update: RFC 5545 SEQUENCE) and writes
a SessionNotice in the same transaction; the notice's email to every enrolled participant is
queued through the outbox, so it goes once the change is committed, and once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from people.models import User
from people.permissions import may_change

from ..models import (
    Cohort,
    NoticeKind,
    Session,
    SessionFacilitator,
    SessionNotice,
    SessionStatus,
)
from ..models.sessions import new_checkin_code
from .cohorts import _require_facilitator

# What an administrator sets on a session. The rest is Tandem's: status (cancel with
# session_cancel), sequence, the check-in code.
SESSION_FIELDS = frozenset(
    {"title", "kind", "starts_at", "ends_at", "place", "online_url", "description"}
)
# A change of these is a reschedule: participants are told and calendars updated.
WHEN = ("starts_at", "ends_at")
# Changing these updates calendars (a new SEQUENCE) without an email of its own.
CALENDAR_FIELDS = ("title", "place", "online_url", "description")


def _check_fields(values: dict) -> None:
    if unknown := set(values) - SESSION_FIELDS:
        raise TypeError(f"Not fields one may set on a session: {', '.join(sorted(unknown))}")


def _require_may_change(by, cohort: Cohort) -> None:
    if by is not None and not may_change(by, cohort):
        raise PermissionDenied("You cannot change this cohort's sessions.")


def _save_with_code(session: Session) -> None:
    """Save a new session; a clash of its random check-in code with another session's (one
    in a billion per pair) draws another."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                session.save()
            return
        except IntegrityError as error:
            if "checkin" not in str(error):
                raise
            session.checkin_code = new_checkin_code()
    raise RuntimeError("Could not draw an unused check-in code")  # pragma: no cover


def _set_facilitators(session: Session, people: Iterable[User], *, by) -> None:
    wanted = {person.pk: person for person in people}
    current = set(session.facilitator_links.values_list("person_id", flat=True))
    SessionFacilitator.objects.filter(session=session, person_id__in=current - set(wanted)).delete()
    for person_id in set(wanted) - current:
        _require_facilitator(wanted[person_id], by)
        SessionFacilitator.objects.create(session=session, person=wanted[person_id])


def session_create(
    *,
    cohort: Cohort,
    by: User | None,
    facilitators: Iterable[User] = (),
    modules: Iterable = (),
    **fields,
) -> Session:
    """Schedule a session of ``cohort`` (``fields``: names in SESSION_FIELDS)."""
    _check_fields(fields)
    _require_may_change(by, cohort)
    session = Session(cohort=cohort, **fields)
    session.full_clean(exclude=["checkin_code"])
    with transaction.atomic():
        _save_with_code(session)
        _set_facilitators(session, facilitators, by=by)
        session.modules.set(modules)
    return session


def session_update(
    *,
    session: Session,
    by: User | None,
    facilitators: Iterable[User] | None = None,
    modules: Iterable | None = None,
    reason: str = "",
    **changes,
) -> Session:
    """Change a scheduled session. Moving its start or end is a reschedule: every enrolled
    participant is emailed (``reason`` goes in the email) and calendars see an update. A
    cancelled session cannot be changed."""
    _check_fields(changes)
    _require_may_change(by, session.cohort)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.is_cancelled:
            raise ValidationError("This session was cancelled: it cannot be changed.")
        before = {name: getattr(locked, name) for name in (*WHEN, *CALENDAR_FIELDS)}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["checkin_code"])
        rescheduled = any(getattr(locked, name) != before[name] for name in WHEN)
        if rescheduled or any(getattr(locked, n) != before[n] for n in CALENDAR_FIELDS):
            locked.sequence += 1
        locked.save()
        if facilitators is not None:
            _set_facilitators(locked, facilitators, by=by)
        if modules is not None:
            locked.modules.set(modules)
        if rescheduled:
            _notify(
                locked,
                kind=NoticeKind.RESCHEDULED,
                by=by,
                reason=reason,
                previous_starts_at=before["starts_at"],
                previous_ends_at=before["ends_at"],
            )
    return locked


def session_cancel(*, session: Session, by: User | None, reason: str = "") -> Session:
    """Cancel a session: it stays on the timetable as cancelled (calendars show it so), its
    participants are emailed, and it no longer counts towards anyone's attendance. Cancelling
    it again changes nothing."""
    _require_may_change(by, session.cohort)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.is_cancelled:
            return locked
        locked.status = SessionStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason.strip()
        locked.sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "sequence"])
        _notify(locked, kind=NoticeKind.CANCELLED, by=by, reason=reason)
    return locked


def _notify(session: Session, *, kind: str, by, reason: str, **previous) -> SessionNotice:
    from ..tasks import send_session_notice  # the tasks module imports the services

    notice = SessionNotice.objects.create(
        session=session,
        sequence=session.sequence,
        kind=kind,
        by=by if by is not None and by.pk else None,
        reason=reason.strip(),
        **previous,
    )
    send_session_notice.delay(notice.pk)  # through the outbox: once this commits
    return notice


def session_facilitator_add(
    *, session: Session, person: User, by: User | None
) -> SessionFacilitator:
    """``person`` (who holds the facilitator role) facilitates ``session``: they see and take
    its register. Adding someone twice keeps the one record."""
    _require_may_change(by, session.cohort)
    _require_facilitator(person, by)
    with transaction.atomic():
        link, _ = SessionFacilitator.objects.get_or_create(session=session, person=person)
    return link


def session_facilitator_remove(*, session: Session, person: User, by: User | None) -> bool:
    _require_may_change(by, session.cohort)
    with transaction.atomic():
        deleted, _ = SessionFacilitator.objects.filter(session=session, person=person).delete()
    return bool(deleted)
