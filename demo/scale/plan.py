"""What `manage.py seed_scale` makes: the volumes of PRODUCT.md §6 at a chosen scale, the marks
by which its rows are known again, and the state every step shares.

Every generated row is fictional. Trusts have ODS codes beginning ``ZS`` (real trusts' begin
R or T; the demo's are RXZ1-3), people have addresses at ``scale.tandem.invalid`` (a reserved
top-level domain: no email to them can be delivered) and programmes have slugs beginning
``scale-``. Everything else seed_scale writes hangs off one of those, which is how
``--reset`` finds exactly what it made (demo.scale.reset).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q

ODS_PREFIX = "ZS"
EMAIL_DOMAIN = "scale.tandem.invalid"
PROGRAMME_SLUG_PREFIX = "scale-"
LONDON = ZoneInfo("Europe/London")

# PRODUCT.md §6 at scale 1.
FULL = {
    "trusts": 250,
    "people": 100_000,
    "cohorts": 10_000,
    "enrolments": 200_000,
    "attendance": 2_000_000,
    "role_appointments": 100_000,
}
YEARS_BACK = 6  # cohorts run from six years ago to a year ahead


@dataclass(frozen=True)
class Volumes:
    trusts: int
    people: int
    cohorts: int
    enrolments: int
    attendance: int
    role_appointments: int

    @classmethod
    def at(cls, scale: float) -> Volumes:
        """The §6 volumes times ``scale``, with floors so a tiny run still has a few trusts
        (a region to compare), people in every group and cohorts in every state."""
        floors = {
            "trusts": 3,
            "people": 60,
            "cohorts": 12,
            "enrolments": 120,
            "attendance": 600,
            "role_appointments": 60,
        }
        return cls(**{k: max(floors[k], round(v * scale)) for k, v in FULL.items()})


def trust_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}ods_code__startswith": ODS_PREFIX})


def person_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}email__endswith": f"@{EMAIL_DOMAIN}"})


def programme_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}slug__startswith": PROGRAMME_SLUG_PREFIX})


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A wall-clock time in England, as an aware datetime (stored in UTC)."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def pick(rng: random.Random, weighted: dict):
    """One key of ``weighted`` ({value: weight})."""
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` into whole numbers that add up to it
    (largest remainder)."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class PersonRow:
    id: int
    trust_id: int
    region_id: int | None
    group: str
    job_title: str
    takes_part: bool  # may be drawn into cohorts; the rest never enrol


@dataclass
class EnrolmentFact:
    """What the role-history step needs to know of an enrolment."""

    enrolled_on: datetime.date
    status: str
    cohort_ends_on: datetime.date


@dataclass
class ScaleRun:
    """What one run's steps share: the seed, today, the volumes and what earlier steps
    made (ids and the few facts later steps need, never model instances)."""

    seed: str
    today: datetime.date
    now: datetime.datetime
    volumes: Volumes
    trust_region: dict[int, int | None] = field(default_factory=dict)  # trust id -> region id
    trust_place: dict[int, str] = field(default_factory=dict)
    trust_kind: dict[int, str] = field(default_factory=dict)  # "acute" or "community"
    trust_weight: dict[int, float] = field(default_factory=dict)
    people: list[PersonRow] = field(default_factory=list)
    enrolled: dict[int, list[EnrolmentFact]] = field(default_factory=dict)  # by person id
    programmes: list = field(default_factory=list)  # demo.scale.cohorts.ProgrammeSpec, with ids
    cohorts: list = field(default_factory=list)  # demo.scale.cohorts.CohortRow
    checkin_codes: set[str] | None = None  # every session's, so a new code is unique

    @property
    def start(self) -> datetime.date:
        return self.today.replace(year=self.today.year - YEARS_BACK, month=1, day=1)

    def step_rng(self, name: str) -> random.Random:
        """A generator per step, seeded from the run's, so steps do not reshuffle each other."""
        return random.Random(f"{self.seed}:{name}")  # noqa: S311  (fictional data)
