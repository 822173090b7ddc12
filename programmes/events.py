"""What happened to an enrolment, announced after the transaction commits.

programmes never imports the apps that react (the emails of enrolment, certificates on a
completion): they connect to ``enrolment_changed`` at start-up instead. The signal is sent
only once the change is committed, so a receiver never sees a change that was rolled back,
and it carries ids, not instances, so a receiver that enqueues a task passes ids on::

    from programmes.events import enrolment_changed

    @receiver(enrolment_changed)
    def issue_certificate(sender, *, enrolment_id, action, from_status, to_status, **kwargs):
        if action == "complete":
            certificate_issue_task.delay(enrolment_id)
"""

from django.db import transaction
from django.dispatch import Signal

# Sent with: enrolment_id, cohort_id, person_id, action (EnrolmentAction), from_status
# (None for a new enrolment) and to_status.
enrolment_changed = Signal()


def announce(*, enrolment, action: str, from_status: str | None) -> None:
    payload = {
        "enrolment_id": enrolment.pk,
        "cohort_id": enrolment.cohort_id,
        "person_id": enrolment.person_id,
        "action": str(action),
        "from_status": str(from_status) if from_status else None,
        "to_status": str(enrolment.status),
    }

    def send():
        enrolment_changed.send(sender=enrolment.__class__, **payload)

    transaction.on_commit(send)
