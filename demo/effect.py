"""Demo data for "Does it work?" (/reports/effect/) and for board composition.

- **Board snapshots** with the executive / non-executive split for every demo trust, a few
  years back (demo.trusts seeds the 2025 and 2026 totals without the split).
- **Two earlier runs of Leading Together at the first trust** (fixed dates in 2023 and 2024,
  so every machine shows the same follow-up): 14 clinicians and 4 managers who completed,
  with their registers (demo.sessions' timetable and marks) and pairs (demo.pairing's), and
  the leadership
  appointments some of the clinicians went on to; and 24 more clinicians of the trust who
  never enrolled — the comparison group — a few of whom moved into leadership too.

The demo reporting lead (reporting-lead@, of the first trust) sees the comparison. The
figures are made up, and the difference they show is the demo's, not evidence of anything.

Runs after demo.sessions and demo.pairing (so their generators' draws for the other cohorts
stay as they were) and does for these cohorts what they do for every past cohort — the
timetable, registers, facilitator and pairs — so a rerun of those steps finds nothing to add;
before demo.certificates, which issues their completions' certificates.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from people.models import (
    CLINICAL_GROUPS,
    BoardSnapshot,
    ProfessionalGroup,
    RegistrationBody,
    RoleAppointment,
    RoleCategory,
    RoleSource,
    User,
)
from programmes.models import (
    Cohort,
    CohortFacilitator,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Programme,
)
from reports.dates import add_months

from .pairing import _past_cohorts
from .people import FIRST_NAMES, LAST_NAMES, demo_email
from .programmes import PROGRAMME_SLUG, _past_enrolment
from .run import SeedRun, step_rng
from .sessions import FACILITATOR_EMAIL, _registers, _timetable
from .trusts import FIRST_TRUST, TRUSTS

G = ProfessionalGroup
C = RoleCategory

# (recorded on, executive members, of whom clinicians, non-executives, of whom clinicians),
# per trust: the clinician share creeping up, as the policy paper hopes.
BOARDS = {
    "RXZ1": (
        (datetime.date(2022, 4, 1), 7, 2, 7, 0),
        (datetime.date(2023, 4, 1), 7, 2, 7, 1),
        (datetime.date(2024, 4, 1), 7, 2, 7, 1),
        (datetime.date(2026, 10, 1), 7, 3, 8, 2),
    ),
    "RXZ2": (
        (datetime.date(2022, 4, 1), 8, 2, 8, 1),
        (datetime.date(2023, 4, 1), 8, 3, 8, 1),
        (datetime.date(2024, 4, 1), 8, 3, 8, 1),
        (datetime.date(2026, 10, 1), 7, 3, 8, 3),
    ),
    "RXZ3": (
        (datetime.date(2022, 4, 1), 6, 2, 6, 0),
        (datetime.date(2023, 4, 1), 6, 2, 6, 0),
        (datetime.date(2024, 4, 1), 6, 2, 6, 1),
        (datetime.date(2026, 10, 1), 6, 2, 7, 2),
    ),
}

# The earlier runs: (name, starts on, ends on). Names carry "(earlier run)" so demo tests can
# tell them from demo.programmes' past / current / future cohorts.
EARLIER_RUN = "(earlier run)"
EARLIER_COHORTS = (
    (f"Wyvern, spring 2023 {EARLIER_RUN}", datetime.date(2023, 3, 7), datetime.date(2023, 9, 5)),
    (f"Wyvern, autumn 2023 {EARLIER_RUN}", datetime.date(2023, 10, 3), datetime.date(2024, 4, 2)),
)
GROUPS = (G.MEDICAL, G.NURSING_MIDWIFERY, G.ALLIED_HEALTH)
COMPLETERS_PER_COHORT = 7
MANAGERS_PER_COHORT = 2
COMPARISON_PEOPLE = 24
LEADERSHIP_TITLES = {
    G.MEDICAL: ("Clinical lead for acute medicine", C.CLINICAL_LEADERSHIP),
    G.NURSING_MIDWIFERY: ("Matron for medicine", C.CLINICAL_LEADERSHIP),
    G.ALLIED_HEALTH: ("Therapies service manager", C.MANAGEMENT),
}
JOBS = {
    G.MEDICAL: ("Specialty registrar", "ST6", "Medicine"),
    G.NURSING_MIDWIFERY: ("Senior staff nurse", "Band 6", "Medicine"),
    G.ALLIED_HEALTH: ("Occupational therapist", "Band 6", "Therapies"),
}
# Months after the start of follow-up at which people were appointed, by position in their
# group (None: not appointed, as far as the demo knows). Completers: 5 of 14 within a year,
# 9 within two. The comparison group: fewer, later.
COMPLETER_MOVES = (3, None, 7, 14, None, 10, 20, None, 5, 16, None, 22, 11, None)
COMPARISON_MOVES = (None, None, 9, None, None, None, 18, None, None, None, None, 30)


def seed_board_split(run: SeedRun) -> None:
    for spec in TRUSTS:
        for (
            recorded_on,
            executives,
            executive_clinicians,
            non_executives,
            nx_clinicians,
        ) in BOARDS.get(spec.ods_code, ()):
            run.get_or_create(
                BoardSnapshot,
                trust=run.trusts[spec.ods_code],
                recorded_on=recorded_on,
                defaults={
                    "executive_members": executives,
                    "executive_clinicians": executive_clinicians,
                    "non_executive_members": non_executives,
                    "non_executive_clinicians": nx_clinicians,
                    # The totals, as BoardSnapshot.clean derives them (full_clean checks).
                    "members": executives + non_executives,
                    "clinician_members": executive_clinicians + nx_clinicians,
                },
            )


def _registration_for(group: str, label: str, index: int) -> tuple[str, str]:
    """A well-formed registration from a range demo.people never draws from (GMC numbers
    from 8,000,000; NMC PINs of "year" 99; HCPC numbers with a leading 0), so a rerun finds
    the same person and nobody else has it."""
    serial = (0 if label == "lt" else 500) + index
    if group == G.MEDICAL:
        return RegistrationBody.GMC, str(8_000_000 + serial)
    if group == G.NURSING_MIDWIFERY:
        return RegistrationBody.NMC, f"99L{serial:04d}E"
    return RegistrationBody.HCPC, f"OT0{serial:04d}"


def _new_clinicians(run: SeedRun, trust, count: int, label: str) -> list[User]:
    """`count` clinicians of `trust` made for this step, the same on every run: the email
    carries the label and index, so a name drawn twice is still two people."""
    rng = step_rng(f"effect:{label}")
    people = []
    for index in range(count):
        group = GROUPS[index % len(GROUPS)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = demo_email(first, last).replace("@", f".{label}{index}@")
        body, number = _registration_for(group, label, index)
        title, band, directorate = JOBS[group]
        person, _ = run.get_or_create(
            User,
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "trust": trust,
                "professional_group": group,
                "job_title": title,
                "band": band,
                "directorate": directorate,
                "registration_body": body,
                "registration_number": number,
                "password": make_password(None),  # a character, not a login
            },
        )
        run.people[person.email] = person
        people.append(person)
    return people


def _appoint(run: SeedRun, person: User, start: datetime.date, months: int | None) -> None:
    if months is None:
        return
    title, category = LEADERSHIP_TITLES[person.professional_group]
    starts_on = add_months(start, months)
    run.get_or_create(
        RoleAppointment,
        person=person,
        title=title,
        starts_on=starts_on,
        defaults={
            "trust": person.trust,
            "professional_group": person.professional_group,
            "category": category,
            "source": RoleSource.HR_IMPORT,
            "recorded_at": timezone.make_aware(
                datetime.datetime.combine(starts_on, datetime.time(9))
            ),
        },
    )


def seed_effect(run: SeedRun) -> None:
    programme = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    trust = run.trusts.get(FIRST_TRUST)
    if programme is None or trust is None:
        return
    completers = _new_clinicians(run, trust, COMPLETERS_PER_COHORT * 2, "lt")
    managers = sorted(
        (
            p
            for p in run.people.values()
            if p.trust_id == trust.pk and p.professional_group not in CLINICAL_GROUPS
        ),
        key=lambda p: p.email,
    )[-MANAGERS_PER_COHORT * 2 :]
    for number, (name, starts_on, ends_on) in enumerate(EARLIER_COHORTS):
        opens = timezone.make_aware(datetime.datetime.combine(starts_on, datetime.time(9)))
        cohort, made = run.get_or_create(
            Cohort,
            programme=programme,
            host_trust=trust,
            name=name,
            defaults={
                "starts_on": starts_on,
                "ends_on": ends_on,
                "enrolment_opens_at": opens - datetime.timedelta(days=60),
                "enrolment_closes_at": opens - datetime.timedelta(days=7),
                "capacity": 12,
                "reserved_for_clinicians": 4,
                "reserved_for_managers": 2,
                "status": CohortStatus.PUBLISHED,
            },
        )
        # The demo facilitator ran them, as demo.sessions has them run the first trust's
        # other cohorts (and would link them on the next run if this did not now).
        facilitator = run.people.get(FACILITATOR_EMAIL)
        if facilitator is not None:
            run.get_or_create(CohortFacilitator, cohort=cohort, person=facilitator)
        if not made:
            continue
        chosen = completers[number * COMPLETERS_PER_COHORT : (number + 1) * COMPLETERS_PER_COHORT]
        chosen += managers[number * MANAGERS_PER_COHORT : (number + 1) * MANAGERS_PER_COHORT]
        for index, person in enumerate(chosen):
            _past_enrolment(run, person, cohort, status=EnrolmentStatus.COMPLETED, index=index)
        _registers(cohort, [session for session, _ in _timetable(run, cohort)], facilitator)
    # Their pairs, as demo.pairing makes them for every past cohort without any (with a
    # generator of this step's own, so the other cohorts' pairs stay as they were). Done here
    # and now: demo.pairing, which ran before, would otherwise pair them on the next run.
    _past_cohorts(run, step_rng("effect:pairing"), None)

    # Completers are followed from the day their completion was recorded (the cohort's end).
    finished = dict(
        Enrolment.objects.filter(
            person__in=completers, status=EnrolmentStatus.COMPLETED
        ).values_list("person_id", "cohort__ends_on")
    )
    for person, months in zip(completers, COMPLETER_MOVES, strict=True):
        if person.pk in finished:
            _appoint(run, person, finished[person.pk], months)
    # The comparison group is followed from its professional group's first completion: the
    # first earlier run's end.
    comparison = _new_clinicians(run, trust, COMPARISON_PEOPLE, "cg")
    for person, months in zip(comparison, COMPARISON_MOVES * 2, strict=True):
        _appoint(run, person, EARLIER_COHORTS[0][2], months)
