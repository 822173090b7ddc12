"""Who may see what: the one place that scopes people's data by role and trust.

Every view, export, API and admin listing that shows people's data asks this module for its
queryset, so a later feature cannot forget the rule. The rules:

- superusers see everyone;
- programme administrators, facilitators and trust reporting leads see the people of their
  own trust (and nobody if they have no trust);
- everyone else, regional leads included (they compare trusts through aggregates only), sees
  their own record alone;
- anonymous users see nobody.
"""

from django.db.models import QuerySet
from django.http import Http404

from .models import BoardSnapshot, RoleAppointment, Trust, TrustEmailDomain, User
from .roles import TRUST_SCOPED_ROLES, Role


def _sees_own_trust(user) -> bool:
    return bool(user.role_names & TRUST_SCOPED_ROLES)


def people_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = User.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if _sees_own_trust(user):
        if user.trust_id is None:
            return queryset.none()
        return queryset.filter(trust_id=user.trust_id)
    return queryset.filter(pk=user.pk)


def role_appointments_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = RoleAppointment.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if _sees_own_trust(user):
        if user.trust_id is None:
            return queryset.none()
        return queryset.filter(person__trust_id=user.trust_id)
    return queryset.filter(person_id=user.pk)


def trusts_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Trust names and codes are public facts, but staff listings still show only the trusts
    a person works with: their own, or all of them for national and regional roles."""
    queryset = Trust.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.has_role(Role.REGIONAL_LEAD):
        return queryset
    if user.trust_id is None:
        return queryset.none()
    return queryset.filter(pk=user.trust_id)


def board_snapshots_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = BoardSnapshot.objects.all() if queryset is None else queryset
    return queryset.filter(trust__in=trusts_visible_to(user))


def email_domains_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = TrustEmailDomain.objects.all() if queryset is None else queryset
    return queryset.filter(trust__in=trusts_visible_to(user))


# What each role may do in Tandem's People admin (which people: people_visible_to). Nobody
# but superusers holds Django's people.*_user permissions: Wagtail's own Users admin would
# honour them everywhere, unscoped (see people.wagtail_users).
PEOPLE_ADMIN_ACTIONS = {
    Role.PROGRAMME_ADMINISTRATOR: frozenset({"add", "change", "view"}),
    Role.TRUST_REPORTING_LEAD: frozenset({"view"}),
}


def people_admin_actions(user) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset({"add", "change", "delete", "view"})
    actions = frozenset()
    for role in user.role_names:
        actions |= PEOPLE_ADMIN_ACTIONS.get(role, frozenset())
    return actions


SCOPES = {
    TrustEmailDomain: email_domains_visible_to,
    User: people_visible_to,
    RoleAppointment: role_appointments_visible_to,
    Trust: trusts_visible_to,
    BoardSnapshot: board_snapshots_visible_to,
}


def scope_queryset(user, queryset: QuerySet) -> QuerySet:
    """Scope any queryset of a people-and-trusts model to what `user` may see."""
    try:
        scope = SCOPES[queryset.model]
    except KeyError:
        raise LookupError(f"No visibility rule for {queryset.model.__name__}") from None
    return scope(user, queryset)


def get_visible_or_404(user, model, **lookup):
    """The object, or 404 (not 403, so the refusal does not confirm the record exists)."""
    try:
        return scope_queryset(user, model._default_manager.all()).get(**lookup)
    except model.DoesNotExist:
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from None
