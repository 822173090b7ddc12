from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"

    def ready(self):
        from programmes.services.completion import register_module_progress

        from . import (
            permissions,  # noqa: F401  (progress and reflections are their owner's alone)
            sites,  # noqa: F401  (forgets remembered sites when one changes)
        )
        from .selectors import modules_completed_by_people

        # A programme's completion rules count modules marked complete (programmes never
        # imports cms: it is handed the reader here).
        register_module_progress(modules_completed_by_people)
