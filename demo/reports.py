"""What the reporting lead's dashboard (/reports/) needs beyond the Leading Together cohorts:
a finished cohort long enough ago that its clinicians have reached their 12- and 24-month
follow-up days, with role histories that show clinicians moving into leadership afterwards.

- A second programme, "Clinicians into management" (a pilot that ran before Leading
  Together), so the dashboard's programme filter has something to choose. No certificates:
  it predates them (demo.certificates issues Leading Together's only).
- Its one cohort at the first trust, about two and a half years ago: 14 clinicians and 6
  managers, 12 clinicians completing. Of the clinicians, 2 already held a leadership role
  when they enrolled, 6 held one 12 months after completing, 7 at 24 months — and enough
  answers to the baseline relationship question in each category to show beside the paper.
  Its six sessions and registers are Leading Together's (demo.sessions), marked as each
  outcome implies.

Dates are relative to the day of seeding; the cohort is found by programme, trust and name,
so a rerun adds nothing (demo.run's rules).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from people.models import CLINICAL_GROUPS, RoleAppointment, RoleCategory, RoleSource
from programmes.models import (
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentStatus,
    Programme,
)

from .logins import DEMO_LOGINS
from .role_history import ROLE_HISTORY
from .run import SeedRun
from .sessions import FACILITATOR_EMAIL, _registers, _timetable
from .trusts import FIRST_TRUST

PILOT_SLUG = "clinicians-into-management"
# Baseline answers (1 strong partnership … 4 persistent tensions), one per enrolment.
ANSWERS = (2, 3, 2, 4, 3, 2, 1, 3, 2, 4, 2, 3, 1, 4, 2, 3, 4, 1, 2, 4)
# For the clinicians who complete, in order: (months after completing the leadership role
# began — negative: before they enrolled —, its category and title). None: no such role.
C = RoleCategory
MOVES = (
    (-30, C.CLINICAL_LEADERSHIP, "Clinical lead for acute medicine"),
    (-18, C.MANAGEMENT, "Deputy service manager, outpatients"),
    (3, C.CLINICAL_LEADERSHIP, "Clinical lead for theatres"),
    (6, C.MANAGEMENT, "Service manager, therapies"),
    (8, C.CLINICAL_LEADERSHIP, "Matron for medicine"),
    (11, C.CLINICAL_LEADERSHIP, "Clinical director for women's services"),
    (15, C.CLINICAL_LEADERSHIP, "Chief registrar"),
    # Begun after the 24-month day: in the role history, not yet in the 24-month figure.
    (26, C.BOARD_NON_EXECUTIVE, "Non-executive director, community trust"),
    (28, C.CLINICAL_LEADERSHIP, "Associate medical director for quality"),
    None,
    None,
    None,
)


def _day(today: datetime.date, days: int) -> datetime.date:
    return today + datetime.timedelta(days=days)


def _months_after(day: datetime.date, months: int) -> datetime.date:
    return day + datetime.timedelta(days=round(months * 30.44))


def _people(run: SeedRun, trust) -> tuple[list, list]:
    """The first trust's clinicians and managers, in a fixed order, leaving out the demo
    logins and the people Leading Together's cohorts took first."""
    # Not the demo logins, nor the people whose role history demo.role_history tells.
    taken = {login.person.email for login in DEMO_LOGINS} | {s.email for s in ROLE_HISTORY}
    people = sorted(
        (p for p in run.people.values() if p.trust_id == trust.pk and p.email not in taken),
        key=lambda p: p.email,
        reverse=True,
    )
    clinicians = [p for p in people if p.professional_group in CLINICAL_GROUPS]
    managers = [p for p in people if p.professional_group not in CLINICAL_GROUPS]
    return clinicians[:14], managers[:6]


def _enrolment(run: SeedRun, person, cohort, *, status: str, index: int, applied, finished):
    enrolment, created = run.get_or_create(
        Enrolment,
        person=person,
        cohort=cohort,
        defaults={
            "status": status,
            "trust": person.trust,
            "professional_group": person.professional_group,
            "baseline_current_role": person.job_title,
            "baseline_relationship": ANSWERS[index % len(ANSWERS)],
            "created_at": applied,
            "status_changed_at": finished,
            "seated_at": applied,
        },
    )
    if created:
        action = {
            EnrolmentStatus.COMPLETED: EnrolmentAction.COMPLETE,
            EnrolmentStatus.NOT_COMPLETED: EnrolmentAction.MARK_NOT_COMPLETED,
        }[status]
        for act, before, after, at in (
            (EnrolmentAction.APPLY, "", EnrolmentStatus.ENROLLED, applied),
            (action, EnrolmentStatus.ENROLLED, status, finished),
        ):
            EnrolmentEvent.objects.create(
                enrolment=enrolment, action=act, from_status=before, to_status=after, at=at
            )
    return created


def seed_reports(run: SeedRun) -> None:
    programme, _ = run.get_or_create(
        Programme,
        slug=PILOT_SLUG,
        defaults={"title": "Clinicians into management (pilot)", "min_attendance_percent": 75},
    )
    trust = run.trusts[FIRST_TRUST]
    today, now = timezone.localdate(), timezone.now()
    starts_on, ends_on = _day(today, -960), _day(today, -800)
    cohort, made = run.get_or_create(
        Cohort,
        programme=programme,
        host_trust=trust,
        name=f"{trust.name.split()[0]} pilot, {starts_on:%B %Y}",
        defaults={
            "starts_on": starts_on,
            "ends_on": ends_on,
            "enrolment_opens_at": now - datetime.timedelta(days=1020),
            "enrolment_closes_at": now - datetime.timedelta(days=970),
            "capacity": 20,
            "reserved_for_clinicians": 8,
            "reserved_for_managers": 6,
            "status": CohortStatus.PUBLISHED,
        },
    )
    if not made:
        return
    applied = timezone.make_aware(datetime.datetime.combine(_day(today, -1000), datetime.time(9)))
    finished = timezone.make_aware(datetime.datetime.combine(ends_on, datetime.time(17)))
    # Its timetable and registers, as Leading Together's past cohorts have (demo.sessions).
    sessions = [session for session, _ in _timetable(run, cohort)]
    clinicians, managers = _people(run, trust)
    for index, person in enumerate(clinicians + managers):
        is_clinician = index < len(clinicians)
        status = (
            EnrolmentStatus.NOT_COMPLETED
            if is_clinician and index >= len(MOVES)
            else EnrolmentStatus.COMPLETED
        )
        _enrolment(run, person, cohort, status=status, index=index,
                   applied=applied, finished=finished)  # fmt: skip
        if not is_clinician or index >= len(MOVES) or MOVES[index] is None:
            continue
        months, category, title = MOVES[index]
        begins = _months_after(ends_on, months)
        run.get_or_create(
            RoleAppointment,
            person=person,
            title=title,
            starts_on=begins,
            defaults={
                "trust": person.trust,
                "professional_group": person.professional_group,
                "category": category,
                "source": RoleSource.HR_IMPORT,
                "recorded_at": timezone.make_aware(
                    datetime.datetime.combine(begins, datetime.time(9))
                ),
            },
        )
    _registers(cohort, sessions, run.people.get(FACILITATOR_EMAIL))
