"""The demo's people: the rank and file of each trust, generated the same way on every
machine, and the named people whose role histories tell the story Tandem measures."""

import random
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from people.models import ProfessionalGroup, RegistrationBody, User

from .logins import DEMO_LOGINS
from .run import DEMO_EMAIL_DOMAIN, PersonSpec, SeedRun, step_rng
from .trusts import TRUSTS

G = ProfessionalGroup


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
    if group not in (G.ALLIED_HEALTH, G.HEALTHCARE_SCIENCE, G.PHARMACY):
        return "", ""  # managers record no registration
    if not prefix:
        # Every active clinician records a registration (people.User.clean): give the jobs
        # without a profession of their own a clinical scientist's HCPC prefix.
        prefix = "20" if group == G.PHARMACY else "CS"
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
