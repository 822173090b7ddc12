"""Role histories: clinicians moving into clinical leadership, management and board roles,
the change Tandem exists to measure (PRODUCT.md §3)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from people.models import RoleAppointment, RoleCategory, RoleSource, User

from .run import DEMO_EMAIL_DOMAIN, SeedRun


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
PARTICIPANT_EMAIL = f"participant@{DEMO_EMAIL_DOMAIN}"

# Staff (ESR) numbers, as the trusts' HR extracts name people: the first trust's people and
# the demo participant, so docs/hr-extract-example.csv can be imported by the demo
# administrator (people.role_import).
STAFF_NUMBERS = {
    PARTICIPANT_EMAIL: "24071830",
    "aisha.rahman@demo.tandem.nhs.uk": "17080211",
    "owen.pritchard@demo.tandem.nhs.uk": "19030412",
    "kavita.desai@demo.tandem.nhs.uk": "18010813",
    "siobhan.kerr@demo.tandem.nhs.uk": "16100314",
}

ROLE_HISTORY = (
    # The demo participant's own history, shown on My roles (/learn/roles/).
    AppointmentSpec(PARTICIPANT_EMAIL, "Core surgical trainee", C.CLINICAL, date(2020, 8, 5),
                    date(2023, 8, 1), RoleSource.HR_IMPORT),
    AppointmentSpec(PARTICIPANT_EMAIL, "Specialty registrar, general surgery", C.CLINICAL,
                    date(2023, 8, 2), None, RoleSource.SELF_REPORT),
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


def seed_staff_numbers(run: SeedRun) -> None:
    for email, number in STAFF_NUMBERS.items():
        # Only where none is set: a number an administrator changed on the demo is kept.
        User.objects.filter(pk=run.people[email].pk, staff_number="").update(staff_number=number)


def seed_role_history(run: SeedRun) -> None:
    seed_staff_numbers(run)
    for spec in ROLE_HISTORY:
        person = run.people[spec.email]
        run.get_or_create(
            RoleAppointment,
            person=person,
            title=spec.title,
            starts_on=spec.starts_on,
            defaults={
                "trust": run.trusts[spec.trust] if spec.trust else person.trust,
                "professional_group": person.professional_group,
                "category": spec.category,
                "ends_on": spec.ends_on,
                "source": spec.source,
                "recorded_by": run.people[spec.recorded_by] if spec.recorded_by else None,
                # Recorded the morning it started: fixed, so every machine shows the same.
                "recorded_at": timezone.make_aware(datetime.combine(spec.starts_on, time(9))),
            },
        )
