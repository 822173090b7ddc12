"""Outcomes: a participant's self-assessment on the Healthcare Leadership Model before and
after a programme, and the follow-up surveys at completion and 12 months after.

Answers are ordinal integers (the Level and the programmes' Relationship and Outlook
scales); their wording on screen is AnswerLabel's, which an administrator may change without
changing any stored answer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.models import RoleCategory
from programmes.models import Enrolment, Outlook, Relationship

from .dimensions import Dimension, Level, Stage


class SelfAssessment(models.Model):
    """One participant's self-rating for one enrolment at one stage: nine ratings."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="self_assessments"
    )
    stage = models.CharField(max_length=8, choices=Stage.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enrolment", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "stage"],
                name="outcomes_one_self_assessment_per_enrolment_per_stage",
                violation_error_message="You have already rated yourself at this stage.",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="outcomes_self_assessment_stage_known"
            ),
        ]

    def __str__(self):
        return f"{self.enrolment}: {self.get_stage_display()}"


class SelfAssessmentRating(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    dimension = models.CharField(max_length=40, choices=Dimension.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        ordering = ["assessment", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="outcomes_one_rating_per_dimension"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=Level.ESSENTIAL, level__lte=Level.EXEMPLARY),
                name="outcomes_rating_level_in_range",
            ),
            models.CheckConstraint(
                condition=Q(dimension__in=Dimension.values),
                name="outcomes_rating_dimension_known",
            ),
        ]

    def __str__(self):
        return f"{self.get_dimension_display()}: {self.get_level_display()}"


class SurveyKind(models.TextChoices):
    COMPLETION = "completion", "At completion"
    TWELVE_MONTHS = "twelve_months", "12 months after completion"


class SurveyInvitation(models.Model):
    """One follow-up survey of one completed enrolment: when it falls due, when its email and
    its one reminder went out, and the answers. Unique per enrolment and kind, so a person is
    asked each survey once (the send tasks lock the row: outcomes.tasks)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    kind = models.CharField(max_length=16, choices=SurveyKind.choices)
    due_at = models.DateTimeField(help_text="When the invitation is to be emailed.")
    # The signed link is over the id and this random value (outcomes.links).
    nonce = models.CharField(max_length=32, editable=False)
    # Set by the beat run under the row's lock when it queues the email, so a second run
    # queues nothing; the send task sets sent_at under the lock, so a redelivery sends nothing.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    relationship = models.PositiveSmallIntegerField(
        choices=Relationship.choices, null=True, blank=True
    )
    outlook = models.PositiveSmallIntegerField(choices=Outlook.choices, null=True, blank=True)
    current_role_title = models.CharField(max_length=200, blank=True)
    current_role_category = models.CharField(
        max_length=32, choices=RoleCategory.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["sent_at", "due_at"]),
            models.Index(fields=["kind", "answered_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "kind"], name="outcomes_one_survey_per_enrolment_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SurveyKind.values), name="outcomes_survey_kind_known"
            ),
            # An answer is whole: both questions answered, with the time, or none.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, relationship__isnull=True)
                | Q(answered_at__isnull=False, relationship__isnull=False, outlook__isnull=False),
                name="outcomes_survey_answer_whole",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment}: {self.get_kind_display()}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Question(models.TextChoices):
    RELATIONSHIP = "relationship", "The relationship between clinicians and managers"
    OUTLOOK = "outlook", "How you expect it to change"


# The paper's own wording: what a label is until an administrator changes it.
DEFAULT_LABELS = {
    Question.RELATIONSHIP: dict(Relationship.choices),
    Question.OUTLOOK: dict(Outlook.choices),
}


class AnswerLabel(models.Model):
    """The words shown for one value of one question's scale. Editing changes the wording
    everywhere (the form, the reports); the stored answers are the numbers, so none moves."""

    question = models.CharField(max_length=16, choices=Question.choices)
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=120)
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["question", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "value"], name="outcomes_one_label_per_value"
            ),
        ]

    def __str__(self):
        return f"{self.get_question_display()} {self.value}: {self.label}"
