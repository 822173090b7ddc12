"""Who may erase whom."""

from django.db.models import QuerySet

from people.access import AccessRole, sees_others
from people.permissions import may_change, register_scope

from .models import SubjectAccessRequest


def own_requests(user, queryset: QuerySet) -> QuerySet:
    """A copy of someone's data is for them alone: not even a superuser downloads it."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(person_id=user.pk)


register_scope(SubjectAccessRequest, own_requests)


def holds_privileged_role(person) -> bool:
    """Accounts only a superuser may erase: anyone who administers, reports on or facilitates
    others (people.access.sees_others)."""
    return sees_others(person)


def may_erase(user, person) -> bool:
    """Superusers may erase anyone but themselves. A programme administrator may erase the
    people of their own trust (people.permissions decides who that is) who hold no staff
    role: erasing a colleague with privileges is a superuser's decision. Whom they may see
    through another role (a reporting lead's trust) is not theirs to erase. Nobody erases
    their own account here (that would lock them out mid-request)."""
    if not user.is_authenticated or not user.is_active or user.pk == person.pk:
        return False
    if user.is_superuser:
        return True
    if not user.has_role(AccessRole.PROGRAMME_ADMINISTRATOR):
        return False
    if holds_privileged_role(person):
        return False
    return may_change(user, person)


def may_erase_anyone(user) -> bool:
    """Whether to offer the erase action at all (each person is still checked)."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(AccessRole.PROGRAMME_ADMINISTRATOR)
    )
