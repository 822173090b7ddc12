"""Background work for cohorts and enrolments. Tasks take ids, call services
(programmes.services) or send email (programmes.emails), and claim their row under a lock
(outbox.claims) so that a second delivery does nothing."""

import logging

from celery import shared_task
from django.utils import timezone

from accounts import emails as mail
from outbox import claims

from .. import emails, services
from ..models import (
    Cohort,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    PairApplication,
    PairStatus,
)

logger = logging.getLogger("tandem.programmes")


@shared_task
def release_reserved_seats() -> int:
    """Beat runs this every minute: for each cohort whose enrolment has closed, open its
    unfilled reserved seats to the waiting list, in order. Each cohort is released exactly
    once (services.cohort_release_reserved_seats marks it under the row lock), so two runs at
    once, a re-delivered message or a run after an outage change nothing twice. Returns how
    many people were promoted."""
    promoted = 0
    for cohort_id in Cohort.objects.reservations_due_for_release().values_list("pk", flat=True):
        released = services.cohort_release_reserved_seats(cohort_id=cohort_id)
        if released is not None:
            promoted += len(released)
            logger.info(
                "Cohort #%s: reserved places released, %d promoted", cohort_id, len(released)
            )
    return promoted


def _refuse_if_notified(event: EnrolmentEvent) -> str | None:
    return "already sent" if event.notified_at else None


@shared_task
def send_enrolment_emails(event_id: int) -> str:
    """Send the emails of one enrolment change (programmes.emails.NOTICES). Safe to run
    twice: the event's row is locked and ``notified_at`` checked and set under the lock
    (outbox.claims.row_locked), so a second delivery sends nothing."""
    try:
        with claims.row_locked(
            EnrolmentEvent.objects.select_related(
                "enrolment__person", "enrolment__cohort__programme__page"
            ),
            event_id,
            refuse=_refuse_if_notified,
        ) as event:
            sent = emails.send_for(event)
            event.notified_at = timezone.now()
            event.save(update_fields=["notified_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return f"sent {', '.join(sent)}" if sent else "nothing to send"


@shared_task
def send_sponsor_request(enrolment_id: int, nonce: str) -> str:
    """Email the sponsor the link a participant asked to send again
    (services.sponsor_request_resend). Sends only for the link it was queued for, while the
    application waits and that link has not been emailed yet: a newer request, an answer
    or a second delivery finds nothing to do."""

    def refuse(enrolment: Enrolment) -> str | None:
        if enrolment.status != EnrolmentStatus.PENDING_APPROVAL:
            return "no longer waiting for approval"
        if enrolment.sponsor_nonce != nonce:
            return "superseded by a newer request"
        if enrolment.sponsor_requested_at is not None:
            return "already sent"
        return None

    try:
        with claims.row_locked(
            Enrolment.objects.select_related(
                "person__trust", "cohort__programme__page", "cohort__host_trust"
            ),
            enrolment_id,
            refuse=refuse,
        ) as enrolment:
            emails.send_approval_request(enrolment)
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"


def _refuse_if_sent(field: str):
    def refuse(application: PairApplication) -> str | None:
        return "already sent" if getattr(application, field) else None

    return refuse


@shared_task
def send_pair_invitation(application_id: int) -> str:
    """Email a pair invitation to the colleague it names. Safe to run twice: the row is
    locked and ``invitation_sent_at`` checked, so a second delivery sends nothing. An
    invitation cancelled before the worker got to it is not sent."""
    try:
        with claims.row_locked(
            PairApplication.objects.select_related(
                "inviter__trust", "cohort__programme", "cohort__host_trust"
            ),
            application_id,
            refuse=_refuse_if_sent("invitation_sent_at"),
        ) as application:
            if application.status != PairStatus.INVITED:
                return application.status
            mail.send(
                "programmes/email/pair_invitation",
                to=application.invitee_email,
                context={
                    "application": application,
                    "inviter": application.inviter,
                    "cohort": application.cohort,
                    "link": mail.public_url(f"/learn/pairs/{application.pk}/"),
                    "signup_link": mail.public_url("/accounts/signup/"),
                },
            )
            application.invitation_sent_at = timezone.now()
            application.save(update_fields=["invitation_sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"


@shared_task
def send_pair_declined(application_id: int) -> str:
    """Tell the inviter their colleague declined (once: ``answer_sent_at``, under the lock)."""
    try:
        with claims.row_locked(
            PairApplication.objects.select_related("inviter", "invitee", "cohort__programme"),
            application_id,
            refuse=_refuse_if_sent("answer_sent_at"),
        ) as application:
            if application.status != PairStatus.DECLINED:
                return application.status
            mail.send(
                "programmes/email/pair_declined",
                to=application.inviter.email,
                context={
                    "application": application,
                    "inviter": application.inviter,
                    "cohort": application.cohort,
                    "enrol_link": mail.public_url(application.cohort.enrol_url),
                },
            )
            application.answer_sent_at = timezone.now()
            application.save(update_fields=["answer_sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"


# The tasks of sessions and attendance live beside this module; importing them here registers
# them with Celery (which discovers `programmes.tasks`) and lets services import them from here.
from .attendance import (  # noqa: E402
    attendance_changed,
    complete_ended_cohorts,
    completion_evaluate_for,
    send_absence_alert,
)
from .sessions import (  # noqa: E402
    queue_session_reminders,
    send_session_notice,
    send_session_notice_to,
    send_session_reminder,
)

__all__ = [
    "attendance_changed",
    "complete_ended_cohorts",
    "completion_evaluate_for",
    "queue_session_reminders",
    "release_reserved_seats",
    "send_absence_alert",
    "send_enrolment_emails",
    "send_pair_declined",
    "send_pair_invitation",
    "send_session_notice",
    "send_session_notice_to",
    "send_session_reminder",
    "send_sponsor_request",
]
