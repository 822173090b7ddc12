from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Content"

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (progress and reflections are their owner's alone)
            sites,  # noqa: F401  (forgets remembered sites when one changes)
        )
