"""Writes to a learner's own progress. Each function takes the acting person and touches
only that person's rows; views, and later the API, call these rather than the ORM."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.models import ModulePage, ModuleProgress, ModuleReflection
from people.permissions import visible
from programmes.services.completion import completion_inputs_changed


def _progress_changed(person, module: ModulePage) -> None:
    """A programme's completion rules may count this module: re-evaluate the person's
    enrolments in that programme (queued through the outbox, after this commits)."""
    parent = module.get_parent()
    completion_inputs_changed(person_id=person.pk, programme_page_id=parent.pk if parent else None)


@transaction.atomic
def module_progress_mark_complete(*, person, module: ModulePage) -> ModuleProgress:
    """Mark ``module`` complete for ``person``. Idempotent: marking twice keeps the first
    completion time (a double-click or a resubmitted form changes nothing)."""
    existing = ModuleProgress.objects.filter(person=person, module=module).first()
    if existing is not None:
        return existing
    try:
        # A savepoint, so a concurrent duplicate (the unique constraint) can be recovered from.
        with transaction.atomic():
            progress = ModuleProgress.objects.create(
                person=person, module=module, completed_at=timezone.now()
            )
        _progress_changed(person, module)
        return progress
    except IntegrityError:
        return ModuleProgress.objects.get(person=person, module=module)


@transaction.atomic
def module_progress_clear(*, person, module: ModulePage) -> bool:
    """Unmark ``module`` for ``person``; True if there was a mark to remove."""
    deleted, _ = ModuleProgress.objects.filter(person=person, module=module).delete()
    if deleted:
        _progress_changed(person, module)
    return bool(deleted)


@transaction.atomic
def module_reflection_add(*, person, module: ModulePage, text: str) -> ModuleReflection:
    reflection = ModuleReflection(person=person, module=module, text=text.strip())
    reflection.full_clean()
    reflection.save()
    return reflection


@transaction.atomic
def module_reflection_delete(*, person, reflection_id: int) -> ModuleReflection:
    """Delete one of ``person``'s own reflections. Someone else's raises DoesNotExist, exactly
    as a reflection that does not exist would, so ids reveal nothing."""
    reflection = visible(person, ModuleReflection).select_for_update().get(pk=reflection_id)
    reflection.delete()
    return reflection
