"""Personal data sources: how each app tells privacy what it holds about a person.

privacy never imports the apps whose data it exports or erases. Instead each app that holds
personal data adds a ``personal_data.py`` module, found at start-up by
``autodiscover_modules("personal_data")`` (privacy.apps), which registers one source per kind
of data::

    # programmes/personal_data.py  (the CMS/programmes engineer's module progress, say)
    from privacy.registry import register_source

    from .models import ModuleProgress, Reflection


    def export_progress(person) -> list[dict]:
        return [
            {"module": p.module.title, "completed_on": p.completed_on}
            for p in ModuleProgress.objects.filter(person=person).select_related("module")
        ]


    def erase_reflections(person, *, by, reason) -> None:
        # Free text is deleted outright; counts that reports use are kept.
        Reflection.objects.filter(person=person).delete()


    register_source("module_progress", label="Modules you worked through",
                    exporter=export_progress, eraser=None)
    register_source("reflections", label="Your reflections",
                    exporter=export_reflections, eraser=erase_reflections)

Rules for a source:

- ``name`` is unique and becomes the file names in the archive (``<name>.json``/``.csv``).
- ``exporter(person)`` returns a list of flat, JSON-able dicts: what the person would
  recognise as theirs. Never password hashes, tokens or other people's personal data.
- ``eraser(person, *, by, reason)`` runs inside person_erase's transaction (``by`` is the
  acting user, or None for the retention policy). It deletes free text the person wrote and
  pseudonymises what identifies them, but keeps what aggregate reports count (dates,
  categories, trust, professional group), so figures do not change. It must be idempotent:
  erasing twice is harmless. ``None`` means there is nothing to erase (say why in a comment).
- Certificates, when they exist, register an eraser that revokes each certificate with reason
  "erased" (through the certificates service, so verification then answers "revoked").
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Exporter = Callable[[Any], list[dict]]
Eraser = Callable[..., None]


@dataclass(frozen=True)
class PersonalDataSource:
    name: str
    label: str
    exporter: Exporter
    eraser: Eraser | None = None


_sources: dict[str, PersonalDataSource] = {}


def register_source(
    name: str, *, label: str, exporter: Exporter, eraser: Eraser | None = None
) -> PersonalDataSource:
    if not name.replace("_", "").isalnum():
        raise ImproperlyConfigured(
            f"Personal data source name {name!r}: use letters, digits and underscores only "
            "(it becomes a file name in the archive)."
        )
    if name in _sources:
        raise ImproperlyConfigured(f"Personal data source {name!r} is registered twice.")
    source = PersonalDataSource(name=name, label=label, exporter=exporter, eraser=eraser)
    _sources[name] = source
    return source


def unregister_source(name: str) -> None:
    """For tests that register a temporary source."""
    _sources.pop(name, None)


def sources() -> list[PersonalDataSource]:
    """Every registered source, in registration order (the order of INSTALLED_APPS)."""
    return list(_sources.values())
