"""A handful of programmes, their cohorts hosted by the trusts, and each cohort's sessions."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from programmes.models import Cohort, CohortStatus, Programme, Session, SessionKind, SessionStatus
from programmes.models.sessions import CODE_ALPHABET, CODE_LENGTH

from ..programmes import SEASONS
from .plan import EMAIL_DOMAIN, PROGRAMME_SLUG_PREFIX, ScaleRun, at, chance
from .writer import Writer, next_id


@dataclass
class ProgrammeSpec:
    slug: str
    title: str
    weight: int  # share of the cohorts
    months: tuple[int, int]  # how long a cohort runs
    capacities: tuple[int, ...]
    sessions: int  # a cohort's sessions before calibration (demo.scale.enrolments)
    min_attendance: int
    min_shadowing: Decimal | None
    pairs: bool  # its cohorts pair clinicians with managers
    id: int = 0


PROGRAMMES = (
    ProgrammeSpec("leading-together", "Clinicians and Managers Leading Together", 4, (6, 9),
                  (18, 20, 24, 24, 30), 10, 75, Decimal("6"), True),
    ProgrammeSpec("paired-learning", "Paired Learning and Shadowing", 2, (6, 9),
                  (16, 20, 24), 8, 70, Decimal("12"), True),
    ProgrammeSpec("managing-money", "Managing Money Together", 2, (3, 4),
                  (20, 24, 30), 6, 80, None, False),
    ProgrammeSpec("business-planning", "Business Planning for Clinical Teams", 1, (3, 5),
                  (16, 20, 24), 6, 80, None, False),
    ProgrammeSpec("leading-change", "Leading Organisational Change", 1, (4, 6),
                  (18, 24, 30), 8, 75, None, False),
)  # fmt: skip

TOPICS = {
    SessionKind.WORKSHOP: (
        "Welcome: why clinicians and managers lead together", "Managing a budget",
        "Managing staff: rotas, absence and difficult conversations", "Business planning",
        "Writing a business case", "Leading organisational change", "Quality improvement",
        "Making sense of performance data",
    ),
    SessionKind.ACTION_LEARNING_SET: ("Action-learning set",),
    SessionKind.SHADOWING_DEBRIEF: ("Shadowing debrief",),
    SessionKind.INFORMAL_MEETUP: ("Informal meet-up",),
}  # fmt: skip


@dataclass(slots=True)
class SessionRow:
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    held: bool  # scheduled and ended: has a register


@dataclass
class CohortRow:
    id: int
    programme: ProgrammeSpec
    trust_id: int
    starts_on: datetime.date
    ends_on: datetime.date
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    capacity: int
    reserved: int  # for each group
    sponsor: bool
    status: str
    enrolments: list = field(default_factory=list)  # demo.scale.enrolments.EnrolmentRow
    sessions: list[SessionRow] = field(default_factory=list)


def seed_programmes(run: ScaleRun, writer: Writer) -> None:
    first = next_id(Programme)
    rows = []
    for i, spec in enumerate(PROGRAMMES):
        spec = ProgrammeSpec(**{**spec.__dict__, "id": first + i})
        run.programmes.append(spec)
        rows.append(
            (
                spec.id, spec.title, PROGRAMME_SLUG_PREFIX + spec.slug, Decimal(spec.sessions * 3),
                spec.min_attendance, False, spec.min_shadowing, "", run.now,
            )
        )  # fmt: skip
    writer.write(
        Programme,
        [
            "id", "title", "slug", "cpd_hours", "min_attendance_percent",
            "excused_counts_as_attended", "min_shadowing_hours", "certificate_template",
            "created_at",
        ],
        rows,
        label="programmes",
    )  # fmt: skip


def _start_day(run: ScaleRun, rng) -> datetime.date:
    """More cohorts each year (Tandem growing): density rising twofold over the span."""
    u = rng.random()
    t = (-1 + math.sqrt(1 + 8 * u)) / 2  # inverse of the CDF (t + t^2) / 2
    span = (run.today + datetime.timedelta(days=365) - run.start).days
    return run.start + datetime.timedelta(days=int(t * span))


def plan_cohorts(run: ScaleRun) -> None:
    """The cohorts, in memory: their enrolments and sessions are planned before any is written
    (the number of sessions is calibrated to the attendance volume)."""
    rng = run.step_rng("cohorts")
    trust_ids = list(run.trust_weight)
    trust_weights = [run.trust_weight[t] for t in trust_ids]
    first = next_id(Cohort)
    for i in range(run.volumes.cohorts):
        spec = rng.choices(run.programmes, weights=[p.weight for p in run.programmes])[0]
        starts_on = _start_day(run, rng)
        ends_on = starts_on + datetime.timedelta(days=30 * rng.randint(*spec.months))
        capacity = rng.choice(spec.capacities)
        if starts_on > run.today + datetime.timedelta(days=60) and chance(rng, 0.4):
            status = CohortStatus.DRAFT
        elif chance(rng, 0.02):
            status = CohortStatus.CANCELLED
        else:
            status = CohortStatus.PUBLISHED
        cohort = CohortRow(
            id=first + i,
            programme=spec,
            trust_id=rng.choices(trust_ids, weights=trust_weights)[0],
            starts_on=starts_on,
            ends_on=ends_on,
            opens_at=at(starts_on - datetime.timedelta(days=100), 9),
            closes_at=at(starts_on - datetime.timedelta(days=14), 17),
            capacity=capacity,
            reserved=round(capacity * 0.3),
            sponsor=chance(rng, 0.3),
            status=status,
        )
        run.cohorts.append(cohort)


def write_cohorts(run: ScaleRun, writer: Writer) -> None:
    names: dict[tuple, int] = {}

    def rows():
        for c in run.cohorts:
            season = (
                f"{run.trust_place[c.trust_id]}, {SEASONS[c.starts_on.month]} {c.starts_on.year}"
            )
            key = (c.programme.id, season)
            names[key] = names.get(key, 0) + 1
            name = season if names[key] == 1 else f"{season}, group {names[key]}"
            released = (
                c.closes_at + datetime.timedelta(minutes=5)
                if c.status == CohortStatus.PUBLISHED and c.closes_at <= run.now
                else None
            )
            created = min(run.now, c.opens_at - datetime.timedelta(days=30))
            yield (
                c.id, c.programme.id, name, c.trust_id, c.starts_on, c.ends_on, c.opens_at,
                c.closes_at, c.capacity, c.reserved, c.reserved, c.sponsor, c.status, released,
                created, created,
            )  # fmt: skip

    writer.write(
        Cohort,
        [
            "id", "programme", "name", "host_trust", "starts_on", "ends_on",
            "enrolment_opens_at", "enrolment_closes_at", "capacity", "reserved_for_clinicians",
            "reserved_for_managers", "requires_sponsor_approval", "status",
            "reserved_seats_released_at", "created_at", "updated_at",
        ],
        rows(),
        label="cohorts",
    )  # fmt: skip


def _kind(j: int, count: int) -> str:
    if j == 0:
        return SessionKind.WORKSHOP
    if j == count - 1 and count >= 4:
        return SessionKind.INFORMAL_MEETUP
    if j == count // 2 and count >= 5:
        return SessionKind.SHADOWING_DEBRIEF
    return SessionKind.ACTION_LEARNING_SET if j % 3 == 2 else SessionKind.WORKSHOP


def plan_sessions(run: ScaleRun, cohort: CohortRow, count: int, first_id: int, rng) -> list:
    """``count`` sessions spread from the cohort's first day to its last, mornings and
    afternoons; about one in fifty cancelled. Returns the rows to write."""
    days = (cohort.ends_on - cohort.starts_on).days
    rows = []
    for j in range(count):
        day = cohort.starts_on + datetime.timedelta(days=round(j * days / max(1, count - 1)))
        morning = j % 2 == 0
        starts_at = at(day, 9 if morning else 13, 30)
        ends_at = starts_at + datetime.timedelta(hours=3)
        cancelled = cohort.status == "cancelled" or (j > 0 and chance(rng, 0.02))
        kind = _kind(j, count)
        topics = TOPICS[kind]
        title = topics[j % len(topics)] if kind == SessionKind.WORKSHOP else topics[0]
        online = chance(rng, 0.3)
        session = SessionRow(first_id + j, starts_at, ends_at, not cancelled and ends_at <= run.now)
        cohort.sessions.append(session)
        code = _checkin_code(run, rng)
        rows.append(
            (
                session.id, cohort.id, title, kind, starts_at, ends_at,
                "" if online else f"{run.trust_place[cohort.trust_id]} education centre",
                f"https://meet.{EMAIL_DOMAIN}/{code.lower()}" if online else "", "",
                SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
                min(run.now, starts_at - datetime.timedelta(days=7)) if cancelled else None,
                "The facilitator is unwell." if cancelled else "", 1 if cancelled else 0, code,
                min(run.now, cohort.opens_at), min(run.now, cohort.opens_at),
            )
        )  # fmt: skip
    return rows


SESSION_COLUMNS = [
    "id", "cohort", "title", "kind", "starts_at", "ends_at", "place", "online_url",
    "description", "status", "cancelled_at", "cancel_reason", "sequence", "checkin_code",
    "created_at", "updated_at",
]  # fmt: skip


def _checkin_code(run: ScaleRun, rng) -> str:
    """A check-in code no other session has (the column is unique; run.checkin_codes holds
    every existing one, read before the sessions' COPY began)."""
    taken = run.checkin_codes
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def write_sessions(writer: Writer, rows) -> None:
    writer.write(Session, SESSION_COLUMNS, rows, label="sessions")
