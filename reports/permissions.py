"""Who may see which trust's reports, on people.permissions' grants (the one module that
scopes people's data):

- a **trust reporting lead** sees the trusts they hold that role for (AccessGrant.trust) —
  nothing of any other trust;
- a **regional lead** sees the trusts of their region;
- a **national lead** and a **superuser** see every trust.

Nobody else: not a programme administrator by that role alone (their cohort pages are
theirs), not a participant or facilitator. Every report is an aggregate, with small numbers
suppressed (reports.disclosure), so even the widest of these sees no individual.

A refusal names no trust: asking for one outside your scope is a 404, as if it did not
exist (people.permissions.get_visible_or_404's rule).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from people.access import AccessRole
from people.models import Region, Trust
from people.permissions import reported_trust_ids
from programmes.models import Cohort, Enrolment


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def reportable_trusts(user) -> QuerySet:
    """The trusts whose reports `user` may see."""
    if not _active(user):
        return Trust.objects.none()
    if user.is_superuser or user.has_role(AccessRole.NATIONAL_LEAD):
        return Trust.objects.all()
    condition = Q(pk__in=reported_trust_ids(user))
    if regions := user.regions_for(AccessRole.REGIONAL_LEAD):
        condition |= Q(region_id__in=regions)
    return Trust.objects.filter(condition)


def may_see_reports(user) -> bool:
    if not _active(user):
        return False
    return bool(
        user.is_superuser
        or user.role_names
        & {AccessRole.TRUST_REPORTING_LEAD, AccessRole.REGIONAL_LEAD, AccessRole.NATIONAL_LEAD}
    )


def reportable_trust_or_404(user, trust_id) -> Trust:
    try:
        return reportable_trusts(user).get(pk=trust_id)
    except (Trust.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No trust matches the given query.") from None


def trust_cohorts(trust: Trust) -> QuerySet:
    """The cohorts a trust's report covers and its filter offers: those it hosts, and those
    its people took part in for it (an enrolment's trust is the person's when they enrolled:
    reports count them there, wherever the cohort was hosted)."""
    return Cohort.objects.filter(
        Q(host_trust=trust) | Q(pk__in=Enrolment.objects.filter(trust=trust).values("cohort_id"))
    )


# --- the regional and national comparison (reports.comparison_views) ---------------------------
# The same grants as the dashboards, no second rule: the trusts whose rows a person sees in a
# region's comparison are the reportable trusts of that region — all of them for its regional
# lead, a national lead or a superuser; their own for a trust reporting lead, who sees their
# trust beside the region's and England's figures but no other trust's row. A region with
# none of them is a 404, as another trust is.


def may_compare_nationally(user) -> bool:
    """Every trust's row: national leads and superusers."""
    return _active(user) and (user.is_superuser or user.has_role(AccessRole.NATIONAL_LEAD))


def comparable_regions(user) -> QuerySet:
    """The regions with a trust whose reports `user` may see."""
    return Region.objects.filter(
        pk__in=reportable_trusts(user).filter(region__isnull=False).values("region_id")
    )


def comparison_region_or_404(user, region_id) -> tuple[Region, set[int]]:
    """The region and the ids of its trusts whose rows `user` may see (never empty), or 404."""
    try:
        region = Region.objects.get(pk=region_id)
    except (Region.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No region matches the given query.") from None
    trust_ids = set(
        reportable_trusts(user).filter(region_id=region.pk).values_list("pk", flat=True)
    )
    if not trust_ids:
        raise Http404("No region matches the given query.")
    return region, trust_ids


def refuse_unless_reporter(user) -> None:
    """The one refusal of everyone who does not report (the pages and the API alike)."""
    if not may_see_reports(user):
        raise PermissionDenied(
            "Reports are for trust reporting leads and regional and national leads."
        )


def comparison_scope(user, region_id) -> tuple[str, Region | None, set[int] | None]:
    """(title, the region or None, the trust ids shown or None for all) of a comparison:
    a region's (``region_id``) or the national one (None); 403 or 404 as the pages answer."""
    refuse_unless_reporter(user)
    if region_id is None:
        if not may_compare_nationally(user):
            raise PermissionDenied("The national comparison is for national leads.")
        return "England", None, None
    region, trust_ids = comparison_region_or_404(user, region_id)
    return region.name, region, trust_ids
