"""Demo data for `manage.py seed_demo`: a small, believable Tandem for a newcomer to explore.

Seeding is the list of plain functions in STEPS, run in order inside one transaction, each
taking the shared SeedRun. Later issues append steps (programmes, cohorts, attendance,
pairings, certificates, surveys...) to that list.

Every step keeps three rules:

- Idempotent. Rows are found by their natural key (ODS code, email, trust and date...) and
  created only when missing; existing rows are left as they are. `make run` seeds on every
  start, so a rerun neither duplicates anything nor undoes what a developer changed by hand.
- Deterministic. Randomness comes from step_rng(<name>), seeded per step, so every machine
  gets the same people and adding a step does not reshuffle the data of the others.
- Valid. Every new row passes full_clean() before it is saved.

Names and job titles live in this module: factory-boy and Faker are dev-only dependencies.
All organisations and people are fictional.
"""

import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone

from people.models import (
    BoardSnapshot,
    ProfessionalGroup,
    RegistrationBody,
    RoleAppointment,
    RoleCategory,
    RoleSource,
    Trust,
    User,
)
from people.roles import Role

# Published in the README and printed by the command: demo logins are not secret.
DEMO_PASSWORD = "tandem-demo-2026"  # noqa: S105
DEMO_EMAIL_DOMAIN = "demo.tandem.nhs.uk"
SEED = "tandem-demo"

G = ProfessionalGroup


class SeedError(Exception):
    """The database cannot take the demo as it stands; the message says what to do."""


def step_rng(name: str) -> random.Random:
    """A random generator for one step, the same on every machine and every run."""
    return random.Random(f"{SEED}:{name}")  # noqa: S311  (demo data, not secrets)


# --------------------------------------------------------------------------------------------
# The run: what the steps share


@dataclass
class SeedRun:
    trusts: dict[str, Trust] = field(default_factory=dict)  # by ODS code
    people: dict[str, User] = field(default_factory=dict)  # by email, demo logins included
    logins: list[tuple["DemoLogin", User]] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)  # new rows, by model verbose_name_plural
    _password_hash: str | None = None

    @property
    def demo_password_hash(self) -> str:
        # Argon2 (dev) takes a noticeable moment per hash: hash the shared password once.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def get_or_create(
        self, model: type[models.Model], defaults: dict | Callable[[], dict] | None = None, **key
    ) -> tuple[models.Model, bool]:
        """Like QuerySet.get_or_create, but a new row must pass full_clean() first. `defaults`
        may be a function, called only when the row is created (for costly values)."""
        try:
            return model._default_manager.get(**key), False
        except model.DoesNotExist:
            values = defaults() if callable(defaults) else (defaults or {})
            obj = model(**key, **values)
            obj.full_clean()
            obj.save(force_insert=True)
            self.created[str(model._meta.verbose_name_plural)] += 1
            return obj, True


# --------------------------------------------------------------------------------------------
# Trusts and their boards


@dataclass(frozen=True)
class TrustSpec:
    ods_code: str
    name: str
    opened_on: date
    kind: str  # "acute" or "community": decides the specialties and job titles of its staff
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
    for spec in TRUSTS:
        trust, _ = run.get_or_create(
            Trust, ods_code=spec.ods_code, defaults={"name": spec.name, "opened_on": spec.opened_on}
        )
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


# --------------------------------------------------------------------------------------------
# People


@dataclass(frozen=True)
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    trust: str | None  # ODS code
    professional_group: str
    job_title: str
    band: str
    directorate: str
    registration_body: str = ""
    registration_number: str = ""

    def model_fields(self, trusts: dict[str, Trust]) -> dict:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "trust": trusts[self.trust] if self.trust else None,
            "professional_group": self.professional_group,
            "job_title": self.job_title,
            "band": self.band,
            "directorate": self.directorate,
            "registration_body": self.registration_body,
            "registration_number": self.registration_number,
        }


FIRST_NAMES = (
    "Oliver", "Amelia", "George", "Olivia", "Harry", "Isla", "Jack", "Ava", "Noah", "Emily",
    "Charlie", "Sophie", "Thomas", "Grace", "James", "Lily", "William", "Freya", "Henry", "Ella",
    "Alfie", "Poppy", "Joshua", "Evie", "Daniel", "Chloe", "Samuel", "Hannah", "Matthew", "Lucy",
    "Rhys", "Siân", "Callum", "Niamh", "Ewan", "Aoife", "Ciarán", "Eilidh", "Owen", "Cerys",
    "Mohammed", "Aisha", "Ahmed", "Fatima", "Imran", "Zara", "Arjun", "Priya", "Rohan", "Anjali",
    "Sanjay", "Deepa", "Kwame", "Adaeze", "Chinedu", "Ngozi", "Tunde", "Abena", "Wei", "Mei",
    "José", "Maria", "Marta", "Piotr", "Agnieszka", "Andrei", "Elena", "Rajesh", "Sunita",
    "Bilal", "Yasmin", "Zoë",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner",
    "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker",
    "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker",
    "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Ali", "Hussain", "Ahmed", "Begum", "Shah", "Singh", "Kaur", "Sharma", "Chaudhry",
    "Iqbal", "Okafor", "Adebayo", "Mensah", "Osei", "Nwosu", "Boateng", "Chen", "Wong", "Santos",
    "Reyes", "Dela Cruz", "Kowalski", "Nowak", "Popescu", "O'Brien", "MacDonald", "Campbell",
    "Fraser", "Lloyd", "Llewellyn", "Gallagher", "Doyle", "Byrne",
)  # fmt: skip

ACUTE_DIRECTORATES = (
    "Medicine",
    "Surgery",
    "Emergency department",
    "Women's and children's",
    "Critical care",
    "Clinical support services",
)
COMMUNITY_DIRECTORATES = (
    "Adult mental health",
    "Older people's mental health",
    "Children and young people's services",
    "Community health services",
    "Learning disabilities",
)

# Doctors: (specialty, consultant's title) by kind of trust, and grades with their weights.
SPECIALTIES = {
    "acute": (
        ("Cardiology", "Consultant cardiologist"),
        ("Emergency medicine", "Consultant in emergency medicine"),
        ("General surgery", "Consultant general surgeon"),
        ("Anaesthetics", "Consultant anaesthetist"),
        ("Paediatrics", "Consultant paediatrician"),
        ("Geriatric medicine", "Consultant geriatrician"),
        ("Obstetrics and gynaecology", "Consultant obstetrician and gynaecologist"),
        ("Respiratory medicine", "Consultant respiratory physician"),
        ("Trauma and orthopaedics", "Consultant orthopaedic surgeon"),
    ),
    "community": (
        ("General adult psychiatry", "Consultant psychiatrist"),
        ("Old age psychiatry", "Consultant in old age psychiatry"),
        ("Child and adolescent psychiatry", "Consultant child and adolescent psychiatrist"),
        ("Community paediatrics", "Consultant community paediatrician"),
    ),
}
MEDICAL_GRADES = (  # (grade, title or None for the specialty's consultant title, weight)
    ("FY1", "Foundation doctor", 1),
    ("FY2", "Foundation doctor", 2),
    ("CT1", "Core trainee", 1),
    ("CT2", "Core trainee", 1),
    ("ST3", "Specialty registrar", 1),
    ("ST4", "Specialty registrar", 2),
    ("ST5", "Specialty registrar", 2),
    ("ST6", "Specialty registrar", 2),
    ("ST7", "Specialty registrar", 1),
    ("Specialty doctor", "Specialty doctor", 2),
    ("Consultant", None, 5),
)


@dataclass(frozen=True)
class Job:
    title: str
    band: str
    directorates: tuple[str, ...] | None  # None: any of the trust's clinical directorates
    # HCPC: the register's two-letter prefix; GPhC: the number's leading digits. Empty for an
    # unregistered job (e.g. physiologists, whose register, the AHCS, is not one we record).
    registration_prefix: str = ""
    weight: int = 1


JOBS = {
    (G.NURSING_MIDWIFERY, "acute"): (
        Job("Staff nurse", "Band 5", None, weight=3),
        Job("Senior staff nurse", "Band 6", None, weight=3),
        Job("Ward manager", "Band 7", ("Medicine", "Surgery", "Critical care"), weight=2),
        Job("Clinical nurse specialist", "Band 7", ("Medicine", "Surgery"), weight=2),
        Job("Advanced nurse practitioner", "Band 8a", ("Emergency department", "Medicine")),
        Job("Matron", "Band 8a", ("Medicine", "Surgery", "Emergency department")),
        Job("Midwife", "Band 6", ("Women's and children's",), weight=2),
        Job("Senior midwife", "Band 7", ("Women's and children's",)),
        Job("Head of nursing", "Band 8c", ("Medicine", "Surgery")),
    ),
    (G.NURSING_MIDWIFERY, "community"): (
        Job(
            "Community mental health nurse",
            "Band 6",
            ("Adult mental health", "Older people's mental health"),
            weight=3,
        ),
        Job("Team leader, community mental health team", "Band 7", ("Adult mental health",)),
        Job("District nurse", "Band 6", ("Community health services",), weight=2),
        Job("Community matron", "Band 8a", ("Community health services",)),
        Job("Health visitor", "Band 6", ("Children and young people's services",), weight=2),
        Job("School nurse", "Band 6", ("Children and young people's services",)),
        Job("Learning disability nurse", "Band 6", ("Learning disabilities",)),
        Job(
            "Staff nurse, inpatient ward",
            "Band 5",
            ("Adult mental health", "Older people's mental health"),
            weight=2,
        ),
        Job("Nurse consultant", "Band 8b", ("Adult mental health",)),
    ),
    (G.ALLIED_HEALTH, "acute"): (
        Job("Physiotherapist", "Band 6", ("Therapies",), "PH", weight=3),
        Job("Senior physiotherapist", "Band 7", ("Therapies",), "PH", weight=2),
        Job("Occupational therapist", "Band 6", ("Therapies",), "OT", weight=2),
        Job("Speech and language therapist", "Band 6", ("Therapies",), "SL"),
        Job("Dietitian", "Band 6", ("Therapies",), "DT"),
        Job("Diagnostic radiographer", "Band 6", ("Imaging",), "RA", weight=2),
        Job("Advanced paramedic practitioner", "Band 7", ("Emergency department",), "PA"),
        Job("Orthoptist", "Band 6", ("Ophthalmology",), "OR"),
        Job("Therapies team lead", "Band 8a", ("Therapies",), "OT"),
    ),
    (G.ALLIED_HEALTH, "community"): (
        Job(
            "Occupational therapist",
            "Band 6",
            ("Adult mental health", "Community health services"),
            "OT",
            weight=3,
        ),
        Job("Physiotherapist", "Band 6", ("Community health services",), "PH", weight=2),
        Job(
            "Speech and language therapist",
            "Band 7",
            ("Children and young people's services", "Learning disabilities"),
            "SL",
            weight=2,
        ),
        Job("Podiatrist", "Band 6", ("Community health services",), "CH"),
        Job("Dietitian", "Band 6", ("Community health services",), "DT"),
        Job("Art psychotherapist", "Band 7", ("Adult mental health",), "AS"),
        Job("Music therapist", "Band 7", ("Learning disabilities",), "AS"),
        Job("Lead occupational therapist", "Band 8a", ("Adult mental health",), "OT"),
    ),
    (G.HEALTHCARE_SCIENCE, "acute"): (
        Job("Biomedical scientist", "Band 6", ("Pathology",), "BS", weight=2),
        Job("Specialist biomedical scientist", "Band 7", ("Pathology",), "BS"),
        Job("Clinical scientist, medical physics", "Band 7", ("Medical physics",), "CS"),
        Job("Principal clinical scientist, audiology", "Band 8b", ("Audiology",), "CS"),
        Job("Cardiac physiologist", "Band 6", ("Cardiology",)),
        Job("Respiratory physiologist", "Band 5", ("Respiratory medicine",)),
    ),
    (G.HEALTHCARE_SCIENCE, "community"): (
        Job("Audiologist", "Band 6", ("Children and young people's services",), weight=2),
        Job(
            "Clinical scientist, audiology",
            "Band 7",
            ("Children and young people's services",),
            "CS",
        ),
    ),
    (G.PHARMACY, "acute"): (
        Job("Rotational pharmacist", "Band 7", ("Pharmacy",), "20", weight=2),
        Job("Specialist pharmacist, antimicrobials", "Band 8a", ("Pharmacy",), "20"),
        Job("Lead pharmacist, critical care", "Band 8b", ("Pharmacy",), "20"),
        Job("Pharmacy technician", "Band 5", ("Pharmacy",), "50", weight=2),
        Job("Senior pharmacy technician, medicines management", "Band 6", ("Pharmacy",), "50"),
    ),
    (G.PHARMACY, "community"): (
        Job("Mental health pharmacist", "Band 8a", ("Pharmacy",), "20", weight=2),
        Job("Lead pharmacist, medicines optimisation", "Band 8b", ("Pharmacy",), "20"),
        Job("Pharmacy technician", "Band 5", ("Pharmacy",), "50", weight=2),
    ),
}
MANAGEMENT_JOBS = (
    Job("Business manager", "Band 6", None, weight=2),
    Job("Operational manager", "Band 7", None, weight=3),
    Job("Service manager", "Band 8a", None, weight=3),
    Job("General manager", "Band 8b", None, weight=2),
    Job("Finance business partner", "Band 8a", ("Finance",)),
    Job("HR business partner", "Band 8a", ("Workforce and organisational development",)),
    Job("Project manager, transformation", "Band 7", ("Strategy and transformation",)),
    Job("Head of performance and information", "Band 8c", ("Performance and information",)),
    Job("Associate director of operations", "Band 8d", ("Operations",)),
    Job("Deputy director of operations", "Band 9", ("Operations",)),
)
for _kind in ("acute", "community"):
    JOBS[G.MANAGEMENT, _kind] = MANAGEMENT_JOBS


def demo_email(first_name: str, last_name: str) -> str:
    """first.last@demo.tandem.nhs.uk, in plain ASCII: 'Siân O'Brien' -> sian.obrien@..."""

    def part(name: str) -> str:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        kept = "".join(c for c in ascii_name.lower() if c.isalnum() or c in " -")
        return "-".join(kept.split())

    return f"{part(first_name)}.{part(last_name)}@{DEMO_EMAIL_DOMAIN}"


def _registration(rng: random.Random, group: str, prefix: str) -> tuple[str, str]:
    """A well-formed (fictional) number on the register of `group`; ('', '') for none."""
    if group == G.MEDICAL:
        return RegistrationBody.GMC, str(rng.randint(2_000_000, 7_999_999))
    if group == G.NURSING_MIDWIFERY:
        # NMC PIN: year of registration, month letter (A-L), serial, country (E, S, W, N; O abroad).
        year, month = rng.randint(0, 24), rng.choice("ABCDEFGHIJKL")
        return RegistrationBody.NMC, (
            f"{year:02d}{month}{rng.randint(0, 9999):04d}{rng.choice('EEEEEEEESWNO')}"
        )
    if not prefix:
        return "", ""
    if group == G.PHARMACY:  # GPhC: 7 digits; pharmacists' begin 20, technicians' 50
        return RegistrationBody.GPHC, f"{prefix}{rng.randint(0, 99_999):05d}"
    return RegistrationBody.HCPC, f"{prefix}{rng.randint(10_000, 99_999)}"  # e.g. PH12345


def generated_people(reserved: set[str] | None = None) -> list[PersonSpec]:
    """The rank and file of each trust: TrustSpec.mix people per professional group, the same
    list on every call. `reserved` holds emails and registration numbers already taken."""
    rng = step_rng("people")
    taken = set(reserved or ())
    people = []
    for trust in TRUSTS:
        directorates = ACUTE_DIRECTORATES if trust.kind == "acute" else COMMUNITY_DIRECTORATES
        for group, count in trust.mix.items():
            for _ in range(count):
                while True:  # a new name, so nobody shares an email or a doppelgänger
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                    email = demo_email(first, last)
                    if email not in taken:
                        break
                if group == G.MEDICAL:
                    specialty, consultant_title = rng.choice(SPECIALTIES[trust.kind])
                    grade, title, _ = rng.choices(
                        MEDICAL_GRADES, weights=[w for *_, w in MEDICAL_GRADES]
                    )[0]
                    job = Job(title or consultant_title, grade, (specialty,))
                else:
                    jobs = JOBS[group, trust.kind]
                    job = rng.choices(jobs, weights=[j.weight for j in jobs])[0]
                while True:
                    body, number = _registration(rng, group, job.registration_prefix)
                    if not number or (body, number) not in taken:
                        break
                taken |= {email, (body, number)}
                people.append(
                    PersonSpec(
                        email=email,
                        first_name=first,
                        last_name=last,
                        trust=trust.ods_code,
                        professional_group=group,
                        job_title=job.title,
                        band=job.band,
                        directorate=rng.choice(job.directorates or directorates),
                        registration_body=body,
                        registration_number=number,
                    )
                )
    return people


# People whose role history tells the story Tandem measures: clinicians moving into clinical
# leadership, management and board roles. Their appointments are in ROLE_HISTORY below.
STORY_PEOPLE = (
    PersonSpec(
        "aisha.rahman@demo.tandem.nhs.uk", "Aisha", "Rahman", "RXZ1", G.MEDICAL,
        "Clinical lead for urgent and emergency care", "Consultant", "Emergency medicine",
        RegistrationBody.GMC, "6093417",
    ),
    PersonSpec(
        "owen.pritchard@demo.tandem.nhs.uk", "Owen", "Pritchard", "RXZ1", G.NURSING_MIDWIFERY,
        "Matron for surgery", "Band 8a", "Surgery", RegistrationBody.NMC, "09H4471E",
    ),
    PersonSpec(
        "kavita.desai@demo.tandem.nhs.uk", "Kavita", "Desai", "RXZ1", G.PHARMACY,
        "Divisional director of clinical support services", "Band 8d",
        "Clinical support services", RegistrationBody.GPHC, "2047719",
    ),
    PersonSpec(
        "siobhan.kerr@demo.tandem.nhs.uk", "Siobhán", "Kerr", "RXZ1", G.HEALTHCARE_SCIENCE,
        "Clinical director for pathology", "Band 8c", "Pathology",
        RegistrationBody.HCPC, "CS08812",
    ),
    PersonSpec(
        "tomasz.nowak@demo.tandem.nhs.uk", "Tomasz", "Nowak", "RXZ2", G.MEDICAL,
        "Specialty registrar", "ST7", "Anaesthetics", RegistrationBody.GMC, "7152903",
    ),
    PersonSpec(
        "grace.mensah@demo.tandem.nhs.uk", "Grace", "Mensah", "RXZ2", G.ALLIED_HEALTH,
        "Service manager, therapies", "Band 8a", "Therapies", RegistrationBody.HCPC, "PH61204",
    ),
    PersonSpec(
        "femi.adeyemi@demo.tandem.nhs.uk", "Femi", "Adeyemi", "RXZ2", G.MEDICAL,
        "Consultant cardiologist", "Consultant", "Cardiology", RegistrationBody.GMC, "4418260",
    ),
    PersonSpec(
        "rhys.morgan@demo.tandem.nhs.uk", "Rhys", "Morgan", "RXZ3", G.MEDICAL,
        "Medical director", "Consultant", "General adult psychiatry",
        RegistrationBody.GMC, "3826571",
    ),
    PersonSpec(
        "bernadette.osullivan@demo.tandem.nhs.uk", "Bernadette", "O'Sullivan", "RXZ3",
        G.NURSING_MIDWIFERY, "Chief nurse", "Very senior manager", "Nursing and quality",
        RegistrationBody.NMC, "92C0158E",
    ),
    PersonSpec(
        "helen.castell@demo.tandem.nhs.uk", "Helen", "Castell", "RXZ3", G.MANAGEMENT,
        "Deputy director of operations", "Band 9", "Operations",
    ),
)  # fmt: skip


def seed_people(run: SeedRun) -> None:
    named = (*STORY_PEOPLE, *(login.person for login in DEMO_LOGINS))
    reserved = {p.email for p in named} | {
        (p.registration_body, p.registration_number) for p in named
    }
    for spec in (*STORY_PEOPLE, *generated_people(reserved)):
        person, _ = run.get_or_create(
            User,
            email=spec.email,
            # They are characters, not logins: no usable password (make_password(None)).
            defaults=lambda spec=spec: {
                **spec.model_fields(run.trusts),
                "password": make_password(None),
            },
        )
        run.people[spec.email] = person


# --------------------------------------------------------------------------------------------
# Demo logins: one per role, and a superuser


@dataclass(frozen=True)
class DemoLogin:
    role: Role | None  # None: the superuser
    person: PersonSpec

    @property
    def role_label(self) -> str:
        return self.role.label if self.role else "Superuser"


def _login(local_part, role, first, last, trust, group, title, band, directorate, *registration):
    email = f"{local_part}@{DEMO_EMAIL_DOMAIN}"
    person = PersonSpec(email, first, last, trust, group, title, band, directorate, *registration)
    return DemoLogin(role, person)


DEMO_LOGINS = (
    _login(
        "superuser", None, "Sam", "Superuser", None, "",
        "Tandem platform administrator", "", "Tandem",
    ),
    _login(
        "participant", Role.PARTICIPANT, "Priya", "Shah", FIRST_TRUST, G.MEDICAL,
        "Specialty registrar", "ST4", "General surgery", RegistrationBody.GMC, "7240318",
    ),
    _login(
        "editor", Role.EDITOR, "Eleanor", "Hughes", None, G.MANAGEMENT,
        "Learning content editor", "Band 6", "Leadership and organisational development",
    ),
    _login(
        "reviewer", Role.CONTENT_REVIEWER, "Marcus", "Bell", None, G.MANAGEMENT,
        "Head of leadership development", "Band 8b", "Leadership and organisational development",
    ),
    _login(
        "admin", Role.PROGRAMME_ADMINISTRATOR, "Fatima", "Hussain", FIRST_TRUST, G.MANAGEMENT,
        "Leadership programmes administrator", "Band 5",
        "Workforce and organisational development",
    ),
    _login(
        "facilitator", Role.FACILITATOR, "Niamh", "Gallagher", FIRST_TRUST, G.NURSING_MIDWIFERY,
        "Practice development nurse", "Band 7", "Education and practice development",
        RegistrationBody.NMC, "04F2291E",
    ),
    _login(
        "reporting-lead", Role.TRUST_REPORTING_LEAD, "David", "Okonkwo", FIRST_TRUST,
        G.MANAGEMENT, "Head of workforce information", "Band 8b",
        "Workforce and organisational development",
    ),
    _login(
        "regional-lead", Role.REGIONAL_LEAD, "Catherine", "Barnes", None, G.MANAGEMENT,
        "Regional leadership development lead", "Band 8c", "Regional workforce team",
    ),
)  # fmt: skip


def seed_demo_logins(run: SeedRun) -> None:
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    missing = set(Role.values) - set(groups)
    if missing:
        raise SeedError(
            f"The role groups {sorted(missing)} are missing: run `manage.py migrate` first."
        )
    for login in DEMO_LOGINS:
        superuser = login.role is None
        user, _ = run.get_or_create(
            User,
            email=login.person.email,
            # The password is set only when the account is created: a rerun neither rehashes
            # it nor undoes a password someone has since changed.
            defaults=lambda login=login, superuser=superuser: {
                **login.person.model_fields(run.trusts),
                "password": run.demo_password_hash,
                # Wagtail admin access comes from the role groups' permissions; only the
                # superuser needs is_staff (for Django's own admin).
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if login.role is not None:
            user.groups.add(groups[login.role])  # a no-op when already a member
        run.people[user.email] = user
        run.logins.append((login, user))


# --------------------------------------------------------------------------------------------
# Role history


@dataclass(frozen=True)
class AppointmentSpec:
    email: str
    title: str
    category: str
    starts_on: date
    ends_on: date | None
    source: str
    trust: str | None = None  # ODS code; by default the person's own trust
    recorded_by: str | None = None  # email of the administrator who recorded it


C = RoleCategory
ADMIN_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"

ROLE_HISTORY = (
    # A consultant takes on a clinical lead role.
    AppointmentSpec("aisha.rahman@demo.tandem.nhs.uk", "Consultant in emergency medicine",
                    C.CLINICAL, date(2017, 8, 2), None, RoleSource.HR_IMPORT),
    AppointmentSpec("aisha.rahman@demo.tandem.nhs.uk",
                    "Clinical lead for urgent and emergency care", C.CLINICAL_LEADERSHIP,
                    date(2025, 9, 1), None, RoleSource.SELF_REPORT),
    # A ward manager becomes a matron.
    AppointmentSpec("owen.pritchard@demo.tandem.nhs.uk", "Ward manager, surgical ward 12",
                    C.CLINICAL, date(2019, 3, 4), date(2025, 5, 31), RoleSource.HR_IMPORT),
    AppointmentSpec("owen.pritchard@demo.tandem.nhs.uk", "Matron for surgery",
                    C.CLINICAL_LEADERSHIP, date(2025, 6, 1), None, RoleSource.ADMINISTRATOR,
                    recorded_by=ADMIN_EMAIL),
    # A pharmacist becomes a divisional director.
    AppointmentSpec("kavita.desai@demo.tandem.nhs.uk", "Lead pharmacist, medicines optimisation",
                    C.CLINICAL, date(2018, 1, 8), date(2026, 1, 4), RoleSource.HR_IMPORT),
    AppointmentSpec("kavita.desai@demo.tandem.nhs.uk",
                    "Divisional director of clinical support services", C.CLINICAL_LEADERSHIP,
                    date(2026, 1, 5), None, RoleSource.ADMINISTRATOR, recorded_by=ADMIN_EMAIL),
    # A clinical scientist becomes clinical director for pathology.
    AppointmentSpec("siobhan.kerr@demo.tandem.nhs.uk", "Consultant clinical scientist, genomics",
                    C.CLINICAL, date(2016, 10, 3), date(2025, 3, 31), RoleSource.HR_IMPORT),
    AppointmentSpec("siobhan.kerr@demo.tandem.nhs.uk", "Clinical director for pathology",
                    C.CLINICAL_LEADERSHIP, date(2025, 4, 1), None, RoleSource.SELF_REPORT),
    # A registrar's year as chief registrar, then back to training.
    AppointmentSpec("tomasz.nowak@demo.tandem.nhs.uk", "Specialty registrar, anaesthetics",
                    C.CLINICAL, date(2021, 8, 4), None, RoleSource.HR_IMPORT),
    AppointmentSpec("tomasz.nowak@demo.tandem.nhs.uk", "Chief registrar",
                    C.CLINICAL_LEADERSHIP, date(2025, 8, 6), date(2026, 8, 4),
                    RoleSource.SELF_REPORT),
    # A physiotherapist moves into management.
    AppointmentSpec("grace.mensah@demo.tandem.nhs.uk", "Senior physiotherapist, respiratory",
                    C.CLINICAL, date(2020, 2, 3), date(2026, 2, 1), RoleSource.HR_IMPORT),
    AppointmentSpec("grace.mensah@demo.tandem.nhs.uk", "Service manager, therapies",
                    C.MANAGEMENT, date(2026, 2, 2), None, RoleSource.SELF_REPORT),
    # A consultant joins another trust's board as a non-executive director.
    AppointmentSpec("femi.adeyemi@demo.tandem.nhs.uk", "Consultant cardiologist",
                    C.CLINICAL, date(2014, 9, 1), None, RoleSource.HR_IMPORT),
    AppointmentSpec("femi.adeyemi@demo.tandem.nhs.uk", "Non-executive director",
                    C.BOARD_NON_EXECUTIVE, date(2026, 3, 1), None, RoleSource.SELF_REPORT,
                    trust="RXZ3"),
    # A consultant psychiatrist becomes medical director; a deputy chief nurse, chief nurse.
    AppointmentSpec("rhys.morgan@demo.tandem.nhs.uk", "Consultant psychiatrist",
                    C.CLINICAL, date(2012, 2, 6), None, RoleSource.HR_IMPORT),
    AppointmentSpec("rhys.morgan@demo.tandem.nhs.uk", "Medical director",
                    C.BOARD_EXECUTIVE, date(2026, 4, 1), None, RoleSource.HR_IMPORT),
    AppointmentSpec("bernadette.osullivan@demo.tandem.nhs.uk", "Deputy chief nurse",
                    C.CLINICAL_LEADERSHIP, date(2021, 6, 1), date(2025, 11, 2),
                    RoleSource.HR_IMPORT),
    AppointmentSpec("bernadette.osullivan@demo.tandem.nhs.uk", "Chief nurse",
                    C.BOARD_EXECUTIVE, date(2025, 11, 3), None, RoleSource.HR_IMPORT),
    # A manager's promotion, for contrast.
    AppointmentSpec("helen.castell@demo.tandem.nhs.uk", "General manager, community services",
                    C.MANAGEMENT, date(2019, 5, 13), date(2025, 9, 30), RoleSource.HR_IMPORT),
    AppointmentSpec("helen.castell@demo.tandem.nhs.uk", "Deputy director of operations",
                    C.MANAGEMENT, date(2025, 10, 1), None, RoleSource.HR_IMPORT),
)  # fmt: skip


def seed_role_history(run: SeedRun) -> None:
    for spec in ROLE_HISTORY:
        person = run.people[spec.email]
        run.get_or_create(
            RoleAppointment,
            person=person,
            title=spec.title,
            starts_on=spec.starts_on,
            defaults={
                "trust": run.trusts[spec.trust] if spec.trust else person.trust,
                "category": spec.category,
                "ends_on": spec.ends_on,
                "source": spec.source,
                "recorded_by": run.people[spec.recorded_by] if spec.recorded_by else None,
                # Recorded the morning it started: fixed, so every machine shows the same.
                "recorded_at": timezone.make_aware(datetime.combine(spec.starts_on, time(9))),
            },
        )


# --------------------------------------------------------------------------------------------
# Account security: verified addresses, sign-up domains, authenticator apps for staff logins

# Staff roles need two-factor authentication. The demo staff logins share this authenticator
# secret so a newcomer can sign in at once: `manage.py demo_totp_code` prints the current code
# (or add the secret to any authenticator app). Demo data only; never in production.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105  (published demo value)
SHARED_DOMAIN = "nhs.net"


def seed_account_security(run: SeedRun) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from people.models import TrustEmailDomain

    first_trust = run.trusts[FIRST_TRUST]
    run.get_or_create(TrustEmailDomain, trust=first_trust, domain=DEMO_EMAIL_DOMAIN)
    for trust in run.trusts.values():
        run.get_or_create(TrustEmailDomain, trust=trust, domain=SHARED_DOMAIN)
    for _login, user in run.logins:
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if (
            user.holds_staff_role
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            run.created["authenticator apps"] += 1


# --------------------------------------------------------------------------------------------
# Content


def seed_cms_content(run: SeedRun) -> None:
    """The Leading Together programme, its modules and the resource library (the content
    itself lives in cms.demo_content)."""
    from cms.demo_content import seed_content

    seed_content(run)


# --------------------------------------------------------------------------------------------
# The steps, in order. Later issues append theirs (programmes, cohorts, attendance, ...).

STEPS: list[Callable[[SeedRun], None]] = [
    seed_trusts,
    seed_board_snapshots,
    seed_people,
    seed_demo_logins,
    seed_account_security,
    seed_role_history,
    seed_cms_content,
]


def seed() -> SeedRun:
    """Run every step in one transaction: the demo is loaded whole or not at all."""
    run = SeedRun()
    with transaction.atomic():
        for step in STEPS:
            step(run)
    return run


def login_table(run: SeedRun) -> str:
    """The demo logins as a table for the console, with the shared password."""
    rows = [("Email", "Role", "Trust")]
    for login, user in run.logins:
        rows.append((user.email, login.role_label, user.trust.name if user.trust else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    rows.insert(1, tuple("-" * width for width in widths))
    lines = [
        ("  " + "  ".join(c.ljust(width) for c, width in zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]
    heading = f"Demo logins (the password of each, unless since changed: {DEMO_PASSWORD})"
    footer = (
        "Staff roles need a two-factor code: run `.venv/bin/python manage.py demo_totp_code`, "
        f"or add the secret {DEMO_TOTP_SECRET} to an authenticator app."
    )
    return "\n".join([heading, *lines, footer])
