"""Celery tasks of outcomes: beat's run that queues the follow-up surveys due, and the two
emails (the invitation and its one reminder), each sent once under the invitation's lock
(outcomes.services explains the whole exactly-once chain)."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail
from outbox import claims
from programmes.models import EnrolmentStatus

from . import links
from .models import SurveyInvitation, SurveyKind
from .services import surveys_queue_due


def _queryset():
    return SurveyInvitation.objects.select_related(
        "enrolment__person", "enrolment__cohort__programme"
    )


def _still_wanted(invitation) -> str | None:
    if invitation.is_answered:
        return "already answered"
    if invitation.enrolment.status != EnrolmentStatus.COMPLETED:
        return "no longer completed"
    return None


def _refuse_invitation(invitation) -> str | None:
    if invitation.sent_at:
        return "already sent"
    return _still_wanted(invitation)


def _refuse_reminder(invitation) -> str | None:
    if invitation.reminder_sent_at:
        return "already sent"
    if not invitation.sent_at:
        return "invitation not sent"
    return _still_wanted(invitation)


def _send(invitation, *, reminder: bool) -> bool:
    person = invitation.enrolment.person
    if not (person.email and person.is_active):
        return False
    mail.send(
        "outcomes/email/survey_reminder" if reminder else "outcomes/email/survey_invitation",
        to=person.email,
        context={
            "user": person,  # the layouts' greeting
            "first_name": person.first_name,
            "programme": invitation.enrolment.cohort.programme,
            "twelve_months": invitation.kind == SurveyKind.TWELVE_MONTHS,
            "survey_link": links.link(invitation),
            "valid_days": settings.SURVEY_LINK_VALID_DAYS,
            "learn_link": mail.public_url(reverse("cms:my_learning")),
        },
    )
    return True


@shared_task
def send_survey_invitation(invitation_id: int) -> str:
    """Email one participant their survey link. Once: ``sent_at`` is checked and set under
    the row's lock."""
    try:
        with claims.row_locked(_queryset(), invitation_id, refuse=_refuse_invitation) as row:
            sent = _send(row, reminder=False)
            # Set even with no one to send to: looked at, and nothing to send.
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent" if sent else "nothing to send"


@shared_task
def send_survey_reminder(invitation_id: int) -> str:
    """The one reminder, two weeks after an unanswered invitation, with a fresh link."""
    try:
        with claims.row_locked(_queryset(), invitation_id, refuse=_refuse_reminder) as row:
            sent = _send(row, reminder=True)
            row.reminder_sent_at = timezone.now()
            row.save(update_fields=["reminder_sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent" if sent else "nothing to send"


@shared_task
def queue_due_surveys() -> list[int]:
    """Beat runs this: queue the survey emails and reminders that have come due."""
    return list(surveys_queue_due())
