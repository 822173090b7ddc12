"""Trusts (in NHS England's seven regions), their board snapshots, and their people."""

from __future__ import annotations

import datetime

from people.models import BoardSnapshot, ProfessionalGroup, Region, Trust, User

from ..people import FIRST_NAMES, JOBS, LAST_NAMES, MEDICAL_GRADES, SPECIALTIES, _registration
from ..people import demo_email as _demo_email
from .plan import EMAIL_DOMAIN, ODS_PREFIX, PersonRow, ScaleRun, apportion, at, chance, pick
from .writer import Writer, next_id

G = ProfessionalGroup

# Share of the trusts in each region (roughly England's), by the region's NHS England code.
REGION_SHARES = {
    "Y56": 17,  # London
    "Y58": 10,  # South West
    "Y59": 17,  # South East
    "Y60": 17,  # Midlands
    "Y61": 11,  # East of England
    "Y62": 14,  # North West
    "Y63": 14,  # North East and Yorkshire
}
PLACES = (
    "Ashbourne", "Brackenfield", "Calderbrook", "Dunmere", "Elmstead", "Fallowfield",
    "Greyhaven", "Harrowgate", "Ivybridge Vale", "Kestrel Moor", "Larkhill", "Marshwood",
    "Northolme", "Oakhampton", "Pennard", "Queensbury Downs", "Ravensworth", "Saltmarsh",
    "Thornbury Heath", "Upperton", "Westerleigh", "Yarrowdale", "Alderley", "Beckford",
    "Coldharbour", "Deepdale", "Eskwater", "Foxcote", "Glenmoor", "Hollinwood", "Kingsmead",
    "Lowther", "Millbrook", "Netherfield", "Orchard Vale", "Pinehurst", "Redbridge Marsh",
    "Stourfield", "Tamworth Cross", "Wickham Fen", "Ashcombe", "Blythe Water", "Cranmore",
    "Dovecote", "Easterby", "Fernhill", "Gorsebrook", "Heathcote", "Lindenfield", "Moorside",
)  # fmt: skip
KINDS = (  # (suffix, kind of trust: decides its staff's jobs, weight)
    ("Hospitals NHS Foundation Trust", "acute", 4),
    ("University Hospitals NHS Trust", "acute", 3),
    ("Teaching Hospitals NHS Foundation Trust", "acute", 2),
    ("Healthcare NHS Trust", "acute", 2),
    ("Community Health NHS Trust", "community", 2),
    ("Mental Health NHS Foundation Trust", "community", 2),
)
# The professions among the people Tandem serves: clinicians about three in four.
GROUP_SHARES = {
    G.MEDICAL: 18,
    G.NURSING_MIDWIFERY: 33,
    G.ALLIED_HEALTH: 14,
    G.HEALTHCARE_SCIENCE: 5,
    G.PHARMACY: 5,
    G.MANAGEMENT: 25,
}
TAKES_PART = 0.62  # share of people ever drawn into a cohort; the rest are the comparison


def ods_code(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = ""
    for _ in range(3):
        n, d = divmod(n, 36)
        code = digits[d] + code
    return ODS_PREFIX + code  # ZS001 ... ZSZZZ: five characters (people.validators)


def seed_trusts(run: ScaleRun, writer: Writer) -> None:
    rng = run.step_rng("trusts")
    regions = {r.code: r.pk for r in Region.objects.all()}
    names = [(f"{place} {suffix}", kind) for place in PLACES for suffix, kind, _ in KINDS]
    weights = [w for _ in PLACES for _, _, w in KINDS]
    count = run.volumes.trusts
    chosen, seen = [], set()
    while len(chosen) < count:
        name, kind = rng.choices(names, weights=weights)[0]
        if len(seen) >= len(names):  # beyond ~300 trusts: number the places
            name = f"{name.split(' ', 1)[0]} {len(chosen)} {name.split(' ', 1)[1]}"
        if name not in seen:
            seen.add(name)
            chosen.append((name, kind))
    first = next_id(Trust)
    region_codes = [pick(rng, REGION_SHARES) for _ in range(count)]
    rows = []
    for i, ((name, kind), region) in enumerate(zip(chosen, region_codes, strict=True)):
        trust_id = first + i
        opened = datetime.date(rng.choice((1991, 1994, 2001, 2004, 2008, 2011, 2016)), 4, 1)
        rows.append((trust_id, name, ods_code(i + 1), regions.get(region), opened))
        run.trust_region[trust_id] = regions.get(region)
        run.trust_place[trust_id] = name.split(" NHS")[0]
        # Trust sizes vary about fivefold between the smallest and the largest.
        run.trust_weight[trust_id] = rng.lognormvariate(0, 0.45) * (1.3 if kind == "acute" else 0.8)
        run.trust_kind[trust_id] = kind
    writer.write(Trust, ["id", "name", "ods_code", "region", "opened_on"], rows, label="trusts")
    _board_snapshots(run, writer)


def _board_snapshots(run: ScaleRun, writer: Writer) -> None:
    """One snapshot a year per trust (each April), the clinician share drifting upward."""
    rng = run.step_rng("boards")
    first = next_id(BoardSnapshot)
    rows = []
    for trust_id in run.trust_region:
        members = rng.randint(10, 18)
        clinicians = rng.randint(2, max(2, members // 2 - 1))
        for year in range(run.start.year, run.today.year + 1):
            recorded_on = datetime.date(year, 4, 1)
            if recorded_on > run.today:
                break
            members = max(8, min(20, members + rng.choice((-1, 0, 0, 0, 1))))
            clinicians = max(1, min(members, clinicians + rng.choice((-1, 0, 0, 1, 1))))
            rows.append((first + len(rows), trust_id, recorded_on, members, clinicians))
    writer.write(
        BoardSnapshot,
        ["id", "trust", "recorded_on", "members", "clinician_members"],
        rows,
        label="board snapshots",
    )


def _job(rng, group: str, kind: str) -> tuple[str, str, str, str]:
    """(title, band, directorate, HCPC/GPhC prefix) for one person, as the demo's people."""
    if group == G.MEDICAL:
        specialty, consultant_title = rng.choice(SPECIALTIES[kind])
        grade, title, _ = rng.choices(MEDICAL_GRADES, weights=[w for *_, w in MEDICAL_GRADES])[0]
        return title or consultant_title, grade, specialty, ""
    job = rng.choices(JOBS[group, kind], weights=[j.weight for j in JOBS[group, kind]])[0]
    directorate = rng.choice(job.directorates or ("Medicine", "Surgery", "Community services"))
    return job.title, job.band, directorate, job.registration_prefix


def seed_people(run: ScaleRun, writer: Writer) -> None:
    rng = run.step_rng("people")
    trust_ids = list(run.trust_weight)
    per_trust = apportion(run.volumes.people, [run.trust_weight[t] for t in trust_ids])
    # Registration numbers are unique per register: keep clear of any already held.
    taken = set(
        User.objects.exclude(registration_number="").values_list(
            "registration_body", "registration_number"
        )
    )
    first = next_id(User)
    joined = at(run.start - datetime.timedelta(days=30), 9)
    columns = [
        "id", "password", "is_superuser", "first_name", "last_name", "email", "is_staff",
        "is_active", "date_joined", "trust", "professional_group", "job_title", "band",
        "directorate", "registration_body", "registration_number", "sponsor_name",
        "sponsor_email",
    ]  # fmt: skip

    def rows():
        person_id = first
        for trust_id, count in zip(trust_ids, per_trust, strict=True):
            kind = run.trust_kind[trust_id]
            groups = [pick(rng, GROUP_SHARES) for _ in range(count)]
            # Every trust has at least one clinician and one manager, so cohorts can mix.
            if count >= 2:
                groups[0], groups[1] = G.NURSING_MIDWIFERY, G.MANAGEMENT
            for group in groups:
                first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                local = _demo_email(first_name, last_name).split("@")[0]
                title, band, directorate, prefix = _job(rng, group, kind)
                while True:
                    body, number = _registration(rng, group, prefix)
                    if not number or (body, number) not in taken:
                        break
                taken.add((body, number))
                run.people.append(
                    PersonRow(
                        person_id,
                        trust_id,
                        run.trust_region[trust_id],
                        group,
                        title,
                        chance(rng, TAKES_PART),
                    )
                )
                # An unusable password ("!..."): nobody signs in as a scale person.
                yield (
                    person_id, "!seed-scale", False, first_name, last_name,
                    f"{local}.{person_id}@{EMAIL_DOMAIN}", False, True, joined, trust_id,
                    group, title, band, directorate, body, number, "", "",
                )  # fmt: skip
                person_id += 1

    writer.write(User, columns, rows(), label="people")
