"""Who sees and changes Tandem coffee's rows, declared in people.permissions:

- a trust's scheme, shared spaces and rounds: its own people (the spaces are suggested to
  them), its programme administrators and trust reporting leads; superusers all. Only the
  trust's programme administrators (and superusers) change the scheme and the spaces.
- a match and its members: the people in it, and the trust's programme administrators;
- an opt-in or a carry-over: its person, and the programme administrators of their trust.

Rounds, matches and members are made by the round task alone; nobody changes them in the
admin. A member changes one thing, through the "we met" button: their own met_at.
"""

from django.db.models import Q, QuerySet

from people.permissions import (
    administered_trust_ids,
    register_change_scope,
    register_scope,
    reported_trust_ids,
)

from .models import (
    CoffeeCarryOver,
    CoffeeMatch,
    CoffeeMatchMember,
    CoffeeOptIn,
    CoffeeRound,
    CoffeeScheme,
    SharedSpace,
)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_run_coffee(user) -> bool:
    """Who uses the Tandem coffee admin: superusers and programme administrators."""
    return _active(user) and (user.is_superuser or bool(administered_trust_ids(user)))


def _trust_rule(model, trust_path: str = "trust_id"):
    def visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
        queryset = model.objects.all() if queryset is None else queryset
        if not _active(user):
            return queryset.none()
        if user.is_superuser:
            return queryset
        trusts = administered_trust_ids(user) | reported_trust_ids(user)
        if user.trust_id:
            trusts.add(user.trust_id)
        return queryset.filter(**{f"{trust_path}__in": trusts})

    return visible_to


def matches_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = CoffeeMatch.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(pk__in=CoffeeMatchMember.objects.filter(person=user).values("match_id"))
    if trusts := administered_trust_ids(user):
        condition |= Q(round__trust_id__in=trusts)
    return queryset.filter(condition)


def members_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """One's own memberships and those of one's matches' other members."""
    queryset = CoffeeMatchMember.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(match_id__in=CoffeeMatchMember.objects.filter(person=user).values("match_id"))
    if trusts := administered_trust_ids(user):
        condition |= Q(round__trust_id__in=trusts)
    return queryset.filter(condition)


def _own_or_administered(model):
    def visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
        queryset = model.objects.all() if queryset is None else queryset
        if not _active(user):
            return queryset.none()
        if user.is_superuser:
            return queryset
        condition = Q(person_id=user.pk)
        if trusts := administered_trust_ids(user):
            condition |= Q(person__trust_id__in=trusts)
        return queryset.filter(condition)

    return visible_to


def own_memberships(user) -> QuerySet:
    """The memberships whose "we met" ``user`` may press: their own, and nobody else's."""
    if not _active(user):
        return CoffeeMatchMember.objects.none()
    return CoffeeMatchMember.objects.filter(person_id=user.pk)


register_scope(CoffeeScheme, _trust_rule(CoffeeScheme))
register_scope(SharedSpace, _trust_rule(SharedSpace))
register_scope(CoffeeRound, _trust_rule(CoffeeRound))
register_scope(CoffeeMatch, matches_visible_to)
register_scope(CoffeeMatchMember, members_visible_to)
register_scope(CoffeeOptIn, _own_or_administered(CoffeeOptIn))
register_scope(CoffeeCarryOver, _own_or_administered(CoffeeCarryOver))

register_change_scope(CoffeeScheme, trust_path="trust_id", trust_ids=administered_trust_ids)
register_change_scope(SharedSpace, trust_path="trust_id", trust_ids=administered_trust_ids)
