"""Writes to people and their access. Keyword-only, one transaction each, invariants checked
here or in the model — never only in a form — and announced (people.events) so the audit log
records them. Forms, admin views, imports and tasks all call these.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import events
from .access import AccessRole, has_staff_access, sees_others
from .models import AccessGrant, Region, RoleAppointment, RoleSource, Trust, User
from .permissions import administered_trust_ids, assignable_trusts, may_change


def is_active_superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


# --- privileges: what lets a person act on others, and its audit ------------------------------


@dataclass(frozen=True)
class Privileges:
    """What, if changed on someone else's account, could hand it to another person or widen
    what it may do: the audit log records every change of these."""

    superuser: bool
    staff: bool
    active: bool
    roles: frozenset[str]
    email: str
    password: str  # the hash: compared, never recorded


def privileges_of(person: User) -> Privileges:
    return Privileges(
        superuser=person.is_superuser,
        staff=person.is_staff,
        active=person.is_active,
        roles=frozenset(person.groups.values_list("name", flat=True))
        | frozenset(f"{role} of {scope}" for role, scope in _scoped_grant_labels(person)),
        email=person.email,
        password=person.password,
    )


def _scoped_grant_labels(person) -> list[tuple[str, str]]:
    """(role, scope) for each grant with a scope, so that a grant moving from one trust to
    another shows in the audit even though the group membership stays the same."""
    return [
        (grant.role, grant.trust.ods_code if grant.trust_id else grant.region.code)
        for grant in AccessGrant.objects.filter(person=person)
        .exclude(trust__isnull=True, region__isnull=True)
        .select_related("trust", "region")
    ]


def privilege_changes(before: Privileges | None, after: Privileges) -> dict:
    """A JSON-able description of what changed (names of things, never the values of
    credentials). `before` is None for a new account."""
    changes: dict = {}
    old_roles = before.roles if before is not None else frozenset()
    if added := sorted(after.roles - old_roles):
        changes["roles_added"] = added
    if removed := sorted(old_roles - after.roles):
        changes["roles_removed"] = removed
    old_superuser = before.superuser if before is not None else False
    if old_superuser != after.superuser:
        changes["superuser"] = "granted" if after.superuser else "removed"
    old_staff = before.staff if before is not None else False
    if old_staff != after.staff:
        changes["staff"] = "granted" if after.staff else "removed"
    if before is not None:
        if before.active != after.active:
            changes["active"] = "activated" if after.active else "deactivated"
        credentials = [
            name
            for name, changed in (
                ("email", before.email != after.email),
                ("password", before.password != after.password),
            )
            if changed
        ]
        if credentials:
            changes["changed"] = credentials
    return changes


def privileges_announce(
    *, person: User, before: Privileges | None, by, request=None, via: str
) -> dict:
    """Record (audit) what changed in `person`'s privileges since `before`, if anything.
    Call inside the transaction that made the change. Returns the changes."""
    changes = privilege_changes(before, privileges_of(person))
    if changes:
        events.announce(
            "access_changed",
            actor=by,
            request=request,
            target=person,
            detail={**changes, "via": via},
        )
    return changes


def _require_superuser(by, what: str) -> None:
    if not is_active_superuser(by):
        raise PermissionDenied(f"Only a superuser may {what}.")


# --- accounts ------------------------------------------------------------------------------


def person_set_active(*, person: User, active: bool, by, request=None, via: str = "") -> bool:
    """Activate or deactivate an account (superusers only; never one's own deactivation).
    Deactivating ends the person's sessions at once (accounts.signals). Returns whether
    anything changed."""
    _require_superuser(by, "activate or deactivate accounts")
    if person.pk == by.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if person.is_active == active:
            return False
        before = privileges_of(person)
        person.is_active = active
        person.save(update_fields=["is_active"])
        privileges_announce(person=person, before=before, by=by, request=request, via=via)
    return True


def person_delete(*, person: User, by, request=None) -> None:
    """Delete an account (superusers only; never one's own). Erasure (privacy) is what a
    trust normally wants: it keeps the counts reports rely on."""
    _require_superuser(by, "delete accounts")
    if person.pk == by.pk:
        raise ValidationError("You cannot delete your own account.")
    with transaction.atomic():
        events.announce("deleted", actor=by, request=request, target=person)
        person.delete()


# --- access grants ---------------------------------------------------------------------------

# What a trust's programme administrator may grant to the people of their trust; every other
# access role is a superuser's to grant.
GRANTABLE_BY_TRUST_ADMINISTRATORS = frozenset({AccessRole.FACILITATOR, AccessRole.PARTICIPANT})


def may_grant(by, *, person: User, role: str) -> bool:
    """Whether `by` may grant or revoke `role` for `person`. `by` None is the system (seed
    data, migrations, management commands); views always pass the requesting user."""
    if by is None or is_active_superuser(by):
        return True
    if not (by.is_authenticated and by.is_active) or by.pk == person.pk:
        return False
    if role not in GRANTABLE_BY_TRUST_ADMINISTRATORS or has_staff_access(person):
        return False  # staff roles, and staff colleagues, are a superuser's decision
    return person.trust_id in administered_trust_ids(by)


def _sync_role_group(person: User, role: str) -> None:
    """The role's Django group carries its permissions: a member while any grant of it lasts."""
    group, _ = Group.objects.get_or_create(name=role)
    if AccessGrant.objects.filter(person=person, role=role).exists():
        person.groups.add(group)
    else:
        person.groups.remove(group)
    person.forget_grants()


def access_grant_create(
    *,
    person: User,
    role: str,
    trust: Trust | None = None,
    region: Region | None = None,
    by,
    request=None,
    via: str = "",
) -> AccessGrant:
    """Grant `person` an access role for its scope (a trust, a region, or none). Refuses what
    `by` may not grant, a scope that does not fit the role, and a grant held already."""
    role = AccessRole(role)
    if not may_grant(by, person=person, role=role):
        raise PermissionDenied(f"You may not grant the {role.label} role to this person.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        before = privileges_of(locked)
        grant = AccessGrant(person=locked, role=role, trust=trust, region=region, granted_by=by)
        grant.full_clean()  # the scope check and uniqueness, as messages a person can act on
        grant.save()
        _sync_role_group(locked, role)
        privileges_announce(person=locked, before=before, by=by, request=request, via=via)
    person.forget_grants()
    return grant


def access_grant_revoke(*, grant: AccessGrant, by, request=None, via: str = "") -> None:
    if not may_grant(by, person=grant.person, role=grant.role):
        raise PermissionDenied(f"You may not revoke the {grant.get_role_display()} role.")
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=grant.person_id)
        before = privileges_of(person)
        AccessGrant.objects.filter(pk=grant.pk).delete()
        _sync_role_group(person, grant.role)
        privileges_announce(person=person, before=before, by=by, request=request, via=via)
    grant.person.forget_grants()


def access_role_add(*, person: User, role: Group, by, request=None, via: str = "") -> bool:
    """Wagtail's "assign role" bulk action: a group, given to a person (superusers only).
    An access role's group becomes a grant (one with a scope must be granted with it, under
    People and trusts → Access roles); any other group is a plain membership. Returns
    whether anything changed."""
    _require_superuser(by, "grant access roles")
    if role.name in AccessRole.values:
        if AccessGrant.objects.filter(person=person, role=role.name).exists():
            return False
        access_grant_create(person=person, role=role.name, by=by, request=request, via=via)
        return True
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        before = privileges_of(person)
        person.groups.add(role)
        changes = privileges_announce(person=person, before=before, by=by, request=request, via=via)
    return bool(changes)


# --- people ----------------------------------------------------------------------------------


def _require_changeable(by, person: User, *, creating: bool) -> None:
    """The same rule as the admin's forms and views (people.permissions.changeable), checked
    again here so that no caller can skip it: `by` may change this person as they are
    stored, and may put them in the trust they are given."""
    if by is None or is_active_superuser(by):
        return  # the system (seed data, commands), or a superuser
    stored = None if creating else User.objects.get(pk=person.pk)
    if stored is not None and not may_change(by, stored):
        raise PermissionDenied("You may not change this person.")
    if stored is not None and stored.pk != by.pk and sees_others(stored):
        raise PermissionDenied("Changing a colleague with a staff role is a superuser's decision.")
    moving = stored is None or stored.trust_id != person.trust_id
    if moving and not assignable_trusts(by, User).filter(pk=person.trust_id).exists():
        raise ValidationError({"trust": "You may add people only to a trust you administer."})


def person_save(*, person: User, by, request=None, changed: list[str] | None = None) -> User:
    """Save a person created or changed by `by` (a form has set the fields): the model's
    invariants are checked in full, and the change is audited with the names of the fields
    that changed (never their values)."""
    creating = person.pk is None
    _require_changeable(by, person, creating=creating)
    if creating and not person.password:
        # Added by an administrator: the person sets a password through an invitation or a
        # reset, so the account has none that could be guessed or used meanwhile.
        person.set_unusable_password()
    person.full_clean()
    with transaction.atomic():
        before = None if creating else privileges_of(User.objects.get(pk=person.pk))
        person.save()
        events.announce(
            "created" if creating else "changed",
            actor=by,
            request=request,
            target=person,
            detail=None if creating else {"fields": sorted(changed or [])},
        )
        if not creating:
            privileges_announce(
                person=person, before=before, by=by, request=request, via="people admin"
            )
    return person


# --- role history ----------------------------------------------------------------------------


def role_appointment_create(
    *,
    person: User,
    title: str,
    category: str,
    starts_on: date,
    ends_on: date | None = None,
    source: str,
    recorded_by=None,
    trust: Trust | None = None,
    request=None,
) -> RoleAppointment:
    """Record a role in a person's history. The trust and professional group are copied from
    the person as they are now (reports group by them as they were), unless a trust is given
    (an HR extract's). Who recorded it is kept; the source says how it came. Someone
    recording another person's role must be allowed to change that person
    (people.permissions.changeable); anyone may record their own."""
    recorder = recorded_by if getattr(recorded_by, "is_authenticated", False) else None
    if not _may_record_for(recorder, person):
        raise PermissionDenied("You may not record roles for this person.")
    _check_not_started_end(starts_on=starts_on, ends_on=ends_on)
    appointment = RoleAppointment(
        person=person,
        trust=trust if trust is not None else person.trust,
        professional_group=person.professional_group,
        title=(title or "").strip(),
        category=category,
        starts_on=starts_on,
        ends_on=ends_on,
        source=RoleSource(source),
        recorded_by=recorder,
        recorded_at=timezone.now(),
    )
    appointment.full_clean()
    with transaction.atomic():
        appointment.save()
        events.announce(
            "created", actor=recorded_by, request=request, target=appointment, subject=person
        )
    return appointment


def _may_record_for(recorder, person) -> bool:
    """Anyone records their own roles; another person's are their trust administrator's (or
    a superuser's) to record (people.permissions.changeable)."""
    if recorder is None:
        return True  # the system: seed data, commands
    return recorder.pk == person.pk or is_active_superuser(recorder) or may_change(recorder, person)


def _check_not_started_end(*, starts_on: date | None, ends_on: date | None) -> None:
    """A role that has not started cannot have ended: an end date belongs on a role already
    held. (The model checks that a role does not end before it starts.)"""
    if starts_on and ends_on and starts_on > timezone.localdate():
        raise ValidationError(
            {"ends_on": "This role has not started yet, so it cannot have an end date."}
        )


def role_appointment_end(
    *, appointment: RoleAppointment, ends_on: date, by, request=None
) -> RoleAppointment:
    """End a role that is still held: give it the date it ended (or will end). Refused for a
    role that has already ended (correct it instead), one not yet started, or an end date
    before its start."""
    if not _may_record_for(by, appointment.person):
        raise PermissionDenied("You may not change this person's roles.")
    if ends_on is None:
        raise ValidationError({"ends_on": "Enter the date the role ended."})
    with transaction.atomic():
        # Under its row lock, so two ends at once do not both pass the "still held" check.
        stored = RoleAppointment.objects.select_for_update().get(pk=appointment.pk)
        if stored.ends_on is not None:
            raise ValidationError(
                {"ends_on": f"This role already ended on {stored.ends_on:%-d %B %Y}."}
            )
        _check_not_started_end(starts_on=stored.starts_on, ends_on=ends_on)
        stored.ends_on = ends_on
        stored.full_clean()
        stored.save(update_fields=["ends_on"])
        events.announce(
            "changed",
            actor=by,
            request=request,
            target=stored,
            subject=stored.person,
            detail={"fields": ["ends_on"]},
        )
    appointment.ends_on = stored.ends_on
    return stored


ROLE_CORRECTABLE_FIELDS = ("title", "category", "starts_on", "ends_on")


def role_appointment_correct(
    *, appointment: RoleAppointment, by, request=None, **changes
) -> RoleAppointment:
    """Correct a recorded role: any of its title, category, start and end (an administrator's
    fix, or a person's of their own). The trust, group, source and recorder stay as recorded.
    Audited with the names of the fields that changed, never their values."""
    unknown = set(changes) - set(ROLE_CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not correctable: {', '.join(sorted(unknown))}")
    if not _may_record_for(by, appointment.person):
        raise PermissionDenied("You may not change this person's roles.")
    with transaction.atomic():
        stored = RoleAppointment.objects.select_for_update().get(pk=appointment.pk)
        if "title" in changes:
            changes["title"] = (changes["title"] or "").strip()
        changed = sorted(name for name, value in changes.items() if getattr(stored, name) != value)
        for name in changed:
            setattr(stored, name, changes[name])
        _check_not_started_end(starts_on=stored.starts_on, ends_on=stored.ends_on)
        stored.full_clean()
        if changed:
            stored.save(update_fields=changed)
            events.announce(
                "changed",
                actor=by,
                request=request,
                target=stored,
                subject=stored.person,
                detail={"fields": changed},
            )
    return stored
