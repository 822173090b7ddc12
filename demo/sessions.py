"""The demo's sessions and attendance: every Leading Together cohort gets its timetable, the
past cohorts their registers (marks that agree with who completed), and the first trust's
cohorts the demo facilitator.

- Past cohorts: six sessions, held, with a mark for everyone who held a place: those who
  completed attended at least five, those who did not attended two; one mark was corrected
  after the event (so the register's changes list has an entry).
- Current cohorts: six sessions over the cohort's dates (one cancelled, with its reason), and
  at the first trust a drop-in welcome coffee on the day of seeding, 08:00 to 20:00, so its
  check-in code works and the facilitator's live view fills while the demo is tried that day.
- The demo facilitator (Niamh Gallagher) facilitates the first trust's past and current
  cohorts: "Sessions I run" (/learn/facilitate/) lists their registers.

Sessions are found by cohort and title, so a rerun adds nothing; marks are made only with a
new session.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from people.access import AccessRole
from programmes.models import (
    SEATED,
    Attendance,
    AttendanceChange,
    Cohort,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionKind,
    SessionStatus,
)

from .logins import DEMO_LOGINS
from .programmes import PROGRAMME_SLUG
from .run import SeedRun

FACILITATOR_EMAIL = next(
    login.person.email for login in DEMO_LOGINS if login.role == AccessRole.FACILITATOR
)
TIMETABLE = (
    ("Welcome and the relationship we want", SessionKind.WORKSHOP),
    ("Reading a directorate budget together", SessionKind.WORKSHOP),
    ("Action-learning set 1: a live problem from each pair", SessionKind.ACTION_LEARNING_SET),
    ("Writing a business case both sides sign", SessionKind.WORKSHOP),
    ("Shadowing debrief: what the other role taught me", SessionKind.SHADOWING_DEBRIEF),
    ("Leading change on a ward: the discharge project", SessionKind.WORKSHOP),
)
WELCOME_COFFEE = "Drop-in welcome coffee"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _timetable(run: SeedRun, cohort: Cohort) -> list[tuple[Session, bool]]:
    span = (cohort.ends_on - cohort.starts_on).days
    sessions = []
    for number, (title, kind) in enumerate(TIMETABLE):
        day = cohort.starts_on + datetime.timedelta(days=span * number // len(TIMETABLE))
        day += datetime.timedelta(days=(1 - day.weekday()) % 7)  # on a Tuesday, as they run
        day = min(day, cohort.ends_on)
        online = kind == SessionKind.ACTION_LEARNING_SET
        sessions.append(
            run.get_or_create(
                Session,
                cohort=cohort,
                title=title,
                defaults={
                    "kind": kind,
                    "starts_at": _at(day, 9, 30),
                    "ends_at": _at(day, 12, 30 if not online else 0),
                    "place": "" if online else "Education Centre, Seminar Room 2",
                    "online_url": "https://meet.example.nhs.uk/leading-together" if online else "",
                    "description": "Bring a question from your own service.",
                },
            )
        )
    return sessions


def _registers(cohort: Cohort, sessions: list[Session], facilitator) -> None:
    """Marks for a held cohort's new sessions that agree with each person's outcome."""
    seated = list(Enrolment.objects.filter(cohort=cohort, status__in=SEATED).order_by("pk"))
    marks = []
    for index, enrolment in enumerate(seated):
        completed = enrolment.status == EnrolmentStatus.COMPLETED
        for number, session in enumerate(sessions):
            if completed:
                mark = "present" if number != (index % 6) else ("late", "excused")[index % 2]
            else:
                mark = "present" if number < 2 else "absent"
            marks.append(
                Attendance(
                    session=session,
                    enrolment=enrolment,
                    mark=mark,
                    source="register",
                    marked_by=facilitator,
                    marked_at=session.ends_at,
                )
            )
    Attendance.objects.bulk_create(marks)
    corrected = (
        Attendance.objects.filter(session=sessions[1], mark="present").order_by("pk").first()
    )
    if corrected is not None:  # the facilitator put right a mark after the session
        AttendanceChange.objects.create(
            attendance=corrected,
            from_mark="absent",
            to_mark="present",
            to_note="Arrived after the break: signed the paper sheet.",
            source="register",
            by=facilitator,
            at=sessions[1].ends_at + datetime.timedelta(hours=2),
        )
        Attendance.objects.filter(pk=corrected.pk).update(
            note="Arrived after the break: signed the paper sheet."
        )


def seed_sessions(run: SeedRun) -> None:
    facilitator = run.people.get(FACILITATOR_EMAIL)
    today, now = timezone.localdate(), timezone.now()
    cohorts = Cohort.objects.filter(programme__slug=PROGRAMME_SLUG).select_related("host_trust")
    first_trust = min((c.host_trust_id for c in cohorts), default=None)
    for cohort in cohorts.order_by("host_trust_id", "starts_on"):
        made = _timetable(run, cohort)
        sessions = [session for session, _ in made]
        held = cohort.ends_on < today
        if held and any(created for _, created in made):
            _registers(cohort, sessions, facilitator)
        if not held and cohort.starts_on > today and made[-1][1]:
            # One session of each running cohort is cancelled, so its notice and calendars'
            # STATUS:CANCELLED have something to show.
            Session.objects.filter(pk=sessions[3].pk).update(
                status=SessionStatus.CANCELLED,
                cancelled_at=now,
                cancel_reason="The education centre is closed for refurbishment that week.",
                sequence=1,
            )
        if cohort.host_trust_id == first_trust and facilitator is not None:
            if cohort.starts_on <= today + datetime.timedelta(days=60):
                run.get_or_create(CohortFacilitator, cohort=cohort, person=facilitator)
            if not held and cohort.starts_on > today and cohort.enrolment_opens_at <= now:
                run.get_or_create(
                    Session,
                    cohort=cohort,
                    title=WELCOME_COFFEE,
                    defaults={
                        "kind": SessionKind.INFORMAL_MEETUP,
                        "starts_at": _at(today, 8),
                        "ends_at": _at(today, 20),
                        "place": "Staff restaurant, the window tables",
                        "description": "Meet the others on the programme before it starts: "
                        "clinicians and managers, over a coffee.",
                    },
                )
