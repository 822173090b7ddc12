"""Who may see what: the one place that scopes people's data by access role and its scope.

Every view, export, task and API that shows people's data fetches it through this module —
``visible(user, Model)`` for a queryset, ``get_visible_or_404(user, Model, pk=...)`` for one
object — so a later feature cannot forget the rule. Each app declares the rule for its own
models here (``register_scope``), and may widen whom a staff member sees
(``register_people_reach``: the programmes app lets a host trust's administrator see the
people enrolled in its cohorts, and a facilitator those of their cohorts), without people
importing that app.

The rules for people and trusts:

- superusers see everyone;
- a programme administrator or trust reporting lead sees the people of the trusts they hold
  that role for (AccessGrant.trust), plus whom other apps' reach adds;
- a facilitator sees whom the programmes app says they facilitate, and nothing by trust;
- regional and national leads see trusts (of their region / all) and aggregates, not people;
- everyone sees themselves; anonymous visitors see nobody.

Seeing is not changing: ``changeable(user, Model)`` is the part of what a user sees that they
may change, by each model's change rule (``register_change_scope``), and
``assignable_trusts(user, Model)`` the trusts they may put its rows in. A programme
administrator changes the people of the trusts they administer, whatever else they may see
through another role.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .access import AccessRole
from .models import (
    AccessGrant,
    BoardSnapshot,
    Region,
    RoleAppointment,
    Trust,
    TrustEmailDomain,
    User,
)

Rule = Callable[[User, QuerySet], QuerySet]
Reach = Callable[[User], QuerySet | None]

_rules: dict[type[Model], Rule] = {}
_people_reach: list[Reach] = []


def register_scope(model: type[Model], rule: Rule) -> Rule:
    """Declare who may see `model`'s rows: `rule(user, queryset)` returns the visible part.
    Called by each app for its own models (at import of its permissions module)."""
    if model in _rules and _rules[model] is not rule:
        raise ImproperlyConfigured(f"{model.__name__} already has a visibility rule.")
    _rules[model] = rule
    return rule


def register_people_reach(reach: Reach) -> Reach:
    """Widen whom staff see: `reach(user)` returns a queryset of person ids (``values("pk")``
    or similar) the user may also see, or None. Used for a cohort's host-trust
    administrators and facilitators."""
    if reach not in _people_reach:
        _people_reach.append(reach)
    return reach


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _people_trusts(user) -> set[int]:
    """Trusts whose people this user sees by role."""
    return user.trusts_for(AccessRole.PROGRAMME_ADMINISTRATOR) | user.trusts_for(
        AccessRole.TRUST_REPORTING_LEAD
    )


def administered_trust_ids(user) -> set[int]:
    """The trusts `user` is a programme administrator of (all of them for superusers is the
    caller's to decide: this is only what the grants say)."""
    if not _active(user):
        return set()
    return user.trusts_for(AccessRole.PROGRAMME_ADMINISTRATOR)


def reported_trust_ids(user) -> set[int]:
    """The trusts `user` is a trust reporting lead of."""
    if not _active(user):
        return set()
    return user.trusts_for(AccessRole.TRUST_REPORTING_LEAD)


# --- rules for people and trusts --------------------------------------------------------------


def people_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = User.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(pk=user.pk)
    if trusts := _people_trusts(user):
        condition |= Q(trust_id__in=trusts)
    for reach in _people_reach:
        extra = reach(user)
        if extra is not None:
            condition |= Q(pk__in=extra)
    return queryset.filter(condition)


def role_appointments_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Role history by the person's trust (not by reach: seeing someone enrolled in your
    cohort does not open their career history)."""
    queryset = RoleAppointment.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(person_id=user.pk)
    if trusts := _people_trusts(user):
        condition |= Q(person__trust_id__in=trusts)
    return queryset.filter(condition)


def trust_ids_visible_to(user) -> set[int] | None:
    """The trusts a user works with; None means all of them."""
    if not _active(user):
        return set()
    if user.is_superuser or user.has_role(AccessRole.NATIONAL_LEAD):
        return None
    trusts = {trust for _, trust, _ in user.grants if trust}
    if user.trust_id:
        trusts.add(user.trust_id)
    if regions := user.regions_for(AccessRole.REGIONAL_LEAD):
        trusts |= set(Trust.objects.filter(region_id__in=regions).values_list("pk", flat=True))
    return trusts


def trusts_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Trust names and codes are public facts, but staff listings still show only the trusts
    a person works with: their own and those of their grants, their region's for a regional
    lead, all for a national lead."""
    queryset = Trust.objects.all() if queryset is None else queryset
    ids = trust_ids_visible_to(user)
    return queryset if ids is None else queryset.filter(pk__in=ids)


def _by_visible_trust(model):
    def rule(user, queryset: QuerySet | None = None) -> QuerySet:
        queryset = model.objects.all() if queryset is None else queryset
        ids = trust_ids_visible_to(user)
        return queryset if ids is None else queryset.filter(trust_id__in=ids)

    return rule


board_snapshots_visible_to = _by_visible_trust(BoardSnapshot)


def email_domains_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Sign-up domains: a trust's administrators manage their own."""
    queryset = TrustEmailDomain.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(trust_id__in=administered_trust_ids(user))


def access_grants_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """One's own grants; a trust's administrator sees those of their trust's people."""
    queryset = AccessGrant.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(person_id=user.pk)
    if trusts := administered_trust_ids(user):
        condition |= Q(person__trust_id__in=trusts)
    return queryset.filter(condition)


def regions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Region.objects.all() if queryset is None else queryset
    return queryset if _active(user) else queryset.none()


register_scope(User, people_visible_to)
register_scope(RoleAppointment, role_appointments_visible_to)
register_scope(Trust, trusts_visible_to)
register_scope(BoardSnapshot, board_snapshots_visible_to)
register_scope(TrustEmailDomain, email_domains_visible_to)
register_scope(AccessGrant, access_grants_visible_to)
register_scope(Region, regions_visible_to)


# --- the one way in ---------------------------------------------------------------------------


def visible(user, model_or_queryset) -> QuerySet:
    """Scope any queryset (or a model's whole table) to what `user` may see. A model with no
    registered rule is an error, never "everything"."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    for candidate in queryset.model.__mro__:
        if candidate in _rules:
            return _rules[candidate](user, queryset)
    raise LookupError(f"No visibility rule for {queryset.model.__name__}")


# The name the admin views know it by.
scope_queryset = visible


def scoped_models() -> list[type[Model]]:
    """Every model with a visibility rule (Wagtail's history is scoped by them)."""
    return list(_rules)


# --- who may change what ----------------------------------------------------------------------
# Seeing is not changing. A person may see another trust's rows through one role (a reporting
# lead's, a regional lead's) while their power to change rows comes from another role (an
# administrator's, for their own trust): the review found the one mixed with the other's
# scope. So every view, form and service that changes a row asks `changeable`, never
# `visible`. A change rule narrows what the user may see to what they may change, and names
# the trusts they may put rows in. The role's Django permissions still decide which actions
# are offered at all; these decide on which rows.

TrustIds = Callable[[User], set[int]]


@dataclass(frozen=True)
class ChangeRule:
    trust_path: str  # the lookup from the model to the trust that owns the row
    trust_ids: TrustIds  # the trusts whose rows the user may change

    def __call__(self, user, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{f"{self.trust_path}__in": self.trust_ids(user)})


_change_rules: dict[type[Model], ChangeRule] = {}


def register_change_scope(model: type[Model], *, trust_path: str, trust_ids: TrustIds) -> None:
    """Declare which of `model`'s rows a non-superuser may change: those owned by a trust in
    `trust_ids(user)`. A model without one is changed by superusers only."""
    rule = ChangeRule(trust_path=trust_path, trust_ids=trust_ids)
    if model in _change_rules and _change_rules[model] != rule:
        raise ImproperlyConfigured(f"{model.__name__} already has a change rule.")
    _change_rules[model] = rule


def _change_rule(model) -> ChangeRule | None:
    for candidate in model.__mro__:
        if candidate in _change_rules:
            return _change_rules[candidate]
    return None


def changeable(user, model_or_queryset) -> QuerySet:
    """The rows `user` may change (edit, delete, record against): never more than they may
    see. Superusers change everything; others what the model's change rule allows."""
    queryset = visible(user, model_or_queryset)
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    rule = _change_rule(queryset.model)
    return queryset.none() if rule is None else rule(user, queryset)


def may_change(user, obj) -> bool:
    return changeable(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def assignable_trusts(user, model) -> QuerySet:
    """The trusts `user` may put a row of `model` in (a person's trust, a board's trust)."""
    if not _active(user):
        return Trust.objects.none()
    if user.is_superuser:
        return Trust.objects.all()
    rule = _change_rule(model)
    if rule is None:
        return Trust.objects.none()
    return Trust.objects.filter(pk__in=rule.trust_ids(user))


def _boards_trust_ids(user) -> set[int]:
    # Board composition is the reporting lead's to record (issue 14: "or an administrator").
    return reported_trust_ids(user) | administered_trust_ids(user)


register_change_scope(User, trust_path="trust_id", trust_ids=administered_trust_ids)
register_change_scope(
    RoleAppointment, trust_path="person__trust_id", trust_ids=administered_trust_ids
)
register_change_scope(BoardSnapshot, trust_path="trust_id", trust_ids=_boards_trust_ids)
register_change_scope(TrustEmailDomain, trust_path="trust_id", trust_ids=administered_trust_ids)
register_change_scope(AccessGrant, trust_path="person__trust_id", trust_ids=administered_trust_ids)


def get_visible_or_404(user, model_or_queryset, **lookup):
    """The object, or 404 (not 403, so the refusal does not confirm the record exists)."""
    queryset = visible(user, model_or_queryset)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        # A malformed id (letters, a number past 64 bits) is "no such record", not a crash.
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


# --- what each role may do in Tandem's People admin -------------------------------------------

# Which people: people_visible_to. Nobody but superusers holds Django's people.*_user
# permissions: Wagtail's own Users admin would honour them everywhere, unscoped (see
# people.wagtail_users).
PEOPLE_ADMIN_ACTIONS = {
    AccessRole.PROGRAMME_ADMINISTRATOR: frozenset({"add", "change", "view"}),
    AccessRole.TRUST_REPORTING_LEAD: frozenset({"view"}),
}


def people_admin_actions(user) -> frozenset[str]:
    if not _active(user):
        return frozenset()
    if user.is_superuser:
        return frozenset({"add", "change", "delete", "view"})
    actions = frozenset()
    for role in user.role_names:
        actions |= PEOPLE_ADMIN_ACTIONS.get(role, frozenset())
    return actions
