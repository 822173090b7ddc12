"""Role histories: every clinician's clinical post and every manager's, and the moves into
leadership an effect estimate looks for.

Clinicians who completed a programme move into a leadership, management or board role more
often, and sooner, than those who enrolled and did not complete, who in turn move more often
than clinicians who never enrolled (the comparison group of PRODUCT.md §3, "Does it work?").
Moves are recorded only once they have started, so recent completers are still being
followed (censored). Some clinicians already held a leadership role before they enrolled.
"""

from __future__ import annotations

import datetime

from people.models import CLINICAL_GROUPS, ProfessionalGroup, RoleAppointment, RoleCategory
from people.models import RoleSource as Source

from ..people import JOBS, MEDICAL_GRADES
from .plan import ScaleRun, at, chance, pick
from .writer import Writer, next_id

G = ProfessionalGroup
C = RoleCategory
DAY = datetime.timedelta(days=1)

LEADERSHIP_TITLES = {
    G.MEDICAL: ("Clinical lead", "Clinical director", "Divisional director", "Chief registrar",
                "Associate medical director"),
    G.NURSING_MIDWIFERY: ("Matron", "Lead nurse", "Head of nursing", "Deputy chief nurse",
                          "Head of midwifery"),
    G.ALLIED_HEALTH: ("Therapies lead", "Head of therapies", "Clinical lead, rehabilitation"),
    G.HEALTHCARE_SCIENCE: ("Head of healthcare science", "Clinical director for pathology"),
    G.PHARMACY: ("Chief pharmacist", "Clinical director of pharmacy"),
}  # fmt: skip
MANAGEMENT_TITLES = ("Service manager", "General manager", "Associate director of operations",
                     "Deputy director of operations")  # fmt: skip
BOARD_TITLES = {G.MEDICAL: "Medical director", G.NURSING_MIDWIFERY: "Chief nurse"}
OTHER_BOARD_TITLES = ("Chief operating officer", "Director of strategy", "Director of finance")
MOVE_CATEGORY = {C.CLINICAL_LEADERSHIP: 74, C.MANAGEMENT: 20, C.BOARD_EXECUTIVE: 4,
                 C.BOARD_NON_EXECUTIVE: 2}  # fmt: skip
SOURCES = {Source.HR_IMPORT: 60, Source.SELF_REPORT: 30, Source.ADMINISTRATOR: 10}

# Chance of a move into leadership, and when (days after the start of the window).
AFTER_COMPLETING = (0.34, 60, 760)  # within about two years of the cohort's end
AFTER_ENROLLING = (0.14, 90, 1100)  # enrolled but did not complete
NEVER_ENROLLED = 0.16  # at any time in the six years: about 5% in any two


def _leadership_title(rng, group: str, category: str) -> str:
    if category == C.CLINICAL_LEADERSHIP:
        return rng.choice(LEADERSHIP_TITLES[group])
    if category == C.MANAGEMENT:
        return rng.choice(MANAGEMENT_TITLES)
    if category == C.BOARD_EXECUTIVE:
        return BOARD_TITLES.get(group) or rng.choice(OTHER_BOARD_TITLES)
    return "Non-executive director"


def _earlier_title(rng, group: str, kind: str, current: str) -> str:
    if group == G.MEDICAL:
        titles = {title for _, title, _ in MEDICAL_GRADES if title}
    else:
        titles = {job.title for job in JOBS[group, kind]}
    return rng.choice(sorted(titles - {current}) or [f"{current} (previous trust)"])


def _move_day(run: ScaleRun, rng, person) -> datetime.date | None:
    """When this clinician moved into leadership, or None."""
    facts = run.enrolled.get(person.id, [])
    completed = sorted(f.cohort_ends_on for f in facts if f.status == "completed")
    if completed:
        p, low, high = AFTER_COMPLETING
        start = completed[0]
    elif facts:
        p, low, high = AFTER_ENROLLING
        start = min(f.enrolled_on for f in facts)
    else:
        p, low, high = NEVER_ENROLLED, 0, (run.today - run.start).days
        start = run.start
    if not chance(rng, p):
        return None
    # A triangular spread: moves most often about a year after the start.
    day = start + datetime.timedelta(days=round(rng.triangular(low, high, (low + high) / 3)))
    return day if day <= run.today else None  # not started yet: still being followed


def seed_role_appointments(run: ScaleRun, writer: Writer) -> None:
    rng = run.step_rng("roles")
    kinds = run.trust_kind
    moves: dict[int, list[tuple]] = {}  # person id -> [(title, category, starts, ends)]
    for person in run.people:
        clinical = person.group in CLINICAL_GROUPS
        facts = run.enrolled.get(person.id)
        planned = []
        if clinical:
            if facts and chance(rng, 0.10):  # a leader already before enrolling
                first = min(f.enrolled_on for f in facts)
                began = first - datetime.timedelta(days=rng.randint(90, 1800))
                planned.append((_leadership_title(rng, person.group, C.CLINICAL_LEADERSHIP),
                                C.CLINICAL_LEADERSHIP, began, None))  # fmt: skip
            day = _move_day(run, rng, person)
            if day is not None:
                category = pick(rng, MOVE_CATEGORY)
                title = _leadership_title(rng, person.group, category)
                if not any(t == title for t, *_ in planned):
                    planned.append((title, category, day, None))
        elif chance(rng, 0.15):  # a manager's promotion, or a seat on the board
            category = C.BOARD_EXECUTIVE if chance(rng, 0.1) else C.MANAGEMENT
            title = _leadership_title(rng, person.group, category)
            if title != person.job_title:
                day = run.start + datetime.timedelta(
                    days=rng.randint(0, (run.today - run.start).days)
                )
                planned.append((title, category, day, None))
        if planned:
            moves[person.id] = planned

    target = run.volumes.role_appointments
    moved = sum(len(v) for v in moves.values())
    if moved > target:  # tiny runs: keep the moves of as many people as fit
        kept, total = {}, 0
        for person_id, planned in moves.items():
            if total + len(planned) <= target:
                kept[person_id], total = planned, total + len(planned)
        moves, moved = kept, total
    bases = target - moved
    # Who has a recorded post of their own (everyone, if the volume allows: else a sample),
    # and who also has an earlier one, to make up the volume.
    people = list(run.people)
    with_base = people if bases >= len(people) else rng.sample(people, bases)
    earlier = set()
    if bases > len(people):
        earlier = {p.id for p in rng.sample(people, min(len(people), bases - len(people)))}

    first = next_id(RoleAppointment)

    def rows():
        n = first
        base_ids = {p.id for p in with_base}
        for person in people:
            planned = list(moves.get(person.id, []))
            if person.id in base_ids:
                category = C.CLINICAL if person.group in CLINICAL_GROUPS else C.MANAGEMENT
                firsts = [s for _, _, s, _ in planned] + [
                    f.enrolled_on for f in run.enrolled.get(person.id, [])
                ]
                began = min(firsts or [run.today]) - datetime.timedelta(days=rng.randint(180, 4000))
                ends = None
                later = sorted(s for _, c, s, _ in planned if c != C.BOARD_NON_EXECUTIVE)
                if later and chance(rng, 0.5):  # left the clinical post for the new role
                    ends = later[-1] - DAY
                planned.append((person.job_title, category, began, ends))
                if person.id in earlier:
                    title = _earlier_title(
                        rng, person.group, kinds[person.trust_id], person.job_title
                    )
                    planned.append(
                        (
                            title,
                            category,
                            began - datetime.timedelta(days=rng.randint(365, 2500)),
                            began - DAY,
                        )
                    )
            seen = set()
            for title, category, starts_on, ends_on in planned:
                if (title, starts_on) in seen:
                    continue
                seen.add((title, starts_on))
                source = pick(rng, SOURCES)
                recorded = min(
                    run.now, at(starts_on + datetime.timedelta(days=rng.randint(0, 60)), 10)
                )
                yield (n, person.id, person.trust_id, person.group, title[:200], category,
                       starts_on, ends_on, source, None, recorded)  # fmt: skip
                n += 1

    writer.write(
        RoleAppointment,
        ["id", "person", "trust", "professional_group", "title", "category", "starts_on",
         "ends_on", "source", "recorded_by", "recorded_at"],
        rows(),
        label="role appointments",
    )  # fmt: skip
