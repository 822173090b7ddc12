"""Making, confirming and ending pairings; schemes and who is in them; the agreement.

Every rule of who may be paired is here, in ``check_pair``, so the administrator's form, the
matcher's confirmation and the pairs who applied together are held to the same rules:

- one clinician and one manager (the two sides of the joint mix), two different people;
- both in the cohort (holding a place: enrolled or finished) or members of the scheme;
- neither is the other's recorded line manager or supervising consultant (their sponsor, on
  their profile or on their enrolment in the cohort), so a pair can learn freely;
- no do-not-pair rule between them;
- each in at most one live (proposed or active) pairing there — a database constraint too.

Refusals are ``PairingRefused`` (a ValidationError): its message is for the person.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from people.models import User
from programmes.models import SEATED, Cohort, Enrolment, PairApplication, PairStatus
from programmes.services import facilitator_candidates

from ..models import (
    LIVE_PAIRING,
    DoNotPair,
    Pairing,
    PairingProfile,
    PairingScheme,
    PairingSource,
    PairingStatus,
    SchemeFacilitator,
    SchemeMember,
)
from ..permissions import pairings_administered_by, schemes_administered_by


class PairingRefused(ValidationError):
    pass


def _name(person: User) -> str:
    return person.get_full_name() or person.email


def _group_kwargs(group) -> dict:
    if isinstance(group, Cohort):
        return {"cohort": group}
    if isinstance(group, PairingScheme):
        return {"scheme": group}
    raise TypeError(f"Pairs are made in a cohort or a scheme, not {group!r}.")


def group_member_ids(group) -> set[int]:
    """Who can be paired in ``group``: people holding a place in the cohort, or the scheme's
    members (active accounts)."""
    if isinstance(group, Cohort):
        ids = Enrolment.objects.filter(
            cohort=group, status__in=SEATED, person__is_active=True
        ).values_list("person_id", flat=True)
    else:
        ids = SchemeMember.objects.filter(scheme=group, person__is_active=True).values_list(
            "person_id", flat=True
        )
    return set(ids)


def sponsor_emails(group, person_ids: Iterable[int]) -> dict[int, set[str]]:
    """Each person's recorded sponsors (line manager or supervising consultant), lower-case:
    from their profile, and from their enrolment in the cohort."""
    person_ids = list(person_ids)
    found: dict[int, set[str]] = {pk: set() for pk in person_ids}
    for pk, email in User.objects.filter(pk__in=person_ids).values_list("pk", "sponsor_email"):
        if email:
            found[pk].add(email.strip().lower())
    if isinstance(group, Cohort):
        rows = Enrolment.objects.filter(cohort=group, person_id__in=person_ids).values_list(
            "person_id", "sponsor_email"
        )
        for pk, email in rows:
            if email:
                found[pk].add(email.strip().lower())
    return found


def kept_apart(person_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The do-not-pair rules among ``person_ids``, as (lower id, higher id)."""
    person_ids = list(person_ids)
    return set(
        DoNotPair.objects.filter(
            person_a_id__in=person_ids, person_b_id__in=person_ids
        ).values_list("person_a_id", "person_b_id")
    )


def check_pair(
    *,
    clinician: User,
    manager: User,
    group,
    pairing: Pairing | None = None,
    members: set[int] | None = None,
) -> None:
    """Refuse a pair the rules forbid (the module's docstring lists them). ``pairing``: the
    proposed pairing being confirmed, which is not a clash with itself. ``members``: the
    group's ``group_member_ids``, when the caller checks many pairs of one group."""
    if clinician.pk == manager.pk:
        raise PairingRefused("A person cannot be paired with themselves.")
    if clinician.is_clinical == manager.is_clinical:
        both = "clinicians" if clinician.is_clinical else "managers"
        raise PairingRefused(
            f"A pair is one clinician and one manager: {_name(clinician)} and {_name(manager)} "
            f"are both {both}."
        )
    if not clinician.is_clinical:
        raise PairingRefused(
            f"Name the clinician first and the manager second: {_name(clinician)} is the manager."
        )
    members = group_member_ids(group) if members is None else members
    where = "cohort" if isinstance(group, Cohort) else "scheme"
    for person in (clinician, manager):
        if person.pk not in members:
            raise PairingRefused(f"{_name(person)} is not taking part in this {where}.")
    sponsors = sponsor_emails(group, [clinician.pk, manager.pk])
    if manager.email.lower() in sponsors[clinician.pk]:
        raise PairingRefused(
            f"{_name(manager)} is {_name(clinician)}'s line manager or supervising consultant: "
            "pair them with someone they do not report to."
        )
    if clinician.email.lower() in sponsors[manager.pk]:
        raise PairingRefused(
            f"{_name(clinician)} is {_name(manager)}'s line manager: pair them with someone "
            "they do not report to."
        )
    if kept_apart([clinician.pk, manager.pk]):
        raise PairingRefused(
            f"{_name(clinician)} and {_name(manager)} are kept apart by a do-not-pair rule."
        )
    pair = [clinician.pk, manager.pk]
    taken = (
        Pairing.objects.live()
        .filter(**_group_kwargs(group))
        .filter(Q(clinician_id__in=pair) | Q(manager_id__in=pair))
        .exclude(pk=pairing.pk if pairing else None)
        .first()
    )
    if taken is not None:
        person = clinician if clinician.pk in (taken.clinician_id, taken.manager_id) else manager
        raise PairingRefused(f"{_name(person)} is already in a pairing in this {where}.")


def _require_admin(by: User | None, group) -> None:
    if by is None:
        return  # the system: the pair application's acceptance, the demo
    trust_id = group.host_trust_id if isinstance(group, Cohort) else group.trust_id
    from people.permissions import administered_trust_ids

    if not (by.is_superuser or trust_id in administered_trust_ids(by)):
        raise PairingRefused("Only the trust's programme administrators pair people here.")


def _save_new(pairing: Pairing) -> Pairing:
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as error:
        # Another request paired one of them between the check and the insert.
        raise PairingRefused(
            "One of them was paired with someone else just now: reload the page."
        ) from error
    return pairing


def pairing_create(
    *,
    clinician: User,
    manager: User,
    group,
    by: User | None,
    source: str = PairingSource.ADMINISTRATOR,
    activate: bool = True,
) -> Pairing:
    """Pair ``clinician`` with ``manager`` in a cohort or scheme. An administrator's pair is
    active at once (both are emailed); ``activate=False`` leaves it proposed."""
    _require_admin(by, group)
    with transaction.atomic():
        _lock_group(group)
        check_pair(clinician=clinician, manager=manager, group=group)
        pairing = _save_new(
            Pairing(
                clinician=clinician,
                manager=manager,
                source=source,
                created_by=by,
                status=PairingStatus.ACTIVE if activate else PairingStatus.PROPOSED,
                started_on=timezone.localdate() if activate else None,
                **_group_kwargs(group),
            )
        )
        if activate:
            _announce(pairing)
    return pairing


def pairings_create_many(
    *, group, pairs: Iterable[tuple[User, User]], by: User | None, notify: bool = True
) -> list:
    """Confirm several pairs at once (the matcher's suggestions as adjusted): all are made, or
    none is and the first refusal says why. Both people of each pair are emailed (``notify``
    False: the demo's history, which nobody needs telling about)."""
    _require_admin(by, group)
    made = []
    with transaction.atomic():
        _lock_group(group)
        members = group_member_ids(group)  # once, not once a pair
        seen: set[int] = set()
        for clinician, manager in pairs:
            for person in (clinician, manager):
                if person.pk in seen:
                    raise PairingRefused(f"{_name(person)} is in two of the chosen pairs.")
                seen.add(person.pk)
            check_pair(clinician=clinician, manager=manager, group=group, members=members)
            pairing = _save_new(
                Pairing(
                    clinician=clinician,
                    manager=manager,
                    source=PairingSource.MATCHED,
                    created_by=by,
                    status=PairingStatus.ACTIVE,
                    started_on=timezone.localdate(),
                    **_group_kwargs(group),
                )
            )
            if notify:
                _announce(pairing)
            made.append(pairing)
    return made


def _lock_group(group) -> None:
    """Pairings of one cohort or scheme are made one request at a time (the row lock), so
    the checks see every pair made before."""
    type(group).objects.select_for_update().filter(pk=group.pk).first()


def _announce(pairing: Pairing) -> None:
    from ..tasks import send_pairing_announcement

    send_pairing_announcement.delay(pairing.pk)


def _locked(pairing: Pairing) -> Pairing:
    return (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("cohort", "scheme", "clinician", "manager")
        .get(pk=pairing.pk)
    )


def pairing_confirm(*, pairing: Pairing, by: User) -> Pairing:
    """A proposed pair (they applied together) made active by an administrator."""
    if not pairings_administered_by(by).filter(pk=pairing.pk).exists():
        raise PairingRefused("Only the trust's programme administrators confirm pairs.")
    with transaction.atomic():
        locked = _locked(pairing)
        if locked.status != PairingStatus.PROPOSED:
            raise PairingRefused(f"This pair is {locked.get_status_display().lower()} already.")
        if locked.clinician is None or locked.manager is None:
            raise PairingRefused("One of this pair is no longer on Tandem.")
        # Proposed a while ago: the rules are checked as they stand now (a do-not-pair rule
        # since, one of them withdrawn from the cohort).
        _lock_group(locked.group)
        check_pair(
            clinician=locked.clinician, manager=locked.manager, group=locked.group, pairing=locked
        )
        locked.status = PairingStatus.ACTIVE
        locked.started_on = timezone.localdate()
        locked.save(update_fields=["status", "started_on"])
        _announce(locked)
    return locked


def pairing_end(*, pairing: Pairing, by: User | None, reason: str = "") -> Pairing:
    """End a proposed or active pairing (its record, visits and hours are kept)."""
    if by is not None and not pairings_administered_by(by).filter(pk=pairing.pk).exists():
        raise PairingRefused("Only the trust's programme administrators end pairs.")
    with transaction.atomic():
        locked = _locked(pairing)
        if locked.status == PairingStatus.ENDED:
            return locked
        locked.status = PairingStatus.ENDED
        locked.ended_on = timezone.localdate()
        locked.end_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "ended_on", "end_reason"])
    return locked


def agreement_update(*, pairing: Pairing, by: User, goals: str, meeting_frequency: str) -> Pairing:
    """The pair's agreement: what they want to learn, how often they meet. Either member."""
    if not pairing.has_member(by):
        raise PairingRefused("Only the pair change their agreement.")
    if pairing.status == PairingStatus.ENDED:
        raise PairingRefused("This pairing has ended: its agreement can no longer change.")
    pairing.goals = goals.strip()
    pairing.meeting_frequency = meeting_frequency
    pairing.agreement_updated_at = timezone.now()
    pairing.full_clean(validate_constraints=False)
    pairing.save(update_fields=["goals", "meeting_frequency", "agreement_updated_at"])
    return pairing


def pairing_from_application(*, application: PairApplication) -> Pairing | None:
    """Pairs who applied together (programmes.PairApplication, accepted) start as a proposed
    pairing in their cohort, once both hold a place; an administrator confirms it. Returns
    None while that is not (yet) so, or when the rules refuse the pair (the administrator
    then pairs them, or others, by hand). Idempotent: one pairing per application."""
    existing = Pairing.objects.filter(application=application).first()
    if existing is not None:
        return existing
    if application.status != PairStatus.ACCEPTED or application.invitee_id is None:
        return None
    people = [application.inviter, application.invitee]
    clinician = next((p for p in people if p.is_clinical), None)
    manager = next((p for p in people if not p.is_clinical), None)
    if clinician is None or manager is None:
        return None
    try:
        with transaction.atomic():
            _lock_group(application.cohort)
            check_pair(clinician=clinician, manager=manager, group=application.cohort)
            return _save_new(
                Pairing(
                    cohort=application.cohort,
                    clinician=clinician,
                    manager=manager,
                    source=PairingSource.APPLIED_TOGETHER,
                    application=application,
                    status=PairingStatus.PROPOSED,
                )
            )
    except PairingRefused:
        return None


# --- do-not-pair rules, profiles, schemes ------------------------------------------------------


def do_not_pair_add(*, first: User, second: User, by: User, reason: str = "") -> DoNotPair:
    from people.permissions import administered_trust_ids, visible

    if first.pk == second.pk:
        raise PairingRefused("Choose two different people.")
    # Both must be people the administrator sees (their trust's, or in the cohorts their
    # trust hosts): a rule, and its reason, is shown beside both names.
    seen = visible(by, User).filter(pk__in=[first.pk, second.pk]).count()
    if not by.is_superuser and (seen < 2 or not administered_trust_ids(by)):
        raise PairingRefused("Only the trust's programme administrators keep people apart.")
    low, high = sorted([first, second], key=lambda p: p.pk)
    rule, _ = DoNotPair.objects.get_or_create(
        person_a=low, person_b=high, defaults={"reason": reason.strip()[:300], "created_by": by}
    )
    return rule


def profile_update(*, person: User, interests: Iterable[str]) -> PairingProfile:
    from ..models import INTEREST_LABELS

    chosen = sorted(set(interests))
    unknown = [i for i in chosen if i not in INTEREST_LABELS]
    if unknown:
        raise PairingRefused(f"Unknown interests: {', '.join(unknown)}.")
    profile, _ = PairingProfile.objects.update_or_create(
        person=person, defaults={"interests": chosen, "updated_at": timezone.now()}
    )
    return profile


SCHEME_FIELDS = (
    "name",
    "description",
    "starts_on",
    "ends_on",
    "is_open",
    "target_shadowing_hours",
    "quiet_after_weeks",
)


def scheme_save(
    *,
    by: User,
    scheme: PairingScheme | None = None,
    trust=None,
    facilitators: Iterable[User] | None = None,
    **fields,
) -> PairingScheme:
    """Create (``trust`` given) or change a trust's pairing scheme, and its facilitators."""
    unknown = set(fields) - set(SCHEME_FIELDS)
    if unknown:
        raise ValueError(f"Unknown scheme fields: {sorted(unknown)}")
    from people.permissions import administered_trust_ids

    if scheme is None:
        if trust is None or not (by.is_superuser or trust.pk in administered_trust_ids(by)):
            raise PairingRefused("Only the trust's programme administrators run its schemes.")
        scheme = PairingScheme(trust=trust)
    elif not schemes_administered_by(by).filter(pk=scheme.pk).exists():
        raise PairingRefused("Only the trust's programme administrators run its schemes.")
    for name, value in fields.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    with transaction.atomic():
        scheme.save()
        if facilitators is not None:
            # Choosable: people with the facilitator role whom ``by`` sees (as for cohorts).
            # Facilitators already on the scheme whom ``by`` cannot choose (added by a
            # superuser from another trust) are kept: a form that cannot list them cannot
            # have meant to remove them.
            candidates = set(facilitator_candidates(by).values_list("pk", flat=True))
            current = set(
                SchemeFacilitator.objects.filter(scheme=scheme).values_list("person_id", flat=True)
            )
            chosen = {p.pk for p in facilitators}
            if chosen - candidates - current:
                raise PairingRefused(
                    "Choose facilitators from the list: people with the facilitator role at "
                    "your trust."
                )
            wanted = chosen | (current - candidates)
            SchemeFacilitator.objects.filter(scheme=scheme).exclude(person_id__in=wanted).delete()
            have = set(
                SchemeFacilitator.objects.filter(scheme=scheme).values_list("person_id", flat=True)
            )
            SchemeFacilitator.objects.bulk_create(
                [SchemeFacilitator(scheme=scheme, person_id=pk) for pk in sorted(wanted - have)]
            )
    return scheme


def scheme_join(*, scheme: PairingScheme, person: User, by: User | None = None) -> SchemeMember:
    """``person`` joins the scheme (``by``: an administrator adding them, even to a scheme
    closed to joining)."""
    if person.trust_id != scheme.trust_id:
        raise PairingRefused("This scheme is for the staff of another trust.")
    adding = by is not None and by.pk != person.pk
    if adding and not schemes_administered_by(by).filter(pk=scheme.pk).exists():
        raise PairingRefused("Only the trust's programme administrators add people to it.")
    if scheme.ends_on and scheme.ends_on < timezone.localdate():
        raise PairingRefused("This scheme has ended.")
    if not scheme.is_open and not adding:
        raise PairingRefused("This scheme is not taking new members.")
    if not person.professional_group:
        raise PairingRefused(
            "Say your professional group on your profile first: pairs are one clinician and "
            "one manager."
        )
    member, _ = SchemeMember.objects.get_or_create(scheme=scheme, person=person)
    return member


def scheme_leave(*, scheme: PairingScheme, person: User) -> None:
    """Leave a scheme. A live pairing in it must be ended by an administrator first, so a
    partner is never left paired with someone who has gone."""
    if Pairing.objects.live().filter(scheme=scheme).of(person).exists():
        raise PairingRefused(
            "You are paired in this scheme: ask the scheme's administrator to end the pairing "
            "first."
        )
    SchemeMember.objects.filter(scheme=scheme, person=person).delete()


__all__ = [
    "LIVE_PAIRING",
    "PairingRefused",
    "agreement_update",
    "check_pair",
    "do_not_pair_add",
    "group_member_ids",
    "kept_apart",
    "pairing_confirm",
    "pairing_create",
    "pairing_end",
    "pairing_from_application",
    "pairings_create_many",
    "profile_update",
    "scheme_join",
    "scheme_leave",
    "scheme_save",
    "sponsor_emails",
]
