"""The two groups of the effect estimate, built in the database (reports.effect does the
statistics on what these return).

**Completers**: clinicians (a clinical professional group on the enrolment) with a completed
enrolment whose enrolment trust is the trust. Their follow-up starts on the date their first
such enrolment was marked completed.

**Comparison group**: clinicians whose profile trust is the trust, of a professional group
that has at least one completer there, who have never enrolled in any cohort (in any status;
someone who enrolled but did not complete is in neither group). Each is followed from one
calendar date: the first completion date of their own trust and professional group — the
day the first colleague like them was followed from — so both groups are watched over the
same calendar period (to today), and nobody is counted twice.

In both groups, **someone already holding a leadership role** (clinical leadership,
management or board; people.LEADERSHIP_CATEGORIES) on the day follow-up starts is left out:
they cannot "move into" one. The event is the first leadership appointment that starts after
follow-up starts. Follow-up ends today: people with no appointment yet are censored there.

Known limits, said on the page: the comparison group is by profile trust and group today
(a clinician who joined the trust after the start date is followed from before they came);
someone who left the NHS looks like someone who was not appointed; role history is only as
complete as people and HR imports make it.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    DateField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from people.access import AccessRole
from people.models import CLINICAL_GROUPS, LEADERSHIP_CATEGORIES, RoleAppointment, Trust, User
from people.permissions import reported_trust_ids
from programmes.models import Enrolment, EnrolmentStatus

from .effect import Followed

# --- who may see which trust's estimate -----------------------------------------------------


def effect_trusts_visible_to(user) -> QuerySet:
    """The trusts whose effect estimate `user` may see: superusers and national leads all;
    a trust reporting lead the trusts they lead reporting for (people.permissions
    .reported_trust_ids, as certificates.permissions scopes them); a regional lead the
    trusts of their region (aggregates only, which this page is). Nobody else."""
    if not (user.is_authenticated and user.is_active):
        return Trust.objects.none()
    if user.is_superuser or user.has_role(AccessRole.NATIONAL_LEAD):
        return Trust.objects.all()
    condition = Q(pk__in=reported_trust_ids(user))
    if regions := user.regions_for(AccessRole.REGIONAL_LEAD):
        condition |= Q(region_id__in=regions)
    return Trust.objects.filter(condition)


# --- the groups -------------------------------------------------------------------------------


def _completion_date():
    return TruncDate("status_changed_at", output_field=DateField())


def _completions(trust: Trust) -> QuerySet:
    return Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, trust=trust, professional_group__in=CLINICAL_GROUPS
    )


def _with_outcome(people: QuerySet, start) -> QuerySet:
    """`people` with their follow-up start, whether they held a leadership role on it, and
    the start of their first leadership appointment after it: one query (the Min over the
    role history is an aggregate with a filter, grouped by person)."""
    held = RoleAppointment.objects.filter(
        person=OuterRef("pk"),
        category__in=LEADERSHIP_CATEGORIES,
        starts_on__lte=OuterRef("start"),
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("start")))
    return (
        people.annotate(start=start)
        .filter(start__isnull=False)
        .annotate(
            led_at_start=Exists(held),
            first_leadership=Min(
                "role_appointments__starts_on",
                filter=Q(
                    role_appointments__category__in=LEADERSHIP_CATEGORIES,
                    role_appointments__starts_on__gt=F("start"),
                ),
            ),
        )
        .order_by()
        .values_list("start", "first_leadership", "led_at_start")
    )


def completers(trust: Trust) -> QuerySet:
    first_completion = Subquery(
        _completions(trust)
        .filter(person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(on=Min(_completion_date()))
        .values("on")[:1],
        output_field=DateField(),
    )
    people = User.objects.filter(pk__in=_completions(trust).values("person"))
    return _with_outcome(people, first_completion)


def comparison(trust: Trust) -> QuerySet:
    stratum_start = Subquery(
        _completions(trust)
        .filter(professional_group=OuterRef("professional_group"))
        .order_by()
        .values("trust")
        .annotate(on=Min(_completion_date()))
        .values("on")[:1],
        output_field=DateField(),
    )
    people = User.objects.filter(trust=trust, professional_group__in=CLINICAL_GROUPS).exclude(
        Exists(Enrolment.objects.filter(person=OuterRef("pk")))
    )
    return _with_outcome(people, stratum_start)


def followed(rows, today: datetime.date) -> tuple[list[Followed], int]:
    """(the people followed, how many were left out for already holding a leadership role
    at the start). Starts after today (a completion recorded in the future) are dropped."""
    people, excluded = [], 0
    for start, first_leadership, led_at_start in rows:
        if led_at_start:
            excluded += 1
        elif start <= today:
            people.append(Followed(start=start, end=today, first_leadership=first_leadership))
    return people, excluded


def effect_groups(trust: Trust, today: datetime.date | None = None) -> dict:
    """Both groups for `trust`: two queries."""
    today = today or timezone.localdate()
    completed, completed_excluded = followed(completers(trust), today)
    compared, compared_excluded = followed(comparison(trust), today)
    return {
        "completers": completed,
        "completers_excluded": completed_excluded,
        "comparison": compared,
        "comparison_excluded": compared_excluded,
        "today": today,
    }
