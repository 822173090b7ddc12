"""Background work for cohorts. Tasks take ids and call services (programmes.services)."""

import logging

from celery import shared_task
from django.utils import timezone

from accounts import emails
from outbox import claims

from . import services
from .models import Cohort, PairApplication, PairStatus

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
            emails.send(
                "programmes/email/pair_invitation",
                to=application.invitee_email,
                context={
                    "application": application,
                    "inviter": application.inviter,
                    "cohort": application.cohort,
                    "link": emails.public_url(f"/learn/pairs/{application.pk}/"),
                    "signup_link": emails.public_url("/accounts/signup/"),
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
            emails.send(
                "programmes/email/pair_declined",
                to=application.inviter.email,
                context={
                    "application": application,
                    "inviter": application.inviter,
                    "cohort": application.cohort,
                    "enrol_link": emails.public_url(application.cohort.enrol_url),
                },
            )
            application.answer_sent_at = timezone.now()
            application.save(update_fields=["answer_sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"
