"""Background work that attendance causes: absence alerts, completion by the programme's
rules (whenever an input changes, and once at cohort end)."""

import logging

from celery import shared_task
from django.utils import timezone

from accounts import emails as mail
from outbox import claims

from .. import services
from ..models import AbsenceAlert
from ..services.attendance import absence_alerts_raise
from ..services.completion import cohorts_due_for_completion

logger = logging.getLogger("tandem.programmes")


@shared_task
def attendance_changed(cohort_id: int, enrolment_ids: list[int]) -> str:
    """A register was saved or someone checked in: alert anyone now below the minimum, and
    complete anyone who now meets the rules. Both are safe to run twice."""
    # The whole cohort: someone nobody marked (a no-show) is as absent as one marked absent.
    alerts = absence_alerts_raise(cohort_id=cohort_id)
    run = services.completion_evaluate(cohort_id=cohort_id, enrolment_ids=enrolment_ids)
    return f"{len(alerts)} alerted, {len(run.completed)} completed"


@shared_task
def completion_evaluate_for(cohort_id: int, person_ids: list[int]) -> str:
    """Something else counted by the rules changed for these people (a module marked
    complete, confirmed shadowing hours): evaluate their enrolments in the cohort."""
    from ..models import Enrolment

    ids = list(
        Enrolment.objects.filter(cohort_id=cohort_id, person_id__in=person_ids).values_list(
            "pk", flat=True
        )
    )
    run = services.completion_evaluate(cohort_id=cohort_id, enrolment_ids=ids)
    return f"{len(run.completed)} completed"


@shared_task
def complete_ended_cohorts() -> str:
    """Beat runs this hourly: each cohort that has ended is evaluated once more, and whoever
    is still enrolled is completed or marked not completed. A second run finds nobody still
    enrolled, so it changes nothing."""
    completed = not_completed = 0
    for cohort_id in cohorts_due_for_completion().values_list("pk", flat=True):
        run = services.completion_evaluate(cohort_id=cohort_id, at_end=True)
        completed += len(run.completed)
        not_completed += len(run.not_completed)
        logger.info(
            "Cohort #%s ended: %d completed, %d not",
            cohort_id,
            *map(len, (run.completed, run.not_completed)),
        )
    return f"{completed} completed, {not_completed} not completed"


def _refuse_if_sent(alert: AbsenceAlert) -> str | None:
    return "already sent" if alert.sent_at else None


@shared_task
def send_absence_alert(alert_id: int) -> str:
    """Tell the participant, and the cohort's facilitators, that their attendance is below
    the programme's minimum. Once: ``sent_at`` is checked and set under the row's lock."""
    try:
        with claims.row_locked(
            AbsenceAlert.objects.select_related(
                "enrolment__person", "enrolment__cohort__programme"
            ),
            alert_id,
            refuse=_refuse_if_sent,
        ) as alert:
            enrolment = alert.enrolment
            cohort = enrolment.cohort
            context = {
                "alert": alert,
                "enrolment": enrolment,
                "person": enrolment.person,
                "cohort": cohort,
                "programme": cohort.programme,
                "minimum": cohort.programme.min_attendance_percent,
                "learn_link": mail.public_url("/learn/"),
            }
            mail.send("programmes/email/absence_alert", to=enrolment.person.email, context=context)
            # One email each: facilitators need not see one another's addresses.
            for facilitator in cohort.facilitators.filter(is_active=True).exclude(email=""):
                mail.send(
                    "programmes/email/absence_alert_facilitator",
                    to=facilitator.email,
                    context={
                        **context,
                        "facilitator": facilitator,
                        "attendance_link": mail.public_url(
                            f"/learn/facilitate/cohorts/{cohort.pk}/attendance/"
                        ),
                    },
                )
            alert.sent_at = timezone.now()
            alert.save(update_fields=["sent_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"
