"""A person's role history: the NHS jobs they hold over time (not their access roles in
Tandem, which are people.access and AccessGrant)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .person import ProfessionalGroup
from .trusts import Trust


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

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_appointments"
    )
    # The facts reports group by, as they were when the role was recorded, so a report never
    # joins through the person's *current* profile (people.services.role_appointment_create).
    trust = models.ForeignKey(
        Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="role_appointments"
    )
    professional_group = models.CharField(
        max_length=32, choices=ProfessionalGroup.choices, blank=True, editable=False
    )
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=RoleCategory.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=RoleSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RoleAppointmentQuerySet.as_manager()

    class Meta:
        # No default ordering by person: it joined people (and sorted by name) on every query,
        # reports included. Listings order for themselves.
        ordering = ["-starts_on", "pk"]
        indexes = [
            models.Index(fields=["category", "starts_on"]),
            models.Index(fields=["trust", "professional_group", "category"]),
            # A trust's clinicians' leadership moves after enrolling: one probe per enrolment
            # instead of hashing every leadership role in the country (EXPLAIN ANALYZE at
            # seed_scale volume: 75-85 ms down to 9-33 ms for the largest trust).
            models.Index(fields=["person", "category", "starts_on"]),
        ]
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
