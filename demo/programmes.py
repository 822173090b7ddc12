"""The demo's Leading Together cohorts: at each demo trust a past, a current (open for
enrolment) and a future cohort, with enrolments in every state and a waiting list, so the
programme page's Enrol buttons and "My learning" show something.

Dates are relative to the day of seeding, and a cohort's name carries its season and year:
the cohort is found by programme, host trust and name, so a rerun adds nothing. Enrolments
are made only when their cohort is made. The current cohorts' enrolments go through
programmes.services, so the joint mix and the waiting list are the real ones; the past
cohorts' are written with their history directly (the services refuse a closed window).

- The first trust's current cohort has room: the demo participant (who completed its past
  cohort) can enrol in it, and has an invitation from a manager to apply together; one person
  there has withdrawn, and a clinician and a manager applied (and were enrolled) as a pair.
- The second trust's current cohort is full, with a waiting list the demo participant is on.
- The third trust's current cohort needs sponsor approval: its applications are pending, each
  naming a sponsor, who is emailed a link to approve or decline (under `make run` the worker
  prints the emails; `manage.py demo_sponsor_links` prints a working link for each).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from cms.models import ProgrammePage
from people.access import AccessRole
from people.models import CLINICAL_GROUPS
from programmes import services
from programmes.models import (
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentStatus,
    Outlook,
    Programme,
    Relationship,
)

from .logins import DEMO_LOGINS
from .run import SeedRun
from .trusts import TRUSTS

PROGRAMME_SLUG = "leading-together"
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}
SEASONS |= {6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
PARTICIPANT_EMAIL = next(
    login.person.email for login in DEMO_LOGINS if login.role == AccessRole.PARTICIPANT
)
GOALS = (
    "Understand how the directorate budget is set, and how to argue for a change to it.",
    "Learn to write a business case that finance and the clinical team would both sign off.",
    "Get to know how clinical colleagues make decisions, and bring them in earlier.",
    "Lead the change to our discharge process with the people it affects.",
)


def _season_name(place: str, starts_on: datetime.date) -> str:
    return f"{place}, {SEASONS[starts_on.month]} {starts_on.year}"


def _cohort(run: SeedRun, programme, trust, *, slot: str, today, now, **options):
    offsets = {  # starts, ends (days from today); enrolment opens, closes (days from now)
        "past": (-300, -120, -360, -310),
        "current": (35, 215, -14, 21),
        "future": (250, 430, 150, 220),
    }[slot]
    starts_on = today + datetime.timedelta(days=offsets[0])
    place = trust.name.split()[0]
    return run.get_or_create(
        Cohort,
        programme=programme,
        host_trust=trust,
        name=_season_name(place, starts_on),
        defaults={
            "starts_on": starts_on,
            "ends_on": today + datetime.timedelta(days=offsets[1]),
            "enrolment_opens_at": now + datetime.timedelta(days=offsets[2]),
            "enrolment_closes_at": now + datetime.timedelta(days=offsets[3]),
            "capacity": 12,
            "reserved_for_clinicians": 4,
            "reserved_for_managers": 4,
            "status": CohortStatus.PUBLISHED,
            **options,
        },
    )


def _people_of(run: SeedRun, trust, *, count: int) -> list:
    """``count`` people of ``trust``, clinicians and managers alternately, the same each run
    (demo logins aside: they are placed by hand)."""
    logins = {login.person.email for login in DEMO_LOGINS}
    people = sorted(
        (p for p in run.people.values() if p.trust_id == trust.pk and p.email not in logins),
        key=lambda p: p.email,
    )
    clinicians = [p for p in people if p.professional_group in CLINICAL_GROUPS]
    managers = [p for p in people if p.professional_group not in CLINICAL_GROUPS]
    mixed = [p for pair in zip(clinicians, managers, strict=False) for p in pair]
    return mixed[:count]


def _baseline(index: int) -> dict:
    return {
        "goals": GOALS[index % len(GOALS)],
        "baseline_relationship": (
            Relationship.PARTNERSHIP_WITH_TENSIONS,
            Relationship.TOLERANCE_WITH_TENSIONS,
        )[index % 2],
        "baseline_outlook": (Outlook.SAME, Outlook.BETTER, Outlook.WORSE)[index % 3],
    }


def _enrol(run: SeedRun, person, cohort, index: int):
    enrolment = services.enrolment_create(
        person=person,
        cohort=cohort,
        by=person,
        current_role=person.job_title,
        sponsor_name="Dr Morgan Reid" if cohort.requires_sponsor_approval else "",
        sponsor_email=f"morgan.reid@{cohort.host_trust.ods_code.lower()}.demo.tandem.nhs.uk"
        if cohort.requires_sponsor_approval
        else "",
        **_baseline(index),
    )
    run.created["enrolments"] += 1
    return enrolment


def _pairs(run: SeedRun, cohort, people: list, participant) -> None:
    """In the first trust's current cohort: a clinician and a manager who applied together
    (enrolled together), and a manager's open invitation to the demo participant, who sees it
    on My learning and can accept or decline it."""
    if len(people) < 3:
        return
    clinician, manager, inviter = people[0], people[1], people[3 if len(people) > 3 else 2]
    application = services.pair_invite(
        inviter=clinician,
        cohort=cohort,
        invitee_email=manager.email,
        answers={**_baseline(1), "current_role": clinician.job_title},
        message="Shall we do this one together? I would like to see how the rota is planned.",
    )
    services.pair_accept(
        application=application,
        person=manager,
        answers={**_baseline(2), "current_role": manager.job_title},
    )
    run.created["enrolments"] += 2
    if participant is not None and inviter.professional_group not in CLINICAL_GROUPS:
        services.pair_invite(
            inviter=inviter,
            cohort=cohort,
            invitee_email=participant.email,
            answers={**_baseline(3), "current_role": inviter.job_title},
            message="I manage the surgical wards: would you like to apply with me?",
        )


def _past_enrolment(run: SeedRun, person, cohort, *, status: str, index: int) -> None:
    """A finished cohort's enrolment with its history, written directly."""
    applied = cohort.enrolment_opens_at + datetime.timedelta(days=1 + index)
    finished = timezone.make_aware(datetime.datetime.combine(cohort.ends_on, datetime.time(17, 0)))
    enrolment, created = run.get_or_create(
        Enrolment,
        person=person,
        cohort=cohort,
        defaults={
            "status": status,
            "trust": person.trust,
            "professional_group": person.professional_group,
            "baseline_current_role": person.job_title,
            "created_at": applied,
            "status_changed_at": finished,
            "seated_at": applied,
            **_baseline(index),
        },
    )
    if not created:
        return
    history = [(EnrolmentAction.APPLY, "", EnrolmentStatus.ENROLLED, applied)]
    if status != EnrolmentStatus.ENROLLED:
        action = {
            EnrolmentStatus.COMPLETED: EnrolmentAction.COMPLETE,
            EnrolmentStatus.NOT_COMPLETED: EnrolmentAction.MARK_NOT_COMPLETED,
            EnrolmentStatus.WITHDRAWN: EnrolmentAction.WITHDRAW,
        }[status]
        history.append((action, EnrolmentStatus.ENROLLED, status, finished))
    for action, before, after, at in history:
        EnrolmentEvent.objects.create(
            enrolment=enrolment, action=action, from_status=before, to_status=after, at=at
        )


def seed_programmes(run: SeedRun) -> None:
    page = ProgrammePage.objects.filter(slug=PROGRAMME_SLUG).first()
    programme, _ = run.get_or_create(
        Programme,
        slug=PROGRAMME_SLUG,
        defaults={
            "title": "Leading Together",
            "page": page,
            "cpd_hours": page.cpd_hours if page else None,
            "min_attendance_percent": 80,
            "min_modules_completed": 6,
        },
    )
    today, now = timezone.localdate(), timezone.now()
    participant = run.people.get(PARTICIPANT_EMAIL)
    for number, spec in enumerate(TRUSTS):
        trust = run.trusts[spec.ods_code]
        past, made = _cohort(run, programme, trust, slot="past", today=today, now=now)
        if made:
            outcomes = [EnrolmentStatus.COMPLETED] * 6 + [
                EnrolmentStatus.NOT_COMPLETED,
                EnrolmentStatus.WITHDRAWN,
            ]
            for index, (person, status) in enumerate(
                zip(_people_of(run, trust, count=8), outcomes, strict=False)
            ):
                _past_enrolment(run, person, past, status=status, index=index)
            if number == 0 and participant is not None:
                _past_enrolment(run, participant, past, status=EnrolmentStatus.COMPLETED, index=9)

        current, made = _cohort(
            run,
            programme,
            trust,
            slot="current",
            today=today,
            now=now,
            capacity=(16, 8, 12)[number],
            reserved_for_clinicians=(4, 3, 4)[number],
            reserved_for_managers=(4, 3, 4)[number],
            requires_sponsor_approval=number == 2,
        )
        if made:
            people = _people_of(run, trust, count=(6, 11, 5)[number])
            enrolments = [_enrol(run, p, current, i) for i, p in enumerate(people)]
            if number == 0:
                services.enrolment_withdraw(
                    enrolment=enrolments[-1], by=people[-1], reason="My rota changed."
                )
                _pairs(run, current, _people_of(run, trust, count=10)[6:10], participant)
            if number == 1 and participant is not None:
                _enrol(run, participant, current, len(people))  # joins the waiting list

        _cohort(run, programme, trust, slot="future", today=today, now=now)
