"""Enrolment: a person in a cohort, its state, and the history of every change to it.

The states and which action may move an enrolment from one to another are declared once, in
``TRANSITIONS``; every service in programmes.services checks it before writing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.models import CLINICAL_GROUPS, ProfessionalGroup, Trust

from .cohorts import Cohort


class EnrolmentStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", "Waiting for sponsor approval"
    ENROLLED = "enrolled", "Enrolled"
    WAITLISTED = "waitlisted", "On the waiting list"
    WITHDRAWN = "withdrawn", "Withdrawn"
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Did not complete"


# The statuses that hold a seat in the cohort (counted against capacity and the mix).
SEATED = frozenset(
    {EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED}
)
# A live enrolment is any but a withdrawn one: a person has at most one per cohort.
LIVE = frozenset(EnrolmentStatus) - {EnrolmentStatus.WITHDRAWN}


class EnrolmentAction(models.TextChoices):
    """What happened to an enrolment: each service is one action."""

    APPLY = "apply", "Applied"
    APPROVE = "approve", "Approved by sponsor"
    DECLINE = "decline", "Declined by sponsor"
    WITHDRAW = "withdraw", "Withdrawn"
    PROMOTE = "promote", "Promoted from the waiting list"
    COMPLETE = "complete", "Completed"
    MARK_NOT_COMPLETED = "mark_not_completed", "Marked as not completed"


S = EnrolmentStatus
# action -> {status before (None: a new enrolment): the statuses it may lead to}. The one table
# every service checks; tests/programmes/test_state_machine.py walks every cell of it.
TRANSITIONS: dict[str, dict[str | None, frozenset[str]]] = {
    EnrolmentAction.APPLY: {None: frozenset({S.PENDING_APPROVAL, S.ENROLLED, S.WAITLISTED})},
    EnrolmentAction.APPROVE: {S.PENDING_APPROVAL: frozenset({S.ENROLLED, S.WAITLISTED})},
    EnrolmentAction.DECLINE: {S.PENDING_APPROVAL: frozenset({S.WITHDRAWN})},
    EnrolmentAction.WITHDRAW: {
        S.PENDING_APPROVAL: frozenset({S.WITHDRAWN}),
        S.WAITLISTED: frozenset({S.WITHDRAWN}),
        S.ENROLLED: frozenset({S.WITHDRAWN}),
    },
    EnrolmentAction.PROMOTE: {S.WAITLISTED: frozenset({S.ENROLLED})},
    # From not completed too: an administrator's override of the rules at cohort end.
    EnrolmentAction.COMPLETE: {
        S.ENROLLED: frozenset({S.COMPLETED}),
        S.NOT_COMPLETED: frozenset({S.COMPLETED}),
    },
    EnrolmentAction.MARK_NOT_COMPLETED: {S.ENROLLED: frozenset({S.NOT_COMPLETED})},
}


class Relationship(models.IntegerChoices):
    """The paper's relationship question (PRODUCT.md §3) as an ordinal scale: 1 is the best."""

    STRONG_PARTNERSHIP = 1, "A strong partnership"
    PARTNERSHIP_WITH_TENSIONS = 2, "A partnership with areas of tension"
    TOLERANCE_WITH_TENSIONS = 3, "A relationship of tolerance with frequent tensions"
    PERSISTENT_TENSIONS = 4, "Persistent and unresolved tensions"


class Outlook(models.IntegerChoices):
    """Whether the person expects the relationship to change (ordinal: 1 is the best)."""

    BETTER = 1, "Get better"
    SAME = 2, "Stay the same"
    WORSE = 3, "Get worse"


def is_clinical_group(professional_group: str) -> bool:
    """Which side of the joint mix a professional group is on (PRODUCT.md §3: the clinical
    groups, and management / administration)."""
    return professional_group in CLINICAL_GROUPS


class EnrolmentQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=EnrolmentStatus.WITHDRAWN)

    def seated(self):
        return self.filter(status__in=SEATED)

    def waitlist(self):
        """The waiting list in its order: first come, first served."""
        return self.filter(status=EnrolmentStatus.WAITLISTED).order_by("waitlisted_at", "pk")

    def clinicians(self):
        return self.filter(professional_group__in=CLINICAL_GROUPS)

    def on_register(self, session):
        """The enrolments a session's register lists: those holding a place in its cohort,
        and anyone marked at it before (who has since withdrawn, say)."""
        return (
            self.filter(cohort_id=session.cohort_id)
            .filter(Q(status__in=SEATED) | Q(attendance__session=session))
            .distinct()
        )

    def managers(self):
        return self.exclude(professional_group__in=CLINICAL_GROUPS)


class Enrolment(models.Model):
    """A person in a cohort. The trust and professional group are the person's when they
    enrolled: reports group by them, never by the current profile."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=20, choices=EnrolmentStatus.choices)
    trust = models.ForeignKey(
        Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    professional_group = models.CharField(max_length=32, choices=ProfessionalGroup.choices)
    goals = models.TextField(blank=True, help_text="What the participant wants to get from it.")
    # The baseline survey, answered when applying (PRODUCT.md §3): compared with the same
    # questions at completion and 12 months after. Empty for enrolments made by import.
    baseline_relationship = models.PositiveSmallIntegerField(
        "how you see the clinician and manager relationship",
        choices=Relationship.choices,
        null=True,
        blank=True,
    )
    baseline_outlook = models.PositiveSmallIntegerField(
        "how you expect it to change", choices=Outlook.choices, null=True, blank=True
    )
    baseline_current_role = models.CharField("current role", max_length=200, blank=True)
    # Who approves the application when the cohort needs a sponsor's approval (their line
    # manager, or the supervising consultant of a doctor in training).
    sponsor_name = models.CharField(max_length=200, blank=True)
    sponsor_email = models.EmailField(blank=True)
    # The sponsor's emailed link (programmes.sponsors): it is signed over the enrolment's id
    # and this random value, which is replaced when the request is sent again and cleared
    # when the sponsor answers, so only the latest link works, and only once.
    sponsor_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # When the current link was emailed (empty until the email task has sent it).
    sponsor_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # When the person got their seat (enrolled): a session before it is one they were not
    # enrolled for, shown as such on the register and left out of their attendance rate.
    seated_at = models.DateTimeField(null=True, blank=True)
    # When the person joined the waiting list (set each time they join it): the queue's order,
    # with the id breaking ties.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    # Set when the person applied together with a colleague of the other profession: the two
    # enrolments of an accepted pair application point at it, and are seated, waitlisted and
    # promoted together (programmes.services).
    pair = models.ForeignKey(
        "PairApplication",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["cohort", "status", "waitlisted_at"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"],
                condition=~Q(status=EnrolmentStatus.WITHDRAWN),
                name="programmes_one_live_enrolment_per_person_per_cohort",
                violation_error_message="This person is already enrolled in this cohort.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrolmentStatus.values),
                name="programmes_enrolment_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.person} in {self.cohort} ({self.get_status_display()})"

    @property
    def is_clinical(self) -> bool:
        return is_clinical_group(self.professional_group)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    def seated_before(self, moment) -> bool:
        """Whether the person held their place before ``moment`` (a session's end): a session
        that ended before they got it is not expected of them. No date (made before places
        were dated) counts as always."""
        return self.seated_at is None or self.seated_at < moment


class EnrolmentEvent(models.Model):
    """One change of an enrolment: who made it, when and why. Written by the services only,
    never changed afterwards."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=EnrolmentAction.choices)
    from_status = models.CharField(
        max_length=20, choices=EnrolmentStatus.choices, blank=True
    )  # blank: the enrolment was created
    to_status = models.CharField(max_length=20, choices=EnrolmentStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when Tandem did it (a promotion from the waiting list) or a sponsor "
        "answered from their emailed link.",
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    # When the emails this change sends (programmes.emails.NOTICES) went out: set under the
    # row's lock by programmes.tasks.send_enrolment_emails, so a second run sends nothing.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["enrolment", "at"])]

    def __str__(self):
        return f"{self.get_action_display()}: {self.from_status or '—'} → {self.to_status}"
