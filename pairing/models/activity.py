"""What a pair does: shadowing visits (one shadows the other at work) and pair meetings.

A visit is logged by either member and confirmed by the other: only confirmed hours count
toward a programme's completion rule (programmes.services.completion). What the shadower
learned is visible only to the pair and their facilitators (pairing.permissions)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .pairings import Pairing

MAX_HOURS_A_DAY = Decimal("24")


class ShadowingSetting(models.TextChoices):
    WARD_ROUND = "ward_round", "Ward round"
    CLINIC = "clinic", "Clinic"
    THEATRE = "theatre", "Theatre list"
    BUDGET_MEETING = "budget_meeting", "Budget meeting"
    BUSINESS_PLANNING = "business_planning", "Business-planning meeting"
    RECRUITMENT_PANEL = "recruitment_panel", "Recruitment panel"
    BOARD_MEETING = "board_meeting", "Board meeting"
    OTHER = "other", "Other"


class VisitStatus(models.TextChoices):
    LOGGED = "logged", "Waiting for your partner to confirm"
    CONFIRMED = "confirmed", "Confirmed"
    QUERIED = "queried", "Queried by your partner"


class ShadowingVisitQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=VisitStatus.CONFIRMED)


class ShadowingVisit(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="visits")
    # Which member shadowed the other (null once their data is erased: hours still count
    # in the trust's figures).
    shadower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    visited_on = models.DateField("date of the visit")
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_A_DAY)],
        help_text="In hours, to the nearest half hour: 2.5 for two and a half hours.",
    )
    setting = models.CharField(max_length=20, choices=ShadowingSetting.choices)
    setting_other = models.CharField("setting, if other", max_length=200, blank=True)
    reflection = models.TextField("what was learned", blank=True, max_length=4000)
    status = models.CharField(
        max_length=12, choices=VisitStatus.choices, default=VisitStatus.LOGGED
    )
    query_reason = models.CharField(max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set, under the row's lock, by the task that asked the partner to confirm the visit.
    partner_asked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ShadowingVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["pairing", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_HOURS_A_DAY),
                name="pairing_visit_hours_within_a_day",
                violation_error_message="A visit lasts more than 0 and at most 24 hours.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VisitStatus.values), name="pairing_visit_status_known"
            ),
            # Nobody confirms their own entry: the other member does.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True)
                | Q(logged_by__isnull=True)
                | ~Q(confirmed_by=F("logged_by")),
                name="pairing_visit_confirmed_by_the_other_member",
                violation_error_message="Your partner confirms a visit you logged.",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="pairing_confirmed_visit_has_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.hours} hours shadowing on {self.visited_on}"

    @property
    def setting_label(self) -> str:
        if self.setting == ShadowingSetting.OTHER and self.setting_other:
            return self.setting_other
        return self.get_setting_display()


class PairMeeting(models.Model):
    """A pair meeting: when, what was talked about, what the two agreed to do."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField("date of the meeting")
    notes = models.TextField(blank=True, max_length=4000)
    actions = models.TextField("agreed actions", blank=True, max_length=4000)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-met_on", "-pk"]

    def __str__(self):
        return f"Pair meeting on {self.met_on}"
