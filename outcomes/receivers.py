"""outcomes learns of completions from programmes' event (programmes never imports this
app): a completed enrolment's follow-up surveys, at completion and 12 months after, are made
due; beat emails them (outcomes.tasks)."""

from django.dispatch import receiver

from programmes.events import enrolment_changed
from programmes.models import Enrolment

from .services import surveys_schedule


@receiver(enrolment_changed, dispatch_uid="outcomes.surveys_on_completion")
def schedule_surveys(sender, *, enrolment_id, action, **kwargs):
    if action != "complete":
        return
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is not None:
        surveys_schedule(enrolment=enrolment)
