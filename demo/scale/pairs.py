"""Pairs in the cohorts of the programmes that pair people: a seated clinician with a seated
manager of the same cohort (each in one live pair there), their shadowing visits (logged by
the shadower, confirmed by the other), pair meetings and joint improvement projects."""

from __future__ import annotations

import datetime
from decimal import Decimal

from pairing.models import (
    ImprovementProject,
    MeetingFrequency,
    Pairing,
    PairingSource,
    PairingStatus,
    PairMeeting,
    ProjectStatus,
    ShadowingVisit,
    VisitStatus,
)
from programmes.models import SEATED, CohortStatus

from ..pairing import PROJECTS, REFLECTIONS, SETTINGS
from .plan import ScaleRun, at, chance, pick
from .writer import Writer, next_id

DAY = datetime.timedelta(days=1)


def seed_pairs(run: ScaleRun, writer: Writer) -> None:
    rng = run.step_rng("pairs")
    pairs = []  # (id, cohort, clinician id, manager id, started, ended or None)
    first = next_id(Pairing)
    for c in run.cohorts:
        if not c.programme.pairs or c.status != CohortStatus.PUBLISHED or c.starts_on > run.today:
            continue
        seated = [e for e in c.enrolments if e.status in SEATED]
        clinicians = [e.person_id for e in seated if e.clinical]
        managers = [e.person_id for e in seated if not e.clinical]
        rng.shuffle(managers)
        ended = c.ends_on if c.ends_on < run.today else None
        for clinician, manager in zip(clinicians, managers, strict=False):
            if chance(rng, 0.9):
                pairs.append((first + len(pairs), c.id, clinician, manager,
                              c.starts_on + 7 * DAY, ended))  # fmt: skip

    def pair_rows():
        for pid, cohort, clinician, manager, started, ended in pairs:
            proposed = at(started - 10 * DAY, 10)
            yield (
                pid, cohort, None, clinician, manager,
                PairingStatus.ENDED if ended else PairingStatus.ACTIVE,
                pick(rng, {PairingSource.MATCHED: 70, PairingSource.ADMINISTRATOR: 30}), None,
                "To see how each other's day runs, and to improve one thing together.",
                MeetingFrequency.MONTHLY, None, min(run.now, proposed), started, ended,
                "The cohort ended." if ended else "", None, min(run.now, proposed + DAY),
            )  # fmt: skip

    writer.write(
        Pairing,
        ["id", "cohort", "scheme", "clinician", "manager", "status", "source", "application",
         "goals", "meeting_frequency", "agreement_updated_at", "proposed_at", "started_on",
         "ended_on", "end_reason", "created_by", "announced_at"],
        pair_rows(),
        label="pairings",
    )  # fmt: skip
    _activity(run, writer, pairs, rng)


def _activity(run: ScaleRun, writer: Writer, pairs, rng) -> None:
    visit_id, meeting_id, project_id = (
        next_id(m) for m in (ShadowingVisit, PairMeeting, ImprovementProject)
    )
    visits, meetings, projects = [], [], []
    for pid, _, clinician, manager, started, ended in pairs:
        last = min(ended or run.today, run.today)
        span = max(0, (last - started).days)
        for k in range(rng.randint(0, 4)):
            shadower, other, side = (
                (clinician, manager, "clinician") if k % 2 == 0 else (manager, clinician, "manager")
            )
            on = started + datetime.timedelta(days=rng.randint(0, span))
            status = pick(
                rng, {VisitStatus.CONFIRMED: 85, VisitStatus.LOGGED: 10, VisitStatus.QUERIED: 5}
            )
            logged = min(run.now, at(on, 18))
            confirmed = status == VisitStatus.CONFIRMED
            visits.append((
                visit_id, pid, shadower, on, Decimal(rng.randint(2, 15)) / 2,
                rng.choice(SETTINGS[side]), "", rng.choice(REFLECTIONS[side]), status,
                "These hours look too long: can we check?" if status == VisitStatus.QUERIED else "",
                shadower, logged, other if confirmed else None,
                min(run.now, logged + 2 * DAY) if confirmed else None, logged,
            ))  # fmt: skip
            visit_id += 1
        for k in range(rng.randint(0, min(6, span // 30 + 1))):
            on = started + datetime.timedelta(days=min(span, 30 * k + rng.randint(0, 10)))
            by = rng.choice((clinician, manager))
            notes = "Caught up on the shadowing and the project."
            meetings.append((meeting_id, pid, on, notes, "", by, min(run.now, at(on, 17))))
            meeting_id += 1
        if chance(rng, 0.6):
            title, problem = rng.choice(PROJECTS)
            presented = ended - 7 * DAY if ended and chance(rng, 0.7) else None
            status = (
                ProjectStatus.PRESENTED
                if presented
                else (ProjectStatus.CLOSED if ended else ProjectStatus.UNDER_WAY)
            )
            created = min(run.now, at(started + 14 * DAY, 12))
            projects.append((project_id, pid, title, problem, "", "", status, "", presented,
                             created, created, clinician))  # fmt: skip
            project_id += 1
    writer.write(
        ShadowingVisit,
        ["id", "pairing", "shadower", "visited_on", "hours", "setting", "setting_other",
         "reflection", "status", "query_reason", "logged_by", "logged_at", "confirmed_by",
         "confirmed_at", "partner_asked_at"],
        visits,
        label="shadowing visits",
    )  # fmt: skip
    writer.write(
        PairMeeting,
        ["id", "pairing", "met_on", "notes", "actions", "logged_by", "logged_at"],
        meetings,
        label="pair meetings",
    )
    writer.write(
        ImprovementProject,
        [
            "id",
            "pairing",
            "title",
            "problem",
            "aims",
            "measures",
            "status",
            "final_summary",
            "presented_on",
            "created_at",
            "updated_at",
            "updated_by",
        ],
        projects,
        label="improvement projects",
    )
