"""Writes of outcomes: self-assessments, follow-up survey invitations and their answers.

**Exactly once, per person per survey.** Each survey is one SurveyInvitation row, unique per
(enrolment, kind): a completion delivered twice writes it once (``ignore_conflicts``).
Beat's run (``surveys_queue_due``) locks the due rows it takes (SKIP LOCKED: a second run
takes others or none) and marks them queued in the same transaction that writes their
outbox rows, so a row is queued once; the send task (outcomes.tasks) then locks the row and
sends only while ``sent_at`` is empty, setting it under the lock, so a redelivered or
doubled task sends nothing. The one reminder, two weeks after an unanswered invitation, is
the same again with ``reminder_queued_at`` / ``reminder_sent_at``.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from people.models import RoleSource
from people.services import role_appointment_create, role_appointment_end
from programmes.models import Enrolment, EnrolmentStatus

from . import links
from .dimensions import Dimension, Level, Stage
from .models import SelfAssessment, SelfAssessmentRating, SurveyInvitation, SurveyKind

TWELVE_MONTHS = timedelta(days=365)
REMINDER_AFTER = timedelta(days=14)
# A message lost between the queue and the worker: queued again after this long unsent.
REQUEUE_AFTER = timedelta(hours=6)
QUEUE_BATCH = 500

# Which enrolments may rate themselves at each stage: "before" once they have applied and
# until the programme ends for them; "after" once they have completed it.
STAGE_STATUSES = {
    Stage.BEFORE: frozenset(
        {EnrolmentStatus.PENDING_APPROVAL, EnrolmentStatus.WAITLISTED, EnrolmentStatus.ENROLLED}
    ),
    Stage.AFTER: frozenset({EnrolmentStatus.COMPLETED}),
}


class OutcomeError(Exception):
    """A write refused, with words for the person."""


# --- self-assessment -------------------------------------------------------------------------


def self_assessment_create(
    *, enrolment: Enrolment, stage: str, ratings: dict[str, int]
) -> SelfAssessment:
    """Record the person's nine ratings for ``enrolment`` at ``stage``, all or nothing. Once
    per stage: the unique constraint refuses a second (two tabs, a double click)."""
    stage = Stage(stage)
    if enrolment.status not in STAGE_STATUSES[stage]:
        raise OutcomeError(
            "You can rate yourself before the programme while you are enrolled."
            if stage == Stage.BEFORE
            else "You can rate yourself after the programme once you have completed it."
        )
    if set(ratings) != set(Dimension.values):
        raise OutcomeError("Rate yourself on every one of the nine dimensions.")
    if any(level not in Level.values for level in ratings.values()):
        raise OutcomeError("Choose one of the four levels for each dimension.")
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(enrolment=enrolment, stage=stage)
            SelfAssessmentRating.objects.bulk_create(
                SelfAssessmentRating(assessment=assessment, dimension=key, level=ratings[key])
                for key in Dimension.values
            )
    except IntegrityError:
        raise OutcomeError("You have already rated yourself at this stage.") from None
    return assessment


# --- follow-up surveys -----------------------------------------------------------------------


def surveys_schedule(*, enrolment: Enrolment, completed_at=None) -> int:
    """Make the completion and 12-month surveys of a completed enrolment due (once: a second
    call, or a completion announced twice, adds nothing). Returns how many were made."""
    if enrolment.status != EnrolmentStatus.COMPLETED:
        return 0
    completed_at = completed_at or enrolment.status_changed_at or timezone.now()
    rows = [
        SurveyInvitation(enrolment=enrolment, kind=kind, due_at=due_at, nonce=links.new_nonce())
        for kind, due_at in (
            (SurveyKind.COMPLETION, completed_at),
            (SurveyKind.TWELVE_MONTHS, completed_at + TWELVE_MONTHS),
        )
    ]
    before = SurveyInvitation.objects.filter(enrolment=enrolment).count()
    SurveyInvitation.objects.bulk_create(rows, ignore_conflicts=True)
    return SurveyInvitation.objects.filter(enrolment=enrolment).count() - before


def _due_invitations(now):
    return SurveyInvitation.objects.filter(
        sent_at__isnull=True,
        answered_at__isnull=True,
        due_at__lte=now,
        enrolment__status=EnrolmentStatus.COMPLETED,
    ).exclude(queued_at__gt=now - REQUEUE_AFTER)


def _due_reminders(now):
    return SurveyInvitation.objects.filter(
        sent_at__lte=now - REMINDER_AFTER,
        answered_at__isnull=True,
        reminder_sent_at__isnull=True,
        enrolment__status=EnrolmentStatus.COMPLETED,
    ).exclude(reminder_queued_at__gt=now - REQUEUE_AFTER)


def _take(queryset, field: str, now) -> list[int]:
    """Lock up to QUEUE_BATCH due rows (skipping those another run holds), mark them queued.
    The caller's transaction holds the lock until its outbox rows are written."""
    ids = list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:QUEUE_BATCH]
    )
    if ids:
        SurveyInvitation.objects.filter(pk__in=ids).update(**{field: now})
    return ids


def surveys_queue_due(*, now=None) -> tuple[int, int]:
    """Queue the invitations and reminders that have come due; returns (invitations,
    reminders). Beat runs it (outcomes.tasks.queue_due_surveys)."""
    from .tasks import send_survey_invitation, send_survey_reminder  # tasks import services

    now = now or timezone.now()
    with transaction.atomic():
        invitations = _take(_due_invitations(now), "queued_at", now)
        for pk in invitations:
            send_survey_invitation.delay(pk)
    with transaction.atomic():
        reminders = _take(_due_reminders(now), "reminder_queued_at", now)
        for pk in reminders:
            send_survey_reminder.delay(pk)
    return len(invitations), len(reminders)


class SurveyRefused(Exception):
    def __init__(self, state: links.LinkState):
        super().__init__(state.refusal)
        self.state = state


def _same_role(person, title: str, category: str) -> bool:
    return any(
        existing.strip().casefold() == title.casefold() and existing_category == category
        for existing, existing_category in person.role_appointments.current().values_list(
            "title", "category"
        )
    )


def _end_roles_replaced(person, *, today) -> None:
    """End the roles a newly reported one replaces: each still held (no end date) and begun
    before today ends yesterday, through the role-history service (its checks and audit)."""
    yesterday = today - timedelta(days=1)
    for appointment in person.role_appointments.filter(
        ends_on__isnull=True, starts_on__lte=yesterday
    ):
        role_appointment_end(appointment=appointment, ends_on=yesterday, by=None)


def survey_answer(
    *,
    token: str,
    relationship: int,
    outlook: int,
    role_title: str,
    role_category: str,
    replaces_previous: bool = False,
) -> SurveyInvitation:
    """Store one survey's answers, once, under the invitation's lock; a current role that
    differs from the person's current ones is added to their role history (self-reported),
    in the same transaction — and, when they say it replaces the role they held before, the
    roles they still hold end the day before. Raises SurveyRefused for a link that is no
    longer usable."""
    role_title = (role_title or "").strip()
    with transaction.atomic():
        state = links.read_token(
            token, queryset=SurveyInvitation.objects.select_for_update(of=("self",))
        )
        if not state.usable:
            raise SurveyRefused(state)
        invitation = state.invitation
        invitation.relationship = relationship
        invitation.outlook = outlook
        invitation.current_role_title = role_title
        invitation.current_role_category = role_category
        invitation.answered_at = timezone.now()
        invitation.full_clean(exclude=["enrolment", "nonce"])
        invitation.save()
        person = invitation.enrolment.person
        if role_title and role_category and not _same_role(person, role_title, role_category):
            try:
                if replaces_previous:
                    _end_roles_replaced(person, today=timezone.localdate())
                role_appointment_create(
                    person=person,
                    title=role_title,
                    category=role_category,
                    starts_on=timezone.localdate(),
                    source=RoleSource.SELF_REPORT,
                    recorded_by=None,
                )
            except ValidationError as error:
                raise OutcomeError("; ".join(error.messages)) from None
    return invitation
