"""Applying as a pair: a clinician names a manager colleague (or the reverse) to join a cohort
together (PRODUCT.md §3). The colleague accepts from their email; only then are both
enrolments made, in one transaction under the cohort's lock, so the two are enrolled together
or waitlisted together (programmes.services.pairs). The pairing work starts from the pairs
whose application was accepted: their two enrolments point at it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .cohorts import Cohort


class PairStatus(models.TextChoices):
    INVITED = "invited", "Waiting for the colleague to accept"
    ACCEPTED = "accepted", "Accepted: applied together"
    DECLINED = "declined", "Declined by the colleague"
    CANCELLED = "cancelled", "Cancelled"


class PairApplicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=PairStatus.INVITED)

    def addressed_to(self, user):
        """Invitations to ``user``: by their (verified, unique) account email."""
        return self.filter(invitee_email__iexact=user.email)


class PairApplication(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="pair_applications")
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pair_invitations_sent"
    )
    # The colleague is named by email: they may not have an account yet, and sign up with
    # this address to accept. Stored lower-case.
    invitee_email = models.EmailField()
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pair_invitations_received",
        help_text="Set when the colleague answers.",
    )
    status = models.CharField(max_length=16, choices=PairStatus.choices, default=PairStatus.INVITED)
    # The inviter's answers to the enrolment form (goals, baseline survey, current role,
    # sponsor), kept until the colleague answers: their enrolment is made with the colleague's.
    inviter_answers = models.JSONField(default=dict, blank=True)
    message = models.TextField(
        blank=True, max_length=1000, help_text="A note to the colleague, sent in the invitation."
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # why it was declined or cancelled
    # Set, under the row's lock, by the task that sent the invitation (sent once).
    invitation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the task that told the inviter the colleague declined.
    answer_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PairApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["invited_at", "pk"]
        indexes = [models.Index(fields=["invitee_email", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["inviter", "cohort"],
                condition=Q(status=PairStatus.INVITED),
                name="programmes_one_open_pair_invitation_per_cohort",
                violation_error_message="You have already invited a colleague to this cohort.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PairStatus.values), name="programmes_pair_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.inviter} with {self.invitee_email} in {self.cohort}"

    @property
    def is_open(self) -> bool:
        return self.status == PairStatus.INVITED
