"""People and trusts: the accounts, the NHS organisations they work for, and their roles.

Every feature app imports from here; this app imports none of them.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .roles import STAFF_ROLES, Role
from .validators import (
    REGISTRATION_FORMATS,
    normalise_code,
    validate_ods_code,
    validate_registration_number,
)

# --------------------------------------------------------------------------------------------
# Trusts


class TrustQuerySet(models.QuerySet):
    def open(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            models.Q(opened_on__isnull=True) | models.Q(opened_on__lte=on),
            models.Q(closed_on__isnull=True) | models.Q(closed_on__gt=on),
        )


class Trust(models.Model):
    """An NHS organisation. ODS codes are never reused, so a closed trust is kept with its
    closing date rather than deleted."""

    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code",
        max_length=5,
        unique=True,
        validators=[validate_ods_code],
        help_text="The organisation's code in the NHS Organisation Data Service, e.g. RYJ.",
        error_messages={"unique": "A trust with this ODS code already exists."},
    )
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = TrustQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(opened_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="trust_closes_after_opening",
                violation_error_message="A trust cannot close before it opened.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"

    def clean_fields(self, exclude=None):
        # Normalise before the format validator runs, so " ryj" is accepted as RYJ.
        self.ods_code = normalise_code(self.ods_code)
        super().clean_fields(exclude=exclude)

    @property
    def is_open(self) -> bool:
        today = timezone.localdate()
        return (self.opened_on is None or self.opened_on <= today) and (
            self.closed_on is None or self.closed_on > today
        )


DOMAIN_PATTERN = r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class TrustEmailDomain(models.Model):
    """An email domain a trust has registered for self sign-up. A shared domain such as
    nhs.net may be registered by several trusts; the person then chooses theirs."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(
        max_length=253,
        validators=[
            RegexValidator(
                DOMAIN_PATTERN, "Enter a domain such as northshire.nhs.uk, without the @."
            )
        ],
        help_text="The part after the @, e.g. northshire.nhs.uk or nhs.net.",
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "domain"],
                name="one_registration_per_trust_and_domain",
                violation_error_message="This trust has already registered this domain.",
            ),
        ]
        indexes = [models.Index(fields=["domain"])]

    def __str__(self):
        return f"@{self.domain} ({self.trust.ods_code})"

    def clean_fields(self, exclude=None):
        self.domain = (self.domain or "").strip().lower().lstrip("@")
        super().clean_fields(exclude=exclude)


class BoardSnapshot(models.Model):
    """The make-up of a trust's board on a date: how many members, how many of them clinicians.
    Kept as dated snapshots so reports can show the clinician share changing over time."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="board_snapshots")
    recorded_on = models.DateField()
    members = models.PositiveSmallIntegerField()
    clinician_members = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["trust", "-recorded_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "recorded_on"],
                name="one_board_snapshot_per_trust_per_day",
                violation_error_message="This trust already has a board snapshot on that date.",
            ),
            models.CheckConstraint(
                condition=models.Q(clinician_members__lte=models.F("members")),
                name="board_clinicians_within_members",
                violation_error_message="Clinician members cannot outnumber board members.",
            ),
        ]

    def __str__(self):
        return f"{self.trust.ods_code} board on {self.recorded_on:%d %b %Y}"

    @property
    def clinician_share(self) -> float | None:
        return self.clinician_members / self.members if self.members else None


# --------------------------------------------------------------------------------------------
# People


class ProfessionalGroup(models.TextChoices):
    MEDICAL = "medical", "Medical"
    NURSING_MIDWIFERY = "nursing_midwifery", "Nursing and midwifery"
    ALLIED_HEALTH = "allied_health", "Allied health professions"
    HEALTHCARE_SCIENCE = "healthcare_science", "Healthcare science"
    PHARMACY = "pharmacy", "Pharmacy"
    MANAGEMENT = "management", "Management and administration"


CLINICAL_GROUPS = frozenset(
    {
        ProfessionalGroup.MEDICAL,
        ProfessionalGroup.NURSING_MIDWIFERY,
        ProfessionalGroup.ALLIED_HEALTH,
        ProfessionalGroup.HEALTHCARE_SCIENCE,
        ProfessionalGroup.PHARMACY,
    }
)


class RegistrationBody(models.TextChoices):
    GMC = "GMC", "General Medical Council (GMC)"
    NMC = "NMC", "Nursing and Midwifery Council (NMC)"
    HCPC = "HCPC", "Health and Care Professions Council (HCPC)"
    GPHC = "GPHC", "General Pharmaceutical Council (GPhC)"


# Which register each clinical group belongs to.
REGISTRATION_BODY_FOR_GROUP = {
    ProfessionalGroup.MEDICAL: RegistrationBody.GMC,
    ProfessionalGroup.NURSING_MIDWIFERY: RegistrationBody.NMC,
    ProfessionalGroup.ALLIED_HEALTH: RegistrationBody.HCPC,
    ProfessionalGroup.HEALTHCARE_SCIENCE: RegistrationBody.HCPC,
    ProfessionalGroup.PHARMACY: RegistrationBody.GPHC,
}
assert set(REGISTRATION_FORMATS) == set(RegistrationBody.values)


class UserQuerySet(models.QuerySet):
    def clinicians(self):
        return self.filter(professional_group__in=CLINICAL_GROUPS)

    def managers(self):
        return self.filter(professional_group=ProfessionalGroup.MANAGEMENT)

    def in_trust(self, trust):
        return self.filter(trust=trust)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        # NHS mail systems treat addresses case-insensitively; so do we, so that one person
        # cannot hold two accounts that differ only in case.
        return (email or "").strip().lower()

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person: one account, signed in with their email address, and their profile.

    Profile fields live on the account itself so reports can group people by trust and
    professional group without a join, and one form edits a person.
    """

    username = None
    email = models.EmailField(
        "email address",
        unique=True,
        error_messages={"unique": "A person with this email address already exists."},
    )

    trust = models.ForeignKey(
        Trust,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="The trust this person works for. It scopes what they administer or see.",
    )
    professional_group = models.CharField(
        max_length=32, choices=ProfessionalGroup.choices, blank=True
    )
    job_title = models.CharField(max_length=200, blank=True)
    band = models.CharField(
        "band or grade",
        max_length=50,
        blank=True,
        help_text="Agenda for Change band (e.g. Band 7) or medical grade (e.g. ST4, Consultant).",
    )
    directorate = models.CharField("directorate or specialty", max_length=200, blank=True)
    registration_body = models.CharField(
        "professional register", max_length=8, choices=RegistrationBody.choices, blank=True
    )
    registration_number = models.CharField(
        max_length=12,
        blank=True,
        help_text="GMC: 7 digits. NMC PIN: e.g. 12A3456E. HCPC: e.g. PA12345. GPhC: 7 digits.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_body", "registration_number"],
                condition=~models.Q(registration_number=""),
                name="one_person_per_registration",
                violation_error_message="Another person already has this registration number.",
            ),
            # Belt and braces for writes that skip the manager's normalisation.
            models.UniqueConstraint(
                Lower("email"),
                name="people_user_email_ci_unique",
                violation_error_message="A person with this email address already exists.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)
        self.registration_number = normalise_code(self.registration_number)
        self._clean_registration()

    def _clean_registration(self):
        errors = {}
        if self.registration_number and not self.registration_body:
            errors["registration_body"] = "Choose the register this number belongs to."
        elif self.registration_body and not self.registration_number:
            errors["registration_number"] = "Enter your registration number."
        elif self.registration_body:
            expected = REGISTRATION_BODY_FOR_GROUP.get(self.professional_group)
            if expected is None:
                errors["registration_body"] = "Only clinicians record a professional registration."
            elif self.registration_body != expected:
                errors["registration_body"] = (
                    f"{self.get_professional_group_display()} staff register with the "
                    f"{RegistrationBody(expected).label}."
                )
            else:
                try:
                    validate_registration_number(self.registration_body, self.registration_number)
                except ValidationError as error:
                    errors["registration_number"] = error
        if errors:
            raise ValidationError(errors)

    @property
    def is_clinical(self) -> bool:
        return self.professional_group in CLINICAL_GROUPS

    @property
    def profile_is_complete(self) -> bool:
        """What first sign-in asks for: names, a trust, a professional group and job title, and
        a registration number for clinicians. Superusers may have no trust."""
        return bool(
            self.first_name
            and self.last_name
            and (self.trust_id or self.is_superuser)
            and self.professional_group
            and self.job_title
            and (not self.is_clinical or self.registration_number)
        )

    @property
    def role_names(self) -> set[str]:
        # Cached per instance: permission checks ask several times per request.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: Role) -> bool:
        return role in self.role_names

    @property
    def holds_staff_role(self) -> bool:
        return self.is_superuser or bool(self.role_names & STAFF_ROLES)


# What a person's profile is, as a person and their administrator edit it (both forms).
PROFILE_FIELDS = [
    "first_name",
    "last_name",
    "professional_group",
    "job_title",
    "band",
    "directorate",
    "registration_body",
    "registration_number",
]


# --------------------------------------------------------------------------------------------
# Role history


class RoleCategory(models.TextChoices):
    CLINICAL = "clinical", "Clinical"
    CLINICAL_LEADERSHIP = "clinical_leadership", "Clinical leadership"
    MANAGEMENT = "management", "Management"
    BOARD_EXECUTIVE = "board_executive", "Board (executive)"
    BOARD_NON_EXECUTIVE = "board_non_executive", "Board (non-executive)"


LEADERSHIP_CATEGORIES = frozenset(
    {
        RoleCategory.CLINICAL_LEADERSHIP,
        RoleCategory.MANAGEMENT,
        RoleCategory.BOARD_EXECUTIVE,
        RoleCategory.BOARD_NON_EXECUTIVE,
    }
)


class RoleSource(models.TextChoices):
    SELF_REPORT = "self_report", "Self-reported"
    HR_IMPORT = "hr_import", "HR import"
    ADMINISTRATOR = "administrator", "Administrator"


class RoleAppointmentQuerySet(models.QuerySet):
    def leadership(self):
        return self.filter(category__in=LEADERSHIP_CATEGORIES)

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            models.Q(starts_on__lte=on), models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on)
        )


class RoleAppointment(models.Model):
    """A dated entry in a person's role history. Reporting counts clinicians whose leadership,
    management or board appointment started after they enrolled on a programme."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_appointments")
    trust = models.ForeignKey(
        Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="role_appointments"
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=RoleCategory.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=RoleSource.choices)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RoleAppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-starts_on"]
        indexes = [models.Index(fields=["category", "starts_on"])]
        constraints = [
            # The natural key: repeated HR imports or self-reports must not duplicate a role.
            models.UniqueConstraint(
                fields=["person", "title", "starts_on"],
                name="one_role_appointment_per_title_and_start",
                violation_error_message="This person already has this role starting on that date.",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="role_ends_after_it_starts",
                violation_error_message="A role cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_category_display()}) from {self.starts_on:%d %b %Y}"

    @property
    def is_leadership(self) -> bool:
        return self.category in LEADERSHIP_CATEGORIES
