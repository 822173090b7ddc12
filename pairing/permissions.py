"""Who sees pairings and what pairs write, declared in people.permissions (the one module
every view, export and listing asks):

- a **pairing** is seen by its two members, by the facilitators who support it (the cohort's
  facilitators, or the scheme's, while they hold the facilitator role), and by the programme
  administrators of the trust that runs it (the cohort's host trust, the scheme's trust);
  superusers see every pairing;
- what the pair write — **visits** with what was learned, **meetings** with notes and actions,
  the **project** and its comments — is seen by the two members and their facilitators only
  (PRODUCT.md §2: the facilitator "reads the reflections of pairs they support"). Not by the
  administrators, and not by a superuser: their pages show hours and counts, which come from
  pairing.selectors, never the text;
- **schemes** are seen by the trust's staff (anyone whose account is in the trust may join
  one), and changed by the trust's programme administrators;
- a pairing profile is its owner's; do-not-pair rules are the administrators' of the trust of
  either person.

Facilitators of a scheme also see its members (``register_people_reach``), as cohort
facilitators see their cohort's participants.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from people.access import AccessRole
from people.permissions import (
    administered_trust_ids,
    register_change_scope,
    register_people_reach,
    register_scope,
)

from .models import (
    DoNotPair,
    ImprovementProject,
    Pairing,
    PairingProfile,
    PairingScheme,
    PairMeeting,
    ProjectComment,
    SchemeFacilitator,
    SchemeMember,
    ShadowingVisit,
)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _facilitates(user) -> bool:
    return user.has_role(AccessRole.FACILITATOR)


def _supported_condition(user, prefix: str = "") -> Q:
    """Pairings whose pair `user` supports as a facilitator, as a condition on a path to the
    pairing."""
    if not _facilitates(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}cohort__facilitator_links__person_id": user.pk}) | Q(
        **{f"{prefix}scheme__facilitator_links__person_id": user.pk}
    )


def _member_condition(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}clinician_id": user.pk}) | Q(**{f"{prefix}manager_id": user.pk})


def supported_pairing_ids(user) -> QuerySet:
    """The pairings `user` supports as a facilitator."""
    return Pairing.objects.filter(_supported_condition(user)).values("pk")


def private_pairing_ids(user) -> QuerySet:
    """The pairings whose private side (visits, meetings, project) `user` may read: their
    own, and those they support as a facilitator."""
    return Pairing.objects.filter(_member_condition(user) | _supported_condition(user)).values("pk")


def pairings_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Pairing.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(pk__in=private_pairing_ids(user))
    if trusts := administered_trust_ids(user):
        condition |= Q(cohort__host_trust_id__in=trusts) | Q(scheme__trust_id__in=trusts)
    return queryset.filter(condition)


def pairings_administered_by(user, queryset: QuerySet | None = None) -> QuerySet:
    """The pairings `user` may change as an administrator (confirm, end, pair people)."""
    queryset = Pairing.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    trusts = administered_trust_ids(user)
    return queryset.filter(Q(cohort__host_trust_id__in=trusts) | Q(scheme__trust_id__in=trusts))


def may_read_private(user, pairing: Pairing) -> bool:
    if not _active(user):
        return False
    if pairing.has_member(user):
        return True
    return private_pairing_ids(user).filter(pk=pairing.pk).exists()


def _by_pairing(model, path: str):
    def rule(user, queryset: QuerySet | None = None) -> QuerySet:
        queryset = model.objects.all() if queryset is None else queryset
        if not _active(user):
            return queryset.none()
        return queryset.filter(**{f"{path}__in": private_pairing_ids(user)})

    rule.__name__ = f"{model.__name__.lower()}_visible_to"
    return rule


def schemes_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = PairingScheme.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(members__person_id=user.pk)
    if user.trust_id:
        condition |= Q(trust_id=user.trust_id)
    if trusts := administered_trust_ids(user):
        condition |= Q(trust_id__in=trusts)
    if _facilitates(user):
        condition |= Q(facilitator_links__person_id=user.pk)
    return queryset.filter(pk__in=PairingScheme.objects.filter(condition).values("pk"))


def schemes_administered_by(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = PairingScheme.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(trust_id__in=administered_trust_ids(user))


def _scheme_links(model):
    def rule(user, queryset: QuerySet | None = None) -> QuerySet:
        queryset = model.objects.all() if queryset is None else queryset
        if not _active(user):
            return queryset.none()
        if user.is_superuser:
            return queryset
        condition = Q(person_id=user.pk) | Q(scheme__trust_id__in=administered_trust_ids(user))
        if _facilitates(user):
            condition |= Q(scheme__facilitator_links__person_id=user.pk)
        return queryset.filter(pk__in=model.objects.filter(condition).values("pk"))

    rule.__name__ = f"{model.__name__.lower()}_visible_to"
    return rule


def profiles_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = PairingProfile.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(person_id=user.pk)
    if trusts := administered_trust_ids(user):
        condition |= Q(person__trust_id__in=trusts)
    return queryset.filter(condition)


def do_not_pair_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = DoNotPair.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    trusts = administered_trust_ids(user)
    return queryset.filter(Q(person_a__trust_id__in=trusts) | Q(person_b__trust_id__in=trusts))


def people_in_my_schemes(user) -> QuerySet | None:
    """The members of the schemes `user` facilitates."""
    if not _active(user) or not _facilitates(user):
        return None
    return SchemeMember.objects.filter(scheme__facilitator_links__person_id=user.pk).values(
        "person_id"
    )


register_scope(Pairing, pairings_visible_to)
register_scope(ShadowingVisit, _by_pairing(ShadowingVisit, "pairing_id"))
register_scope(PairMeeting, _by_pairing(PairMeeting, "pairing_id"))
register_scope(ImprovementProject, _by_pairing(ImprovementProject, "pairing_id"))
register_scope(ProjectComment, _by_pairing(ProjectComment, "project__pairing_id"))
register_scope(PairingScheme, schemes_visible_to)
register_scope(SchemeMember, _scheme_links(SchemeMember))
register_scope(SchemeFacilitator, _scheme_links(SchemeFacilitator))
register_scope(PairingProfile, profiles_visible_to)
register_scope(DoNotPair, do_not_pair_visible_to)
register_people_reach(people_in_my_schemes)

register_change_scope(PairingScheme, trust_path="trust_id", trust_ids=administered_trust_ids)
register_change_scope(
    SchemeFacilitator, trust_path="scheme__trust_id", trust_ids=administered_trust_ids
)
