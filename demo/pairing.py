"""Demo pairs (issue 12): the past cohorts' pairs with their whole story, the first trust's
trust-wide scheme with the demo participant in an active pair, and the pair who applied
together in the first trust's current cohort, waiting for the administrator.

- **Past cohorts**: the matcher pairs their participants; each pair has confirmed visits
  both ways, monthly meetings and a project presented to the executive team (or closed), and
  ended with the cohort.
- **The scheme** ("Paired learning 2026-27", first trust, facilitated by the demo
  facilitator): Priya Shah (participant@) paired with a manager — a visit she made, confirmed;
  one the manager made of her ward round, waiting for her to confirm; two meetings; a project
  under way. Two more pairs: one busy, one gone quiet. Four members not yet paired (with a
  do-not-pair rule between two of them), so the administrator can try "Suggest pairs".
- **The current cohort** of the first trust: the pair who applied together is a proposed
  pair, for the administrator to confirm.

History is written as rows (each passes full_clean()), not through the services, because it
happened in the past; the pairs themselves are made through pairing.services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from pairing import services
from pairing.models import (
    INTERESTS,
    DoNotPair,
    ImprovementProject,
    Pairing,
    PairingProfile,
    PairingScheme,
    PairMeeting,
    ProjectComment,
    ProjectStatus,
    SchemeFacilitator,
    SchemeMember,
    ShadowingVisit,
    VisitStatus,
)
from people.models import CLINICAL_GROUPS
from programmes.models import SEATED, Cohort, Enrolment, PairApplication, PairStatus

from .logins import DEMO_LOGINS
from .programmes import PARTICIPANT_EMAIL, PROGRAMME_SLUG
from .run import SeedRun, step_rng
from .sessions import FACILITATOR_EMAIL

SCHEME_NAME = "Paired learning 2026-27"
PROJECTS = [
    ("Discharge letters the same day", "Letters reach GPs four days after discharge on average."),
    (
        "A shared view of theatre list cancellations",
        "One list in five starts late or is cut short.",
    ),
    ("Fewer agency shifts on the surgical wards", "Agency spend is 40% over budget."),
    ("A clinic template that fits the follow-up demand", "Follow-up waits grew to 19 weeks."),
    ("Business case for a virtual ward", "Frail patients stay a median of 3 extra days."),
    ("Job plans that match the rota", "Consultant job plans and the rota disagree on sessions."),
]
REFLECTIONS = {
    "clinician": [
        "How the directorate budget is built line by line, and why the vacancy factor matters.",
        "The business-planning meeting weighs every case against the same five criteria.",
        "Recruitment panels score against the person specification, not against a hunch.",
    ],
    "manager": [
        "How the ward round decides who can go home, and what holds a discharge up.",
        "The clinic runs twenty minutes late by eleven: the template has no slack.",
        "A theatre list depends on beds being free the night before.",
    ],
}
SETTINGS = {
    "clinician": ["budget_meeting", "business_planning", "recruitment_panel", "board_meeting"],
    "manager": ["ward_round", "clinic", "theatre"],
}


def _saved(obj):
    """A new demo row, valid first (demo.run's rule)."""
    obj.full_clean()
    obj.save()
    return obj


def _interests(run: SeedRun, people, rng) -> None:
    keys = [key for key, _ in INTERESTS]
    for person in people:
        run.get_or_create(
            PairingProfile,
            person=person,
            defaults=lambda: {"interests": sorted(rng.sample(keys, rng.randint(1, 3)))},
        )


def _visit(pairing, *, shadower, on, hours, side: str, index: int, confirmed: bool = True):
    partner = pairing.manager if shadower == pairing.clinician else pairing.clinician
    visit = ShadowingVisit(
        pairing=pairing,
        shadower=shadower,
        visited_on=on,
        hours=Decimal(hours),
        setting=SETTINGS[side][index % len(SETTINGS[side])],
        reflection=REFLECTIONS[side][index % len(REFLECTIONS[side])],
        logged_by=shadower,
        status=VisitStatus.CONFIRMED if confirmed else VisitStatus.LOGGED,
        confirmed_by=partner if confirmed else None,
        confirmed_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(18)))
        if confirmed
        else None,
    )
    visit.full_clean()
    visit.save()


def _meeting(pairing, *, on, number: int, by) -> None:
    meeting = PairMeeting(
        pairing=pairing,
        met_on=on,
        notes=f"Meeting {number}: what each of us saw since last time, and what puzzled us.",
        actions="Book the next shadowing visit; draft the project's measures.",
        logged_by=by,
    )
    meeting.full_clean()
    meeting.save()


def _project(pairing, index: int, *, status: str, presented_on=None) -> ImprovementProject:
    title, problem = PROJECTS[index % len(PROJECTS)]
    project = ImprovementProject(
        pairing=pairing,
        title=title,
        problem=problem,
        aims="Halve the gap within six months, without adding staff.",
        measures="Weekly run chart from the existing reports; staff and patient comments.",
        status=status,
        presented_on=presented_on,
        final_summary=(
            "We mapped the process together from both sides, tested two changes on one ward, "
            "and the measure moved in the right direction for eight weeks running."
        )
        if status in (ProjectStatus.PRESENTED, ProjectStatus.CLOSED)
        else "",
        updated_by=pairing.clinician,
    )
    project.full_clean(exclude=["pairing"])
    project.save()
    return project


def _history(pairing, *, start: datetime.date, end: datetime.date, index: int, rng) -> None:
    """Visits both ways, monthly meetings, a project: a pair that did the programme."""
    span = max((end - start).days, 30)
    for n in range(3):
        on = start + datetime.timedelta(days=span * (n + 1) // 5 + rng.randint(0, 6))
        _visit(
            pairing,
            shadower=pairing.clinician,
            on=on,
            hours=("3", "4", "2.5")[n],
            side="clinician",
            index=n + index,
        )
        _visit(
            pairing,
            shadower=pairing.manager,
            on=on + datetime.timedelta(days=7),
            hours=("4", "3.5", "3")[n],
            side="manager",
            index=n + index,
        )
    for n in range(0, span // 30):
        _meeting(
            pairing,
            on=start + datetime.timedelta(days=30 * n + 10),
            number=n + 1,
            by=pairing.clinician,
        )


def _past_cohorts(run: SeedRun, rng, facilitator) -> None:
    cohorts = Cohort.objects.filter(
        programme__slug=PROGRAMME_SLUG, ends_on__lt=timezone.localdate()
    )
    for cohort in cohorts.order_by("host_trust_id", "starts_on"):
        if Pairing.objects.filter(cohort=cohort).exists():
            continue  # paired on an earlier run
        people = [
            e.person
            for e in Enrolment.objects.filter(cohort=cohort, status__in=SEATED).select_related(
                "person"
            )
        ]
        _interests(run, people, rng)
        suggestion = services.suggestions_for(cohort).suggestion
        by_id = {p.pk: p for p in people}
        made = services.pairings_create_many(
            group=cohort,
            pairs=[(by_id[p.clinician_id], by_id[p.manager_id]) for p in suggestion.pairs],
            by=None,
            notify=False,
        )
        for index, pairing in enumerate(made):
            Pairing.objects.filter(pk=pairing.pk).update(
                proposed_at=timezone.make_aware(
                    datetime.datetime.combine(cohort.starts_on, datetime.time(9))
                ),
                started_on=cohort.starts_on + datetime.timedelta(days=7),
                goals="See each other's work first-hand, and fix one thing we both see from "
                "different sides.",
            )
            pairing.refresh_from_db()
            _history(pairing, start=pairing.started_on, end=cohort.ends_on, index=index, rng=rng)
            status = ProjectStatus.PRESENTED if index % 3 else ProjectStatus.CLOSED
            project = _project(
                pairing,
                index,
                status=status,
                presented_on=cohort.ends_on - datetime.timedelta(days=10),
            )
            if facilitator is not None and index == 0:
                _saved(
                    ProjectComment(
                        project=project,
                        author=facilitator,
                        body="A clear run chart: show the executive team the week the change "
                        "went in.",
                    )
                )
            services.pairing_end(pairing=pairing, by=None, reason="The cohort finished.")
            Pairing.objects.filter(pk=pairing.pk).update(ended_on=cohort.ends_on)
        run.created["pairings"] += len(made)


def _people(run: SeedRun, trust) -> tuple[list, list]:
    logins = {login.person.email for login in DEMO_LOGINS}
    people = sorted(
        (p for p in run.people.values() if p.trust_id == trust.pk and p.email not in logins),
        key=lambda p: p.email,
    )
    clinicians = [p for p in people if p.professional_group in CLINICAL_GROUPS]
    managers = [
        p for p in people if p.professional_group and p.professional_group not in CLINICAL_GROUPS
    ]
    # From the far end of the list: the cohorts' people come from its start (demo.programmes).
    return clinicians[::-1], managers[::-1]


def _scheme(run: SeedRun, rng, participant, facilitator) -> None:
    if participant is None or participant.trust is None:
        return
    today = timezone.localdate()
    trust = participant.trust
    scheme, created = run.get_or_create(
        PairingScheme,
        trust=trust,
        name=SCHEME_NAME,
        defaults={
            "description": "Clinicians and managers of the trust paired for nine months: monthly "
            "meetings, shadowing each other, and a joint improvement project for the executive "
            "team, after Imperial College Healthcare's paired-learning pilot.",
            "starts_on": today - datetime.timedelta(days=70),
            "ends_on": today + datetime.timedelta(days=200),
            "target_shadowing_hours": Decimal("12"),
            "quiet_after_weeks": 4,
        },
    )
    if not created:
        return
    if facilitator is not None:
        _saved(SchemeFacilitator(scheme=scheme, person=facilitator))
    clinicians, managers = _people(run, trust)
    clinicians, managers = [participant, *clinicians[:4]], managers[:5]
    for person in (*clinicians, *managers):
        _saved(SchemeMember(scheme=scheme, person=person))
    _interests(run, [*clinicians, *managers], rng)
    started = today - datetime.timedelta(days=63)
    pairs = services.pairings_create_many(
        group=scheme,
        pairs=[
            (clinicians[0], managers[0]),
            (clinicians[1], managers[1]),
            (clinicians[2], managers[2]),
        ],
        by=None,
        notify=False,
    )
    Pairing.objects.filter(pk__in=[p.pk for p in pairs]).update(
        started_on=started,
        proposed_at=timezone.now() - datetime.timedelta(days=65),
        goals="Understand how the other plans a week, and what a good day looks like for each "
        "of us.",
    )
    mine, busy, quiet = (Pairing.objects.get(pk=p.pk) for p in pairs)
    # Priya's pair: her visit to a budget meeting (confirmed), the manager's visit to her ward
    # round waiting for her to confirm, two meetings, a project under way.
    _visit(
        mine,
        shadower=mine.clinician,
        on=today - datetime.timedelta(days=30),
        hours="3",
        side="clinician",
        index=0,
    )
    _visit(
        mine,
        shadower=mine.manager,
        on=today - datetime.timedelta(days=4),
        hours="4",
        side="manager",
        index=0,
        confirmed=False,
    )
    _meeting(mine, on=started + datetime.timedelta(days=3), number=1, by=mine.manager)
    _meeting(mine, on=today - datetime.timedelta(days=25), number=2, by=mine.clinician)
    project = _project(mine, 0, status=ProjectStatus.UNDER_WAY)
    if facilitator is not None:
        _saved(
            ProjectComment(
                project=project,
                author=facilitator,
                body="Good problem. Agree one measure you can count every week from existing data.",
            )
        )
    _history(busy, start=started, end=today - datetime.timedelta(days=3), index=1, rng=rng)
    _project(busy, 1, status=ProjectStatus.PLANNING)
    # The quiet pair met once, seven weeks ago, and nothing since.
    _meeting(quiet, on=today - datetime.timedelta(days=49), number=1, by=quiet.clinician)
    # Two of the unpaired are kept apart.
    low, high = sorted([clinicians[3], managers[3]], key=lambda p: p.pk)
    _saved(
        DoNotPair(
            person_a=low, person_b=high, reason="Same ward: one line-manages the other's rota."
        )
    )
    run.created["pairings"] += 3


def _applied_together() -> None:
    """The pairs who applied together, as proposed pairs (the receiver does this when their
    enrolments commit; the demo's one transaction commits after every step, so here too)."""
    applications = PairApplication.objects.filter(
        status=PairStatus.ACCEPTED, cohort__programme__slug=PROGRAMME_SLUG
    ).select_related("inviter", "invitee", "cohort")
    for application in applications:
        services.pairing_from_application(application=application)


def seed_pairing(run: SeedRun) -> None:
    rng = step_rng("pairing")
    participant = run.people.get(PARTICIPANT_EMAIL)
    facilitator = run.people.get(FACILITATOR_EMAIL)
    _applied_together()
    _past_cohorts(run, rng, facilitator)
    _scheme(run, rng, participant, facilitator)
