"""Enrolments (with their history and baseline survey answers), sessions and attendance.

What the services would guarantee, kept here by construction: a cohort's seated people never
exceed its capacity, and neither group takes seats held for the other; a person has one live
enrolment per cohort (and, where the trust has people enough, one per programme); only
cohorts that have ended have completions; each enrolment's trust and professional group are
its person's; there is one mark per enrolment per session, only for sessions held after the
person got their seat and, for someone who withdrew, before they did; a completion meets its
programme's minimum attendance.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from people.models import CLINICAL_GROUPS
from programmes.models import (
    ATTENDED,
    Attendance,
    CohortStatus,
    Enrolment,
    EnrolmentAction,
    EnrolmentEvent,
    EnrolmentStatus,
    Mark,
    MarkSource,
    Session,
)

from ..programmes import GOALS
from .cohorts import CohortRow, plan_sessions, write_sessions
from .plan import EMAIL_DOMAIN, EnrolmentFact, ScaleRun, apportion, chance, pick
from .writer import Writer, next_id

S = EnrolmentStatus
A = EnrolmentAction
DAY = datetime.timedelta(days=1)

# The paper's relationship question at baseline: 74% in the two middle answers, 14% the worst.
RELATIONSHIP = {1: 12, 2: 44, 3: 30, 4: 14}
OUTLOOK = {1: 27, 2: 48, 3: 25}  # 73% expect it to stay the same or get worse


@dataclass(slots=True)
class EnrolmentRow:
    id: int
    person_id: int
    clinical: bool
    status: str
    created_at: datetime.datetime
    seated_at: datetime.datetime | None
    left_at: datetime.datetime | None  # withdrew, or the completion decision
    propensity: float  # how likely they attend a session


def _pools(run: ScaleRun):
    """People who take part, by trust and side; and the trusts of each region."""
    pools: dict[tuple[int, bool], list[int]] = {}
    group_of = {}
    for p in run.people:
        group_of[p.id] = p
        if p.takes_part:
            pools.setdefault((p.trust_id, p.group in CLINICAL_GROUPS), []).append(p.id)
    regions: dict[int | None, list[int]] = {}
    for trust_id, region_id in run.trust_region.items():
        regions.setdefault(region_id, []).append(trust_id)
    return pools, regions, group_of


def _weight(run: ScaleRun, c: CohortRow, rng) -> float:
    if c.status == CohortStatus.DRAFT or c.opens_at > run.now:
        return 0.0
    if c.status == CohortStatus.CANCELLED:
        return c.capacity * 0.4
    if c.closes_at > run.now:  # enrolment open: partly filled
        return c.capacity * 0.9 * (run.now - c.opens_at) / (c.closes_at - c.opens_at)
    return c.capacity * rng.uniform(0.85, 1.15)


def plan_enrolments(run: ScaleRun) -> None:
    rng = run.step_rng("enrolments")
    pools, regions, person = _pools(run)
    counts = apportion(run.volumes.enrolments, [_weight(run, c, rng) for c in run.cohorts])
    in_programme: set[tuple[int, int]] = set()  # (person, programme) with a live enrolment
    next_enrolment = next_id(Enrolment)

    def draw(c: CohortRow, clinical: bool, here: set[int]) -> int | None:
        trusts = [c.trust_id] + [
            t for t in regions[run.trust_region[c.trust_id]] if t != c.trust_id
        ]
        for attempt in range(30):
            trust = c.trust_id if attempt < 20 and chance(rng, 0.88) else rng.choice(trusts)
            pool = pools.get((trust, clinical))
            if not pool:
                continue
            chosen = rng.choice(pool)
            if chosen in here or (attempt < 25 and (chosen, c.programme.id) in in_programme):
                continue
            return chosen
        return None

    for c, n in zip(run.cohorts, counts, strict=True):
        n = min(n, 2 * c.capacity)
        if not n:
            continue
        ended = c.status == CohortStatus.PUBLISHED and c.ends_on < run.today
        started = c.starts_on <= run.today
        is_open = c.opens_at <= run.now < c.closes_at
        withdrawn = (
            n if c.status == CohortStatus.CANCELLED else sum(chance(rng, 0.08) for _ in range(n))
        )
        rest = n - withdrawn
        pending = sum(chance(rng, 0.2) for _ in range(rest)) if c.sponsor and is_open else 0
        seated = min(rest - pending, c.capacity)
        waiting = rest - pending - seated
        # The joint mix: neither side takes the seats held for the other.
        clinicians = round(seated * rng.uniform(0.5, 0.7))
        clinicians = max(
            seated - (c.capacity - c.reserved), min(clinicians, c.capacity - c.reserved)
        )
        plan = [(S.ENROLLED, True)] * clinicians + [(S.ENROLLED, False)] * (seated - clinicians)
        for status, count in (
            (S.WITHDRAWN, withdrawn),
            (S.PENDING_APPROVAL, pending),
            (S.WAITLISTED, waiting),
        ):
            plan += [(status, chance(rng, 0.6)) for _ in range(count)]
        here: set[int] = set()
        window_end = min(c.closes_at, run.now)
        for status, clinical in plan:
            person_id = draw(c, clinical, here) or draw(c, not clinical, here)
            if person_id is None or (
                status == S.ENROLLED and (person[person_id].group in CLINICAL_GROUPS) != clinical
            ):
                continue  # nobody left to draw (tiny runs), or the other side would break the mix
            here.add(person_id)
            created = c.opens_at + (window_end - c.opens_at) * rng.random()
            seated_at = left_at = None
            if status == S.ENROLLED or (status == S.WITHDRAWN and chance(rng, 0.7)):
                seated_at = created + (
                    rng.uniform(1, 10) * DAY if c.sponsor else datetime.timedelta()
                )
                seated_at = min(seated_at, run.now)
            if status == S.WITHDRAWN:
                until = min(
                    run.now,
                    datetime.datetime.combine(c.ends_on, datetime.time(12), c.opens_at.tzinfo),
                )
                start = seated_at or created
                left_at = start + (max(until, start) - start) * rng.random()
            if status == S.WAITLISTED and started:
                status, left_at = S.WITHDRAWN, min(run.now, c.closes_at + 14 * DAY)
            if status == S.ENROLLED and ended:
                status = S.COMPLETED if chance(rng, 0.82) else S.NOT_COMPLETED
                decided = datetime.datetime.combine(
                    c.ends_on + 3 * DAY, datetime.time(12), c.opens_at.tzinfo
                )
                left_at = min(run.now, decided)
            propensity = {S.COMPLETED: 0.93, S.NOT_COMPLETED: 0.5, S.WITHDRAWN: 0.65}.get(
                status, 0.85
            )
            clinical_person = person[person_id].group in CLINICAL_GROUPS
            propensity = min(0.99, propensity + rng.uniform(-0.1, 0.1))
            c.enrolments.append(
                EnrolmentRow(
                    next_enrolment, person_id, clinical_person, status, created, seated_at,
                    left_at, propensity,
                )
            )  # fmt: skip
            next_enrolment += 1
            if status != S.WITHDRAWN:
                in_programme.add((person_id, c.programme.id))
            run.enrolled.setdefault(person_id, []).append(
                EnrolmentFact(created.date(), status, c.ends_on)
            )


def _events(e: EnrolmentRow, sponsor: bool) -> list[tuple[str, str, str, datetime.datetime]]:
    """The enrolment's history: (action, from, to, at), as the services would have written it."""
    if e.status in (S.PENDING_APPROVAL, S.WAITLISTED):
        first = S.PENDING_APPROVAL if sponsor else e.status
        events = [(A.APPLY, "", first, e.created_at)]
        if sponsor and e.status == S.WAITLISTED:
            events.append((A.APPROVE, S.PENDING_APPROVAL, S.WAITLISTED, e.created_at + DAY))
        return events
    if e.seated_at is None:  # withdrew (or the waiting list closed) before getting a seat
        first = S.PENDING_APPROVAL if sponsor else S.WAITLISTED
        return [(A.APPLY, "", first, e.created_at), (A.WITHDRAW, first, S.WITHDRAWN, e.left_at)]
    if sponsor:
        events = [
            (A.APPLY, "", S.PENDING_APPROVAL, e.created_at),
            (A.APPROVE, S.PENDING_APPROVAL, S.ENROLLED, e.seated_at),
        ]
    else:
        events = [(A.APPLY, "", S.ENROLLED, e.created_at)]
    final = {
        S.WITHDRAWN: A.WITHDRAW,
        S.COMPLETED: A.COMPLETE,
        S.NOT_COMPLETED: A.MARK_NOT_COMPLETED,
    }
    if e.status in final:
        events.append((final[e.status], S.ENROLLED, e.status, e.left_at))
    return events


def write_enrolments(run: ScaleRun, writer: Writer) -> None:
    rng = run.step_rng("baseline")
    person = {p.id: p for p in run.people}

    def rows():
        for c in run.cohorts:
            for e in c.enrolments:
                p = person[e.person_id]
                answered = chance(rng, 0.9)  # the rest were enrolled by an import: no answers
                history = _events(e, c.sponsor)
                sponsor = c.sponsor
                yield (
                    e.id, e.person_id, c.id, e.status, p.trust_id, p.group,
                    rng.choice(GOALS) if answered and chance(rng, 0.5) else "",
                    pick(rng, RELATIONSHIP) if answered else None,
                    pick(rng, OUTLOOK) if answered else None, p.job_title if answered else "",
                    f"Sponsor {e.person_id}" if sponsor else "",
                    f"sponsor.{e.person_id}@{EMAIL_DOMAIN}" if sponsor else "", "",
                    e.created_at if sponsor else None, e.created_at, history[-1][3], e.seated_at,
                    e.created_at if e.status == S.WAITLISTED else None,
                )  # fmt: skip

    writer.write(
        Enrolment,
        [
            "id", "person", "cohort", "status", "trust", "professional_group", "goals",
            "baseline_relationship", "baseline_outlook", "baseline_current_role", "sponsor_name",
            "sponsor_email", "sponsor_nonce", "sponsor_requested_at", "created_at",
            "status_changed_at", "seated_at", "waitlisted_at",
        ],
        rows(),
        label="enrolments",
    )  # fmt: skip
    first = next_id(EnrolmentEvent)

    def events():
        n = first
        for c in run.cohorts:
            for e in c.enrolments:
                for action, before, after, when in _events(e, c.sponsor):
                    # notified_at set: these changes' emails are long gone (no task sends them).
                    yield (n, e.id, action, before, after, None, when, "", when)
                    n += 1

    writer.write(
        EnrolmentEvent,
        [
            "id",
            "enrolment",
            "action",
            "from_status",
            "to_status",
            "by",
            "at",
            "reason",
            "notified_at",
        ],
        events(),
        label="enrolment events",
    )


def plan_and_write_sessions(run: ScaleRun, writer: Writer) -> None:
    """Sessions per cohort scaled so that the registers add up to the attendance volume."""
    rng = run.step_rng("sessions")
    expected = 0.0
    for c in run.cohorts:
        if c.status != CohortStatus.PUBLISHED or c.starts_on > run.today:
            continue
        span = max(1, (c.ends_on - c.starts_on).days)
        held = min(1.0, (run.today - c.starts_on).days / span)
        marked = sum(1 for e in c.enrolments if e.seated_at) * 0.95
        expected += c.programme.sessions * held * marked
    factor = run.volumes.attendance / expected if expected else 1.0
    first = next_id(Session)
    # Read before the COPY starts: the rows are generated while it holds the connection.
    run.checkin_codes = set(Session.objects.values_list("checkin_code", flat=True))

    def rows():
        n = first
        for c in run.cohorts:
            exact = c.programme.sessions * factor
            count = max(3, min(40, int(exact) + chance(rng, exact - int(exact))))
            yield from plan_sessions(run, c, count, n, rng)
            n += count

    write_sessions(writer, rows())


def _marks(e: EnrolmentRow, sessions, rng, minimum: int) -> list[tuple]:
    expected = [
        s
        for s in sessions
        if s.held
        and e.seated_at
        and e.seated_at < s.ends_at
        and (e.status != S.WITHDRAWN or s.ends_at < e.left_at)
    ]
    marks = []
    for _ in expected:
        if chance(rng, e.propensity):
            marks.append(pick(rng, {Mark.PRESENT: 86, Mark.LATE: 9, Mark.LEFT_EARLY: 5}))
        else:
            marks.append(pick(rng, {Mark.ABSENT: 60, Mark.EXCUSED: 40}))
    if e.status == S.COMPLETED:  # a completion met the programme's minimum attendance
        missed = [i for i, mark in enumerate(marks) if mark not in ATTENDED]
        while missed and (len(marks) - len(missed)) * 100 < minimum * len(marks):
            marks[missed.pop()] = Mark.PRESENT
    return list(zip(expected, marks, strict=True))


def write_attendance(run: ScaleRun, writer: Writer) -> None:
    rng = run.step_rng("attendance")
    first = next_id(Attendance)

    def rows():
        n = first
        for c in run.cohorts:
            for e in c.enrolments:
                for session, mark in _marks(e, c.sessions, rng, c.programme.min_attendance):
                    checked_in = mark in ATTENDED and chance(rng, 0.35)
                    when = session.starts_at + datetime.timedelta(minutes=rng.randint(-25, 10))
                    yield (
                        n, session.id, e.id, mark, "",
                        MarkSource.CHECK_IN if checked_in else MarkSource.REGISTER, None,
                        when if checked_in else session.starts_at + datetime.timedelta(minutes=20),
                        when if checked_in else None,
                    )  # fmt: skip
                    n += 1

    writer.write(
        Attendance,
        [
            "id",
            "session",
            "enrolment",
            "mark",
            "note",
            "source",
            "marked_by",
            "marked_at",
            "checked_in_at",
        ],
        rows(),
        label="attendance",
    )
