"""A learner's progress and reflections are theirs alone: the rule, registered with the one
permissions module (people.permissions), that every view and service reading them uses."""

from django.db.models import QuerySet

from people.permissions import register_scope

from .models import ModuleProgress, ModuleReflection


def owned_by(user, queryset: QuerySet) -> QuerySet:
    if not (user is not None and user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(person_id=user.pk)


register_scope(ModuleProgress, owned_by)
register_scope(ModuleReflection, owned_by)
