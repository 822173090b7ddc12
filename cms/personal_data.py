"""What the CMS holds about a person: module completions and private reflections.

Found by privacy's autodiscovery (privacy.registry). Reflections are free text and are deleted
on erasure; completion marks are kept, since programme completion and reports count them and
they identify nobody once the account is pseudonymised.
"""

from django.utils import timezone

from privacy.registry import register_source

from .models import ModuleProgress, ModuleReflection


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def export_progress(person) -> list[dict]:
    marks = ModuleProgress.objects.filter(person=person).select_related("module")
    return [
        {
            "module": mark.module.title if mark.module else mark.module_title,
            "completed_at": _local(mark.completed_at),
        }
        for mark in marks.order_by("completed_at")
    ]


def export_reflections(person) -> list[dict]:
    reflections = ModuleReflection.objects.filter(person=person).select_related("module")
    return [
        {
            "module": reflection.module.title if reflection.module else reflection.module_title,
            "written_at": _local(reflection.created_at),
            "text": reflection.text,
        }
        for reflection in reflections.order_by("created_at")
    ]


def erase_reflections(person, *, by, reason) -> None:
    ModuleReflection.objects.filter(person=person).delete()


register_source("module_progress", label="Modules you completed", exporter=export_progress)
register_source(
    "reflections", label="Your reflections", exporter=export_reflections, eraser=erase_reflections
)
