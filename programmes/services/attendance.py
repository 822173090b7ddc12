"""Writes to attendance: a whole session's register in one transaction, and a participant's
own check-in. Both record every change of a mark (AttendanceChange: who, when, old → new),
and both queue, through the outbox, the re-evaluation their change may cause (an absence
alert, a completion: programmes.tasks.attendance_changed).

**The register.** ``register_save`` takes the marks of a whole session at once (what the form
posts), under the session's row lock, so two facilitators saving the same register at once
are put in order and each sees the other's marks as changes. Only people on the register may
be marked (``selectors.register_roster``: those holding a place, and anyone marked before);
someone who got their place after the session ended is shown as such and cannot be marked.
Before the session's check-in window opens only "excused" may be recorded (an apology sent
ahead); every mark may be recorded from then on. Nothing is written if any row is refused.

**Check-in.** ``checkin`` finds the session by its code; it must be open for check-in
(``Session.checkin_is_open``: from 30 minutes before it starts until it ends) and the person
must hold a place in its cohort. A second check-in, or one after the register has already
marked the person (whatever the mark), changes nothing. It takes the session's row lock, as
the register does, so the two never race to write the same person's mark. Wrong codes are
rate-limited per person (``CHECKIN_ATTEMPTS``); a refusal says why and what to do.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import dateformat, timezone

from core.ratelimit import Limit
from people.models import User

from ..models import (
    SEATED,
    Attendance,
    AttendanceChange,
    CohortStatus,
    Enrolment,
    Mark,
    MarkSource,
    Session,
    SessionKind,
    normalise_checkin_code,
)
from ..permissions import may_take_register

NOTE_MAX = Attendance._meta.get_field("note").max_length

# Wrong codes a person may type before check-in refuses them for the rest of the window.
CHECKIN_ATTEMPTS = Limit("checkin", attempts=10, window_seconds=15 * 60)
# A check-in this long after the start is recorded as late.
LATE_AFTER = datetime.timedelta(minutes=10)


@dataclass
class RegisterResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    enrolment_ids: list[int] = field(default_factory=list)  # whose marks were written


def _queue_reevaluation(session: Session, enrolment_ids: list[int]) -> None:
    if not enrolment_ids:
        return
    from ..tasks import attendance_changed  # the tasks module imports the services

    attendance_changed.delay(session.cohort_id, sorted(enrolment_ids))


def register_save(
    *, session: Session, marks: Mapping[int, tuple[str, str]], by: User | None, now=None
) -> RegisterResult:
    """Record the register of ``session``: ``marks`` maps enrolment ids to (mark, note).
    Raises PermissionDenied if ``by`` may not take this register, ValidationError (with the
    rows refused, by enrolment id) if any row is wrong; then nothing is written."""
    if by is not None and not may_take_register(by, session):
        raise PermissionDenied("You cannot take the register of this session.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Session.objects.select_for_update(of=("self",))
            .select_related("cohort")
            .get(pk=session.pk)
        )
        if locked.is_cancelled:
            raise ValidationError("This session was cancelled: it has no register.")
        if locked.cohort.status == CohortStatus.CANCELLED:
            raise ValidationError("This cohort was cancelled: its sessions have no register.")
        roster = {
            e.pk: e
            for e in Enrolment.objects.filter(cohort_id=locked.cohort_id, pk__in=list(marks))
            .on_register(locked)
            .select_related("person")
        }
        existing = {
            a.enrolment_id: a
            for a in Attendance.objects.filter(session=locked, enrolment_id__in=list(marks))
        }
        errors = _check_rows(locked, marks, roster, now=now)
        if errors:
            raise ValidationError(errors)
        result = RegisterResult()
        # Written in bulk — new marks, changed marks, their history — so a 200-person
        # register costs the same handful of statements as a 20-person one.
        new, changed, history = [], [], []
        actor = by if by is not None and by.pk else None
        for enrolment_id, (mark, note) in marks.items():
            note = (note or "").strip()
            attendance = existing.get(enrolment_id)
            if attendance is None:
                new.append(
                    Attendance(
                        session=locked,
                        enrolment_id=enrolment_id,
                        mark=mark,
                        note=note,
                        source=MarkSource.REGISTER,
                        marked_by=actor,
                        marked_at=now,
                    )
                )
            elif (attendance.mark, attendance.note) != (mark, note):
                history.append(
                    _change_of(
                        attendance,
                        mark=mark,
                        note=note,
                        source=MarkSource.REGISTER,
                        by=actor,
                        now=now,
                    )
                )
                changed.append(attendance)
            else:
                result.unchanged += 1
                continue
            result.enrolment_ids.append(enrolment_id)
        Attendance.objects.bulk_create(new, batch_size=500)
        Attendance.objects.bulk_update(changed, CHANGED_FIELDS, batch_size=500)
        AttendanceChange.objects.bulk_create(history, batch_size=500)
        result.created, result.changed = len(new), len(changed)
        _queue_reevaluation(locked, result.enrolment_ids)
    return result


def _check_rows(session: Session, marks, roster, *, now) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    before_window = now < session.checkin_opens_at
    for enrolment_id, (mark, note) in marks.items():
        enrolment = roster.get(enrolment_id)
        if enrolment is None:
            problem = "This person is not on this session's register."
        elif not enrolment.seated_before(session.ends_at):
            problem = f"{enrolment.person} got their place after this session: leave them unmarked."
        elif mark not in Mark.values:
            problem = "Choose present, late, left early, absent or excused."
        elif len(note or "") > NOTE_MAX:
            problem = f"Keep the note to {NOTE_MAX} characters."
        elif "\x00" in (note or ""):
            problem = "The note contains a character that cannot be stored: type it again."
        elif before_window and mark != Mark.EXCUSED:
            problem = "The session has not started: only an apology (excused) can be recorded yet."
        else:
            continue
        errors[str(enrolment_id)] = [problem]
    return errors


CHANGED_FIELDS = ["mark", "note", "source", "marked_by", "marked_at"]


def _change_of(attendance: Attendance, *, mark: str, note: str, source: str, by, now):
    """Apply a new mark to ``attendance`` (unsaved) and return the history row recording
    the change (unsaved)."""
    change = AttendanceChange(
        attendance=attendance,
        from_mark=attendance.mark,
        to_mark=mark,
        from_note=attendance.note,
        to_note=note,
        source=source,
        by=by,
        at=now,
    )
    attendance.mark, attendance.note, attendance.source = mark, note, source
    attendance.marked_by, attendance.marked_at = by, now
    return change


# --- check-in --------------------------------------------------------------------------------


class CheckInRefused(Exception):
    """A check-in that cannot be recorded; the message says why and what to do."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class CheckIn:
    session: Session
    attendance: Attendance
    already: bool  # True: recorded before; this check-in changed nothing


def checkin(*, person: User, code: str, now=None) -> CheckIn:
    """Check ``person`` in to the session whose code they typed or scanned."""
    now = now or timezone.now()
    who = str(person.pk)
    if retry_after := CHECKIN_ATTEMPTS.exceeded(who):
        minutes = max(1, round(retry_after / 60))
        raise CheckInRefused(
            f"Too many codes that did not match. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}, or ask the facilitator to mark you on the register.",
            retry_after=retry_after,
        )
    session = Session.objects.filter(checkin_code=normalise_checkin_code(code)).first()
    enrolment = None
    if session is not None:
        enrolment = Enrolment.objects.filter(
            person=person, cohort_id=session.cohort_id, status__in=SEATED
        ).first()
    if session is None or enrolment is None:
        # The same answer for a code that names no session and one for a cohort the person is
        # not in: a wrong guess learns nothing. Both count against the limit.
        CHECKIN_ATTEMPTS.hit(who)
        raise CheckInRefused(
            "That code does not match a session you have a place in. Check the code on the "
            "screen (six letters and numbers) and try again."
        )
    with transaction.atomic():
        # The session's row, as the register (register_save), a reschedule and a cancellation
        # take it: a check-in and a register save of the same person are put in order (without
        # it, the second insert of their one Attendance row would fail on the unique
        # constraint), two check-ins of one person at once find each other's mark, and the
        # window is judged on the session as it is now, not as it was read above (a
        # cancellation committed in between is seen). FOR NO KEY UPDATE, so the Attendance
        # inserts' foreign-key checks on the row do not wait for it. A check-in holds it for
        # a handful of short statements, so a queue at the door is not slowed by it.
        locked = (
            Session.objects.select_for_update(no_key=True, of=("self",))
            .select_related("cohort")
            .get(pk=session.pk)
        )
        _check_window(locked, now)
        attendance = Attendance.objects.filter(session=locked, enrolment=enrolment).first()
        if attendance is not None:
            # Checked in already, or marked on the register (whatever the mark: the
            # facilitator's record stands; the page tells the person what it says).
            return CheckIn(session=locked, attendance=attendance, already=True)
        # An informal meet-up is a drop-in: arriving after its start is not being late.
        late = now > locked.starts_at + LATE_AFTER and locked.kind != SessionKind.INFORMAL_MEETUP
        attendance = Attendance.objects.create(
            session=locked,
            enrolment=enrolment,
            mark=Mark.LATE if late else Mark.PRESENT,
            source=MarkSource.CHECK_IN,
            marked_by=person,
            marked_at=now,
            checked_in_at=now,
        )
        _queue_reevaluation(locked, [enrolment.pk])
    return CheckIn(session=locked, attendance=attendance, already=False)


def _when(moment) -> str:
    """ "09:30 on Tuesday 8 December": the wall-clock time in Europe/London."""
    return dateformat.format(timezone.localtime(moment), r"H:i \o\n l j F")


def _check_window(session: Session, now) -> None:
    if session.is_cancelled:
        raise CheckInRefused(f"{session.title} was cancelled: there is nothing to check in to.")
    if now < session.checkin_opens_at:
        raise CheckInRefused(
            f"Check-in for {session.title} opens at {_when(session.checkin_opens_at)}, "
            "30 minutes before it starts."
        )
    if now >= session.ends_at:
        raise CheckInRefused(
            f"{session.title} ended at {_when(session.ends_at)}: check-in has closed. Ask the "
            "facilitator to mark you on the register."
        )


# --- absence alerts ------------------------------------------------------------------------------


def absence_alerts_raise(*, cohort_id: int, enrolment_ids: list[int] | None = None, now=None):
    """Alert (once each) the enrolled people of a cohort whose attendance at the sessions held
    so far is below their programme's minimum, and the cohort's facilitators. The alert row
    is unique per enrolment and written before its email is queued (through the outbox), so
    a second run, or two at once, alert nobody twice. Returns the alerts raised."""
    from ..models import AbsenceAlert, Cohort, EnrolmentStatus
    from .completion import attendance_counts

    now = now or timezone.now()
    cohort = Cohort.objects.select_related("programme").get(pk=cohort_id)
    minimum = cohort.programme.min_attendance_percent
    if not minimum or cohort.status == CohortStatus.CANCELLED:
        return []
    enrolments = Enrolment.objects.filter(
        cohort=cohort, status=EnrolmentStatus.ENROLLED, absence_alert__isnull=True
    )
    if enrolment_ids is not None:
        enrolments = enrolments.filter(pk__in=enrolment_ids)
    enrolments = list(enrolments)
    held = list(Session.objects.held_by(now).filter(cohort=cohort))
    counts = attendance_counts(
        enrolments, held, excused_counts=cohort.programme.excused_counts_as_attended
    )
    raised = []
    from ..tasks import send_absence_alert  # the tasks module imports the services

    for enrolment in enrolments:
        attended, expected = counts[enrolment.pk]
        if not expected or attended * 100 >= minimum * expected:
            continue
        with transaction.atomic():
            alert, created = AbsenceAlert.objects.get_or_create(
                enrolment=enrolment,
                defaults={"attendance_percent": round(100 * attended / expected, 1)},
            )
            if created:
                send_absence_alert.delay(alert.pk)
                raised.append(alert)
    return raised
