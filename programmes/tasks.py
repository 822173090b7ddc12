"""Background work for cohorts. Tasks take ids and call services (programmes.services)."""

import logging

from celery import shared_task

from . import services
from .models import Cohort

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
