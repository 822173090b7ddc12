"""My learning (a cms page) shows the person's pairs without cms importing pairing: the
template loads this tag."""

from django import template
from django.db.models import Count, Q

from ..models import Pairing, VisitStatus
from ..permissions import supported_pairing_ids
from ..selectors import with_progress

register = template.Library()


@register.simple_tag
def my_pairs(user):
    """The person's live pairings with their partner and own confirmed hours (1 query), and
    whether they support pairs as a facilitator (1 query)."""
    if not user.is_authenticated:
        return {"pairs": [], "supports": False}
    pairs = []
    for pairing in (
        with_progress(Pairing.objects.live().of(user))
        .annotate(
            for_me=Count(
                "visits",
                filter=Q(visits__status=VisitStatus.LOGGED) & ~Q(visits__logged_by=user),
            )
        )
        .select_related("clinician", "manager", "cohort__programme", "scheme")
        .order_by("-proposed_at")
    ):
        mine = pairing.clinician_hours if user.pk == pairing.clinician_id else pairing.manager_hours
        pairs.append(
            {
                "pairing": pairing,
                "partner": pairing.partner_of(user),
                "hours": mine,
                "to_confirm": pairing.for_me,  # visits the partner logged, for this person
            }
        )
    return {"pairs": pairs, "supports": supported_pairing_ids(user).exists()}
