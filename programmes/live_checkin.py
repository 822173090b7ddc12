"""The read behind the facilitator's live check-in view (programmes.checkin_views): who is
expected at a session, who has checked in, who the register has marked, and who has not come
yet. Two queries whatever the headcount: the register's enrolments with their people, and the
session's attendance rows.

Who is expected is the register's list (``Enrolment.objects.on_register``: those holding a
place in the cohort, and anyone marked at the session before), less anyone who got their
place after the session ended (the register shows them, but they cannot be marked).

The caller has already checked that the viewer may take this session's register
(programmes.permissions.register_sessions): everyone on it is theirs to see. The roster is
deliberately not narrowed by ``visible(user, Enrolment)``, which a session's own facilitator
(not the cohort's) would pass for none of them, though they take this very register.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .models import ATTENDED, Attendance, Enrolment, Mark, MarkSource, Session


@dataclass(frozen=True)
class LiveRow:
    enrolment: Enrolment
    attendance: Attendance | None

    @property
    def name(self) -> str:
        person = self.enrolment.person
        return person.get_full_name() or person.email

    @property
    def professional_group(self) -> str:
        # The group they enrolled as (reports group by it), not today's profile.
        return self.enrolment.get_professional_group_display()

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None and self.attendance.source == MarkSource.CHECK_IN

    @property
    def at(self) -> datetime.datetime | None:
        """When they checked in, or when the register marked them."""
        if self.attendance is None:
            return None
        return self.attendance.checked_in_at or self.attendance.marked_at

    @property
    def mark_label(self) -> str:
        return self.attendance.get_mark_display() if self.attendance else ""

    @property
    def is_late(self) -> bool:
        return self.attendance is not None and self.attendance.mark == Mark.LATE


@dataclass
class LiveRegister:
    session: Session
    now: datetime.datetime
    here: list[LiveRow] = field(default_factory=list)  # checked in or marked as attending
    not_here: list[LiveRow] = field(default_factory=list)  # marked absent or excused
    not_yet: list[LiveRow] = field(default_factory=list)  # no mark at all

    @property
    def expected(self) -> int:
        return len(self.here) + len(self.not_here) + len(self.not_yet)

    @property
    def not_arrived_count(self) -> int:
        return len(self.not_here) + len(self.not_yet)

    @property
    def checked_in_count(self) -> int:
        return sum(row.checked_in for row in self.here)

    @property
    def marked_count(self) -> int:
        """Of those here, how many the register marked (rather than their own check-in)."""
        return len(self.here) - self.checked_in_count

    @property
    def is_open(self) -> bool:
        return self.session.checkin_is_open(self.now)

    @property
    def has_ended(self) -> bool:
        return self.now >= self.session.ends_at


def live_register(session: Session, *, now: datetime.datetime | None = None) -> LiveRegister:
    """Where everyone on ``session``'s register stands now, in two queries."""
    now = now or timezone.now()
    enrolments = (
        Enrolment.objects.on_register(session)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "pk")
    )
    marks = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    board = LiveRegister(session=session, now=now)
    for enrolment in enrolments:
        attendance = marks.get(enrolment.pk)
        if attendance is None:
            if enrolment.seated_at is not None and enrolment.seated_at >= session.ends_at:
                continue  # got their place after the session: not expected at it
            board.not_yet.append(LiveRow(enrolment, None))
        elif attendance.mark in ATTENDED:
            board.here.append(LiveRow(enrolment, attendance))
        else:
            board.not_here.append(LiveRow(enrolment, attendance))
    # The latest arrival first: the facilitator at the door looks for who just came in.
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    board.here.sort(key=lambda row: row.at or epoch, reverse=True)
    return board
