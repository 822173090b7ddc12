"""A pairing: one clinician and one manager learning each other's roles, in a cohort or a
trust-wide scheme (PRODUCT.md §3), with their agreement, and their joint improvement project.

Invariants the database keeps: exactly one of cohort and scheme; the two people differ; each
person is in at most one live (proposed or active) pairing per cohort and per scheme. Which
side each is on, and the other rules (not the other's sponsor, not kept apart, in the cohort
or scheme) are checked by pairing.services, which knows the people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from programmes.models import Cohort, PairApplication

from .schemes import PairingScheme


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


LIVE_PAIRING = (PairingStatus.PROPOSED, PairingStatus.ACTIVE)


class PairingSource(models.TextChoices):
    APPLIED_TOGETHER = "applied_together", "Applied together"
    MATCHED = "matched", "Suggested by the matcher"
    ADMINISTRATOR = "administrator", "Paired by an administrator"


class MeetingFrequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"
    SIX_WEEKLY = "six_weekly", "Every six weeks"


class PairingQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_PAIRING)

    def of(self, person):
        return self.filter(Q(clinician=person) | Q(manager=person))

    def in_group(self, group):
        """The pairings of a cohort or a scheme."""
        if isinstance(group, Cohort):
            return self.filter(cohort=group)
        return self.filter(scheme=group)


def _one_live_per(field: str, group: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[group, field],
        condition=Q(status__in=LIVE_PAIRING),
        name=f"pairing_one_live_{group}_pairing_per_{field}",
        violation_error_message=f"This {field} is already in a pairing here.",
    )


class Pairing(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="pairings"
    )
    scheme = models.ForeignKey(
        PairingScheme, on_delete=models.PROTECT, null=True, blank=True, related_name="pairings"
    )
    # Null only once the person's data has been erased: the pairing is still counted.
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="pairings_as_clinician",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="pairings_as_manager",
    )
    status = models.CharField(
        max_length=16, choices=PairingStatus.choices, default=PairingStatus.PROPOSED
    )
    source = models.CharField(max_length=20, choices=PairingSource.choices)
    # The pair application (programmes) the pair applied together with, if they did.
    application = models.OneToOneField(
        PairApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agreement the pair make at the start.
    goals = models.TextField("what we want to learn from each other", blank=True, max_length=4000)
    meeting_frequency = models.CharField(
        "how often we meet",
        max_length=16,
        choices=MeetingFrequency.choices,
        default=MeetingFrequency.MONTHLY,
    )
    agreement_updated_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField(default=timezone.now, editable=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set, under the row's lock, by the task that emailed both people that the pair is active.
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cohort__isnull=False, scheme__isnull=True))
                | Q(cohort__isnull=True, scheme__isnull=False),
                name="pairing_in_a_cohort_or_a_scheme",
            ),
            models.CheckConstraint(
                condition=Q(clinician__isnull=True)
                | Q(manager__isnull=True)
                | ~Q(clinician=F("manager")),
                name="pairing_two_different_people",
                violation_error_message="A person cannot be paired with themselves.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PairingStatus.values), name="pairing_status_known"
            ),
            _one_live_per("clinician", "cohort"),
            _one_live_per("manager", "cohort"),
            _one_live_per("clinician", "scheme"),
            _one_live_per("manager", "scheme"),
        ]

    def __str__(self):
        return f"{self.clinician} and {self.manager}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("pairing:pair", args=[self.pk])

    @property
    def group(self):
        return self.cohort or self.scheme

    @property
    def group_name(self) -> str:
        if self.cohort_id:
            return f"{self.cohort.programme.title}, {self.cohort.name}"
        return self.scheme.name

    @property
    def trust(self):
        return self.cohort.host_trust if self.cohort_id else self.scheme.trust

    @property
    def trust_id(self) -> int:
        return self.cohort.host_trust_id if self.cohort_id else self.scheme.trust_id

    @property
    def target_hours(self):
        """The shadowing hours each member is asked for: the programme's completion rule, or
        the scheme's target. None when nobody set one."""
        if self.cohort_id:
            return self.cohort.programme.min_shadowing_hours
        return self.scheme.target_shadowing_hours

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PAIRING

    def members(self) -> list:
        return [p for p in (self.clinician, self.manager) if p is not None]

    def has_member(self, user) -> bool:
        return user.pk is not None and user.pk in (self.clinician_id, self.manager_id)

    def partner_of(self, user):
        return self.manager if user.pk == self.clinician_id else self.clinician


class ProjectStatus(models.TextChoices):
    IDEA = "idea", "Idea"
    PLANNING = "planning", "Planning"
    UNDER_WAY = "under_way", "Under way"
    PRESENTED = "presented", "Presented to the executive team"
    CLOSED = "closed", "Closed"


class ImprovementProject(models.Model):
    """The pair's joint improvement project, which they present to the executive team."""

    pairing = models.OneToOneField(Pairing, on_delete=models.CASCADE, related_name="project")
    title = models.CharField(max_length=200)
    problem = models.TextField("the problem", blank=True, max_length=4000)
    aims = models.TextField(blank=True, max_length=4000)
    measures = models.TextField(
        blank=True, max_length=4000, help_text="How you will know it made a difference."
    )
    status = models.CharField(
        max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.IDEA
    )
    final_summary = models.TextField(
        blank=True,
        max_length=8000,
        help_text="The summary you present to the executive team: what you did and found.",
    )
    presented_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="pairing_project_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="presented") | Q(presented_on__isnull=False),
                name="pairing_presented_project_has_a_date",
                violation_error_message="Say when the project was presented.",
            ),
        ]

    def __str__(self):
        return self.title


class ProjectComment(models.Model):
    """A facilitator's comment on a pair's project (or a pair member's reply)."""

    project = models.ForeignKey(
        ImprovementProject, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment on {self.project}"
