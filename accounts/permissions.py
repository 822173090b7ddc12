"""Who may see and send invitations: registered with the one permissions module."""

from django.db.models import QuerySet

from people.access import AccessRole
from people.models import Trust
from people.permissions import administered_trust_ids, register_scope

from .models import Invitation


def may_invite(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(AccessRole.PROGRAMME_ADMINISTRATOR))
    )


def inviting_trusts(user) -> QuerySet:
    """The trusts `user` may invite people into: those they administer (all for superusers)."""
    if not may_invite(user):
        return Trust.objects.none()
    if user.is_superuser:
        return Trust.objects.all()
    return Trust.objects.filter(pk__in=administered_trust_ids(user))


def invitations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Invitation.objects.all() if queryset is None else queryset
    return queryset.filter(trust__in=inviting_trusts(user))


register_scope(Invitation, invitations_visible_to)
