"""People: one account per person, with the profile reports group by."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from ..access import (
    PROGRAMME_ROLES,
    ROLES_THAT_SEE_OTHERS,
    STAFF_ROLES,
    AccessRole,
    has_staff_access,
)
from ..validators import REGISTRATION_FORMATS, normalise_code, validate_registration_number
from .trusts import Trust


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


# The Wagtail admin permission, however it was given: in a group, or to the person directly.
_STAFF_ACCESS = (
    models.Q(is_superuser=True)
    | models.Q(is_staff=True)
    | models.Q(
        user_permissions__codename="access_admin",
        user_permissions__content_type__app_label="wagtailadmin",
    )
    | models.Q(
        groups__permissions__codename="access_admin",
        groups__permissions__content_type__app_label="wagtailadmin",
    )
)


class UserQuerySet(models.QuerySet):
    def clinicians(self):
        return self.filter(professional_group__in=CLINICAL_GROUPS)

    def managers(self):
        return self.filter(professional_group=ProfessionalGroup.MANAGEMENT)

    def in_trust(self, trust):
        return self.filter(trust=trust)

    def with_staff_access(self):
        """The queryset form of people.access.has_staff_access (tests keep them in step)."""
        return self.filter(_STAFF_ACCESS | models.Q(access_grants__role__in=STAFF_ROLES)).distinct()

    def seeing_others(self):
        """The queryset form of people.access.sees_others: staff access, or a facilitator."""
        return self.filter(
            _STAFF_ACCESS | models.Q(access_grants__role__in=ROLES_THAT_SEE_OTHERS)
        ).distinct()


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
    # The person's sponsor: their line manager, or the supervising consultant of a doctor in
    # training, who approves their place in a cohort that needs it. Kept here so the
    # enrolment form can offer it next time; each enrolment keeps its own copy.
    sponsor_name = models.CharField(
        "your sponsor's full name",
        max_length=200,
        blank=True,
        help_text="Your line manager, or your supervising consultant if you are a doctor in "
        "training. Some cohorts ask them to approve your place.",
    )
    sponsor_email = models.EmailField("your sponsor's email address", blank=True)
    # The trust's own payroll or ESR number, as its HR extracts name people: how a role-history
    # import (people.role_import) finds them. Set by administrators, not by the person.
    staff_number = models.CharField(
        max_length=30,
        blank=True,
        help_text="The person's staff (ESR or payroll) number at their trust, as HR extracts "
        "give it. Optional; unique within a trust.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        # What reports and scoped listings filter on: a trust's people by professional group.
        indexes = [models.Index(fields=["trust", "professional_group"])]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_body", "registration_number"],
                condition=~models.Q(registration_number=""),
                name="one_person_per_registration",
                violation_error_message="Another person already has this registration number.",
            ),
            models.UniqueConstraint(
                fields=["trust", "staff_number"],
                condition=~models.Q(staff_number=""),
                name="one_person_per_staff_number_in_a_trust",
                violation_error_message="Another person at this trust has this staff number.",
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
        # As HR extracts write it, without the spaces a copy and paste brings.
        self.staff_number = normalise_code(self.staff_number)
        self._clean_registration()

    def _clean_registration(self):
        errors = {}
        if self.registration_number and not self.registration_body:
            errors["registration_body"] = "Choose the register this number belongs to."
        elif self.registration_body and not self.registration_number:
            errors["registration_number"] = "Enter your registration number."
        elif self.is_clinical and not self.registration_number and self.is_active:
            # Erased accounts keep their professional group (reports count it) but lose the
            # number, so only active accounts must have one.
            body = RegistrationBody(REGISTRATION_BODY_FOR_GROUP[self.professional_group])
            errors["registration_number"] = (
                f"{self.get_professional_group_display()} staff need their {body.label} "
                "registration number."
            )
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
    def takes_part_in_programmes(self) -> bool:
        """Participants and facilitators, and anyone without staff access (a new sign-up holds
        no role yet): the people whose professional group, job and registration reports count
        and pairing uses. Staff in staff roles alone (editors, reviewers, administrators,
        leads, superusers) do not."""
        return bool(self.role_names & PROGRAMME_ROLES) or not has_staff_access(self)

    @property
    def missing_profile_fields(self) -> list[str]:
        """What the profile step (accounts.views.profile) must still ask, in form order:
        everyone's name; and of those who take part in programmes, their professional group
        and job title, and a clinician's registration number. Never the trust: a person
        cannot choose it on that form (sign-up, an invitation or an administrator sets it),
        so asking would leave them stuck."""
        missing = [name for name in ("first_name", "last_name") if not getattr(self, name)]
        if self.takes_part_in_programmes:
            missing += [
                name for name in ("professional_group", "job_title") if not getattr(self, name)
            ]
            if self.is_clinical and not self.registration_number:
                missing.append("registration_number")
        return missing

    @property
    def profile_is_complete(self) -> bool:
        return not self.missing_profile_fields

    @property
    def grants(self) -> list[tuple[str, int | None, int | None]]:
        """This person's access grants as (role, trust id, region id): one query, cached on
        the instance because permission checks ask several times per request."""
        if not hasattr(self, "_grants"):
            self._grants = (
                list(self.access_grants.values_list("role", "trust_id", "region_id"))
                if self.pk
                else []
            )
        return self._grants

    def forget_grants(self) -> None:
        for cached in ("_grants", "_perm_cache", "_group_perm_cache", "_user_perm_cache"):
            self.__dict__.pop(cached, None)

    @property
    def role_names(self) -> set[str]:
        return {role for role, _, _ in self.grants}

    def has_role(self, role: AccessRole) -> bool:
        return role in self.role_names

    def trusts_for(self, role: AccessRole) -> set[int]:
        """The trusts this person holds `role` for."""
        return {trust for granted, trust, _ in self.grants if granted == role and trust}

    def regions_for(self, role: AccessRole) -> set[int]:
        return {region for granted, _, region in self.grants if granted == role and region}

    @property
    def holds_staff_role(self) -> bool:
        """people.access.has_staff_access: the one predicate for staff and admin access."""
        return has_staff_access(self)


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
# The sponsor, on the person's own profile page (not asked by the profile step: only cohorts
# that need approval ask for it, on their enrolment form).
SPONSOR_FIELDS = ["sponsor_name", "sponsor_email"]
