from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Tandem core"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            csp,
            wagtail_fixes,
        )
        from .ids import bound_integer_urls, guard_integer_in_lookups

        wagtail_fixes.patch_url_or_absolute_path_field()
        csp.patch_chooser_scripts()  # Wagtail's chooser widgets' scripts carry the nonce
        bound_integer_urls()  # an <int:> beyond any database id is a 404, not a crash
        guard_integer_in_lookups()  # pk__in=[a number beyond any id] matches nothing
