"""pairing's hooks into programmes, which never imports pairing:

- pairs who applied together (an accepted programmes.PairApplication) start as a proposed
  pairing in their cohort once both hold a place: on every committed enrolment change of one
  of them (programmes.events.enrolment_changed), ``pairing_from_application`` is tried, and
  makes the pairing once;
- confirmed shadowing hours are what the programme's completion rule counts
  (programmes.services.completion.register_shadowing_hours).
"""

from django.dispatch import receiver

from programmes.events import enrolment_changed
from programmes.models import Enrolment
from programmes.services.completion import register_shadowing_hours

from .selectors import confirmed_hours
from .services.pairings import pairing_from_application

register_shadowing_hours(confirmed_hours)


@receiver(enrolment_changed, dispatch_uid="pairing.pairs_who_applied_together")
def pairs_who_applied_together(sender, *, enrolment_id, **kwargs):
    enrolment = (
        Enrolment.objects.select_related("pair__inviter", "pair__invitee", "pair__cohort")
        .filter(pk=enrolment_id, pair__isnull=False)
        .first()
    )
    if enrolment is not None:
        pairing_from_application(application=enrolment.pair)
