"""Programmes and their cohorts: the rules of a programme, and each run of it at a trust."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.models import Trust

from ..seats import Seats


class Programme(models.Model):
    """A programme's rules (its content is the CMS page it links to, by string reference:
    programmes never imports cms). Completion rules, CPD hours and the certificate template
    are plain fields the completion and certificate work fills."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    page = models.ForeignKey(
        "cms.ProgrammePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The programme's page on the site, which lists its open cohorts.",
    )
    cpd_hours = models.DecimalField(
        "CPD hours",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        "minimum attendance (%)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Share of a cohort's sessions a participant must attend to complete.",
    )
    excused_counts_as_attended = models.BooleanField(
        "excused absence counts as attended",
        default=False,
        help_text="Whether a session marked excused counts towards the minimum attendance.",
    )
    min_modules_completed = models.PositiveSmallIntegerField(
        "minimum modules completed",
        null=True,
        blank=True,
        help_text="How many of the programme's modules a participant must mark complete.",
    )
    required_modules = models.ManyToManyField(
        "cms.ModulePage",
        blank=True,
        related_name="+",
        help_text="Modules every participant must mark complete.",
    )
    min_shadowing_hours = models.DecimalField(
        "minimum shadowing hours", max_digits=5, decimal_places=1, null=True, blank=True
    )
    certificate_template = models.CharField(
        max_length=200, blank=True, help_text="The certificate template completions are issued on."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title"]
        constraints = [
            # One programme record per CMS page: the page lists that programme's cohorts.
            models.UniqueConstraint(fields=["page"], name="programmes_one_programme_per_page"),
            models.CheckConstraint(
                condition=Q(min_attendance_percent__isnull=True)
                | Q(min_attendance_percent__lte=100),
                name="programmes_attendance_percent_at_most_100",
            ),
        ]

    def __str__(self):
        return self.title


class CohortStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # being set up: not listed, nobody may enrol
    PUBLISHED = "published", "Published"  # listed, and open for enrolment inside its window
    CANCELLED = "cancelled", "Cancelled"


class CohortQuerySet(models.QuerySet):
    def open_for_enrolment(self, now: datetime.datetime | None = None):
        now = now or timezone.now()
        return self.filter(
            status=CohortStatus.PUBLISHED,
            enrolment_opens_at__lte=now,
            enrolment_closes_at__gt=now,
        )

    def reservations_due_for_release(self, now: datetime.datetime | None = None):
        """Published cohorts whose enrolment has closed and whose unfilled reserved seats have
        not yet been released to the waitlist."""
        now = now or timezone.now()
        return self.filter(
            status=CohortStatus.PUBLISHED,
            enrolment_closes_at__lte=now,
            reserved_seats_released_at__isnull=True,
        )


class Cohort(models.Model):
    """One run of a programme, hosted by a trust, with its enrolment window and joint mix."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200, help_text="e.g. 'Northshire, spring 2027'.")
    host_trust = models.ForeignKey(
        Trust,
        on_delete=models.PROTECT,
        related_name="hosted_cohorts",
        help_text="Its programme administrators run the cohort.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    enrolment_opens_at = models.DateTimeField()
    enrolment_closes_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    reserved_for_clinicians = models.PositiveIntegerField(
        default=0, help_text="Seats held for clinicians until enrolment closes."
    )
    reserved_for_managers = models.PositiveIntegerField(
        default=0, help_text="Seats held for managers until enrolment closes."
    )
    requires_sponsor_approval = models.BooleanField(
        default=False,
        help_text="Each enrolment waits for the participant's sponsor (line manager or "
        "supervising consultant) to approve it.",
    )
    status = models.CharField(
        max_length=16, choices=CohortStatus.choices, default=CohortStatus.DRAFT
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CohortFacilitator",
        related_name="facilitated_cohorts",
        blank=True,
    )
    # Set, under the cohort's row lock, by the one run that released the reserved seats once
    # enrolment closed: a second run (beat again, a re-delivered task) finds it set.
    reserved_seats_released_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "name", "pk"]
        indexes = [
            models.Index(fields=["programme", "status", "enrolment_closes_at"]),
            models.Index(fields=["host_trust", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="programmes_cohort_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    reserved_for_clinicians__lte=models.F("capacity")
                    - models.F("reserved_for_managers")
                ),
                name="programmes_cohort_reserved_within_capacity",
                violation_error_message="The reserved seats add up to more than the capacity.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programmes_cohort_ends_after_start",
                violation_error_message="The cohort must end on or after the day it starts.",
            ),
            models.CheckConstraint(
                condition=Q(enrolment_closes_at__gt=models.F("enrolment_opens_at")),
                name="programmes_cohort_enrolment_window_ordered",
                violation_error_message="Enrolment must close after it opens.",
            ),
        ]

    def __str__(self):
        return f"{self.programme}: {self.name}"

    @property
    def enrol_url(self) -> str:
        """Where a programme page's Enrol button leads: the participant's enrolment journey
        for this cohort (served under /learn/ by the enrolment pages)."""
        return f"/learn/enrol/{self.pk}/"

    def is_open_for_enrolment(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == CohortStatus.PUBLISHED
            and self.enrolment_opens_at <= now < self.enrolment_closes_at
        )

    def reservations_held(self, now: datetime.datetime | None = None) -> bool:
        """Whether reserved seats are still held for their group: until enrolment closes."""
        now = now or timezone.now()
        return self.reserved_seats_released_at is None and now < self.enrolment_closes_at

    def seats_from(self, *, clinicians: int, managers: int, now=None) -> Seats:
        return Seats(
            capacity=self.capacity,
            reserved_for_clinicians=self.reserved_for_clinicians,
            reserved_for_managers=self.reserved_for_managers,
            clinicians=clinicians,
            managers=managers,
            reservations_held=self.reservations_held(now),
        )


class CohortFacilitator(models.Model):
    """A facilitator of a cohort: the scope record that lets them see its participants
    (programmes.permissions), as long as they also hold the facilitator access role."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="facilitator_links")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator_links"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"], name="programmes_one_facilitator_link_per_cohort"
            )
        ]

    def __str__(self):
        return f"{self.person} facilitates {self.cohort}"
