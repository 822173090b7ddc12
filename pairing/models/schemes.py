"""Where pairs are made: a cohort (programmes.Cohort), or a trust-wide pairing scheme that
runs outside any cohort, as Imperial College Healthcare's pilot did (PRODUCT.md §3) — and what
the matcher needs to know about people: their stated interests, and pairs never to make."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from people.models import Trust

# What a person can say they would like to learn about from the other profession: a fixed
# list, so "budgets" and "Budgets " are one interest and the matcher can compare them.
INTERESTS = (
    ("budgets", "Budgets and finance"),
    ("workforce", "Recruiting and managing staff"),
    ("business-planning", "Business planning and business cases"),
    ("change", "Leading organisational change"),
    ("quality-improvement", "Quality improvement"),
    ("patient-safety", "Patient safety and governance"),
    ("patient-flow", "Patient flow and capacity"),
    ("digital", "Digital services and data"),
    ("clinical-practice", "How clinical teams work day to day"),
    ("board", "How the board and committees decide"),
    ("wellbeing", "Staff wellbeing and culture"),
    ("population-health", "Population health and partnerships"),
)
INTEREST_LABELS = dict(INTERESTS)


class PairingScheme(models.Model):
    """A trust-wide pairing scheme: staff of the trust join it, an administrator pairs them
    (with the matcher's help), and its facilitators support the pairs."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="pairing_schemes")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    is_open = models.BooleanField(
        "open to join",
        default=True,
        help_text="Whether the trust's staff can join the scheme from their pairing page.",
    )
    target_shadowing_hours = models.DecimalField(
        "shadowing hours target",
        max_digits=5,
        decimal_places=1,
        default=Decimal("12"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
        help_text="Hours each member is asked to spend shadowing their partner.",
    )
    quiet_after_weeks = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="A pair with no meeting or visit for this many weeks is shown as gone quiet.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pairing_scheme_ends_after_it_starts",
                violation_error_message="The scheme cannot end before it starts.",
            )
        ]

    def __str__(self):
        return self.name


class SchemeMember(models.Model):
    """A person taking part in a scheme (they join it themselves, or an administrator adds
    them): the people the matcher pairs."""

    scheme = models.ForeignKey(PairingScheme, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheme_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "person"],
                name="pairing_one_membership_per_scheme",
                violation_error_message="This person is already in the scheme.",
            )
        ]

    def __str__(self):
        return f"{self.person} in {self.scheme}"


class SchemeFacilitator(models.Model):
    """A facilitator supporting a scheme's pairs: they see the pairs, their hours and their
    reflections, and comment on their projects (with the facilitator access role)."""

    scheme = models.ForeignKey(
        PairingScheme, on_delete=models.CASCADE, related_name="facilitator_links"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheme_facilitations"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "person"], name="pairing_one_facilitator_link_per_scheme"
            )
        ]

    def __str__(self):
        return f"{self.person} facilitates {self.scheme}"


class PairingProfile(models.Model):
    """What a person says they would like to learn about (INTERESTS), for the matcher."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairing_profile"
    )
    interests = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Interests of {self.person}"

    def interest_labels(self) -> list[str]:
        return [INTEREST_LABELS[i] for i in self.interests if i in INTEREST_LABELS]


class DoNotPair(models.Model):
    """Two people an administrator has said must never be paired (a conflict of interest,
    a grievance): the matcher and every pairing service refuse the pair. Stored with the
    lower id first, so one row covers both orders."""

    person_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    # None: made by the system (the demo), not by an administrator.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "do-not-pair rule"
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="pairing_do_not_pair_ordered"
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                name="pairing_one_do_not_pair_rule",
                violation_error_message="These two are already kept apart.",
            ),
        ]

    def __str__(self):
        return f"{self.person_a} and {self.person_b} kept apart"
