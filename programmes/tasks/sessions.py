"""Background work for sessions: telling participants of a reschedule or a cancellation, and
reminding them of a session the day before (programmes.services.reminders)."""

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail
from outbox import claims

from ..models import (
    SEATED,
    Enrolment,
    EnrolmentStatus,
    NoticeKind,
    SessionNotice,
    SessionNoticeDelivery,
    SessionReminder,
    SessionStatus,
)
from ..services.reminders import session_reminders_queue


def _refuse_if_sent(notice: SessionNotice) -> str | None:
    return "already sent" if notice.sent_at else None


@shared_task
def send_session_notice(notice_id: int) -> str:
    """Queue the notice's email to every participant holding a place in the cohort: one
    SessionNoticeDelivery and one ``send_session_notice_to`` task each, in one transaction
    (through the outbox). Once: the notice's row is locked and ``sent_at`` (when its
    deliveries were queued) checked and set under it."""
    try:
        with claims.row_locked(
            SessionNotice.objects.select_related("session"),
            notice_id,
            refuse=_refuse_if_sent,
        ) as notice:
            people = Enrolment.objects.filter(
                cohort_id=notice.session.cohort_id,
                status__in=SEATED,
                person__is_active=True,
            ).exclude(person__email="")
            deliveries = SessionNoticeDelivery.objects.bulk_create(
                [SessionNoticeDelivery(notice=notice, enrolment=e) for e in people.order_by("pk")]
            )
            for delivery in deliveries:
                send_session_notice_to.delay(delivery.pk)
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return f"queued for {len(deliveries)}"


def _refuse_if_delivered(delivery: SessionNoticeDelivery) -> str | None:
    return "already sent" if delivery.sent_at else None


@shared_task
def send_session_notice_to(delivery_id: int) -> str:
    """Email one participant that the session was moved or cancelled. Once: the delivery's
    row is locked and ``sent_at`` checked and set under it; a retry after a timeout sends
    to this person only."""
    try:
        with claims.row_locked(
            SessionNoticeDelivery.objects.select_related(
                "notice__session__cohort__programme", "enrolment__person"
            ),
            delivery_id,
            refuse=_refuse_if_delivered,
        ) as delivery:
            notice, person = delivery.notice, delivery.enrolment.person
            session = notice.session
            template = (
                "programmes/email/session_cancelled"
                if notice.kind == NoticeKind.CANCELLED
                else "programmes/email/session_rescheduled"
            )
            mail.send(
                template,
                to=person.email,
                context={
                    "notice": notice,
                    "session": session,
                    "cohort": session.cohort,
                    "person": person,
                    "learn_link": mail.public_url("/learn/"),
                    "ics_link": mail.public_url(
                        reverse("programmes:session_calendar", args=[session.pk])
                    ),
                },
            )
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"


def _refuse_reminder(reminder: SessionReminder) -> str | None:
    """Under the reminder's lock: send only a reminder not sent yet, of the session as it
    still is (scheduled, at the time the reminder was written for, not started), to someone
    who still holds a place."""
    session = reminder.session
    if reminder.sent_at:
        return "already sent"
    if session.status != SessionStatus.SCHEDULED:
        return "session cancelled"
    if session.starts_at != reminder.starts_at:
        return "session rescheduled"  # the new time has a reminder of its own
    if session.starts_at <= timezone.now():
        return "session started"
    if reminder.enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED):
        return "no longer enrolled"
    return None


@shared_task
def send_session_reminder(reminder_id: int) -> str:
    """Email one participant the reminder of one session. Once: the reminder's row is locked
    and ``sent_at`` checked and set under it."""
    try:
        with claims.row_locked(
            SessionReminder.objects.select_related(
                "session__cohort__programme", "enrolment__person"
            ),
            reminder_id,
            refuse=_refuse_reminder,
        ) as reminder:
            session, person = reminder.session, reminder.enrolment.person
            sent = bool(person.email and person.is_active)
            if sent:
                mail.send(
                    "programmes/email/session_reminder",
                    to=person.email,
                    context={
                        "session": session,
                        "cohort": session.cohort,
                        "person": person,
                        "user": person,  # the layouts' greeting
                        "learn_link": mail.public_url(reverse("cms:my_learning")),
                        "ics_link": mail.public_url(
                            reverse("programmes:session_calendar", args=[session.pk])
                        ),
                        "calendar_link": mail.public_url(reverse("programmes:calendar")),
                    },
                )
            # Set even when there was no one to send to: looked at, and nothing to send.
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent" if sent else "nothing to send"


@shared_task
def queue_session_reminders() -> int:
    """Beat runs this every five minutes: write the reminders that have come due and queue
    their emails (programmes.services.reminders, which makes each happen once whatever the
    runs overlap or miss). Returns how many were queued."""
    return session_reminders_queue()
