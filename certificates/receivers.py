"""certificates learns of completions from programmes' event (programmes never imports this
app): when an enrolment completes, its certificate is issued (and its render queued through
the outbox)."""

from django.dispatch import receiver

from programmes.events import enrolment_changed
from programmes.models import Enrolment

from .services import certificate_issue


@receiver(enrolment_changed, dispatch_uid="certificates.issue_on_completion")
def issue_on_completion(sender, *, enrolment_id, action, **kwargs):
    if action != "complete":
        return
    enrolment = (
        Enrolment.objects.select_related("cohort__programme", "cohort__host_trust", "person")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is not None:
        certificate_issue(enrolment=enrolment)
