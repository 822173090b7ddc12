"""Accounts the inactive-accounts retention policy must keep (privacy.retention): anyone whose
enrolment is still under way — waiting for approval, enrolled, or on a waiting list. A
waitlisted person may not sign in for months and must not lose their place to retention."""

from privacy.retention import register_accounts_in_use

from .models import Enrolment, EnrolmentStatus

UNDER_WAY = (
    EnrolmentStatus.PENDING_APPROVAL,
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.WAITLISTED,
)


@register_accounts_in_use
def people_with_an_enrolment_under_way():
    return Enrolment.objects.filter(status__in=UNDER_WAY).values("person_id")
