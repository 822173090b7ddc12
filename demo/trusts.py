"""The demo's three fictional trusts and their dated board snapshots."""

from dataclasses import dataclass
from datetime import date

from people.models import BoardSnapshot, ProfessionalGroup, Region, Trust

from .run import SeedRun

G = ProfessionalGroup


@dataclass(frozen=True)
class TrustSpec:
    ods_code: str
    name: str
    opened_on: date
    kind: str  # "acute" or "community": decides the specialties and job titles of its staff
    region: str  # NHS England region code (people.Region, seeded by migration)
    boards: tuple[tuple[date, int, int], ...]  # (recorded on, members, clinician members)
    mix: dict[str, int]  # generated people per professional group


# ODS codes: trusts have 3 characters and their sites 5, and almost every 3-character RX code
# is a real trust; 4 characters keep clear of both (and satisfy people.validators).
TRUSTS = (
    TrustSpec(
        ods_code="RXZ1",
        name="Wyvern Valley Hospitals NHS Foundation Trust",
        opened_on=date(2004, 4, 1),
        kind="acute",
        region="Y61",  # East of England
        boards=((date(2025, 4, 1), 14, 4), (date(2026, 4, 1), 14, 5)),
        mix={
            G.MEDICAL: 11,
            G.NURSING_MIDWIFERY: 12,
            G.ALLIED_HEALTH: 6,
            G.HEALTHCARE_SCIENCE: 4,
            G.PHARMACY: 3,
            G.MANAGEMENT: 10,
        },
    ),
    TrustSpec(
        ods_code="RXZ2",
        name="Eastmere University Hospitals NHS Trust",
        opened_on=date(1994, 4, 1),
        kind="acute",
        region="Y61",
        boards=((date(2025, 4, 1), 16, 5), (date(2026, 4, 1), 15, 6)),
        mix={
            G.MEDICAL: 13,
            G.NURSING_MIDWIFERY: 12,
            G.ALLIED_HEALTH: 6,
            G.HEALTHCARE_SCIENCE: 5,
            G.PHARMACY: 3,
            G.MANAGEMENT: 9,
        },
    ),
    TrustSpec(
        ods_code="RXZ3",
        name="Fenbridge Community and Mental Health NHS Trust",
        opened_on=date(2011, 4, 1),
        kind="community",
        region="Y60",  # Midlands: the East of England's regional lead does not see it
        boards=((date(2025, 4, 1), 12, 3), (date(2026, 4, 1), 13, 4)),
        mix={
            G.MEDICAL: 6,
            G.NURSING_MIDWIFERY: 14,
            G.ALLIED_HEALTH: 9,
            G.HEALTHCARE_SCIENCE: 2,
            G.PHARMACY: 3,
            G.MANAGEMENT: 10,
        },
    ),
)
FIRST_TRUST = TRUSTS[0].ods_code  # home of the trust-scoped demo logins


def seed_trusts(run: SeedRun) -> None:
    regions = {region.code: region for region in Region.objects.all()}
    for spec in TRUSTS:
        trust, _ = run.get_or_create(
            Trust,
            ods_code=spec.ods_code,
            defaults={
                "name": spec.name,
                "opened_on": spec.opened_on,
                "region": regions[spec.region],
            },
        )
        if trust.region_id is None:  # seeded before trusts had regions
            trust.region = regions[spec.region]
            trust.save(update_fields=["region"])
        run.trusts[spec.ods_code] = trust


def seed_board_snapshots(run: SeedRun) -> None:
    for spec in TRUSTS:
        for recorded_on, members, clinicians in spec.boards:
            run.get_or_create(
                BoardSnapshot,
                trust=run.trusts[spec.ods_code],
                recorded_on=recorded_on,
                defaults={"members": members, "clinician_members": clinicians},
            )
