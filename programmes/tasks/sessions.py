"""Background work for sessions: telling participants of a reschedule or a cancellation."""

from celery import shared_task
from django.utils import timezone

from accounts import emails as mail
from outbox import claims

from ..models import SEATED, Enrolment, NoticeKind, SessionNotice


def _refuse_if_sent(notice: SessionNotice) -> str | None:
    return "already sent" if notice.sent_at else None


@shared_task
def send_session_notice(notice_id: int) -> str:
    """Email every participant holding a place in the cohort that the session was moved or
    cancelled. Once: the notice's row is locked and ``sent_at`` checked and set under it."""
    try:
        with claims.row_locked(
            SessionNotice.objects.select_related("session__cohort__programme"),
            notice_id,
            refuse=_refuse_if_sent,
        ) as notice:
            session = notice.session
            template = (
                "programmes/email/session_cancelled"
                if notice.kind == NoticeKind.CANCELLED
                else "programmes/email/session_rescheduled"
            )
            people = (
                Enrolment.objects.filter(cohort_id=session.cohort_id, status__in=SEATED)
                .select_related("person")
                .order_by("pk")
            )
            sent = 0
            for enrolment in people:
                if not enrolment.person.email or not enrolment.person.is_active:
                    continue
                mail.send(
                    template,
                    to=enrolment.person.email,
                    context={
                        "notice": notice,
                        "session": session,
                        "cohort": session.cohort,
                        "person": enrolment.person,
                        "learn_link": mail.public_url("/learn/"),
                        "ics_link": mail.public_url(f"/learn/sessions/{session.pk}/calendar.ics"),
                    },
                )
                sent += 1
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return f"sent to {sent}"
