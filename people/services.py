"""Writes to people and their access. Keyword-only, one transaction each, invariants checked
here or in the model — never only in a form — and announced (people.events) so the audit log
records them. Forms, admin views, imports and tasks all call these.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from . import events
from .models import User


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
        roles=frozenset(person.groups.values_list("name", flat=True)),
        email=person.email,
        password=person.password,
    )


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


def access_role_add(*, person: User, role: Group, by, request=None, via: str = "") -> bool:
    """Give `person` an access role (superusers only). Returns whether anything changed."""
    _require_superuser(by, "grant access roles")
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        before = privileges_of(person)
        person.groups.add(role)
        return bool(
            privileges_announce(person=person, before=before, by=by, request=request, via=via)
        )
