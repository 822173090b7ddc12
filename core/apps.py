from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Tandem core"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            wagtail_fixes,
        )

        wagtail_fixes.patch_url_or_absolute_path_field()
