from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Tandem core"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            sites,  # noqa: F401  (forgets remembered sites when one changes)
        )
        from .ids import bound_integer_urls, guard_integer_in_lookups

        bound_integer_urls()  # an <int:> beyond any database id is a 404, not a crash
        guard_integer_in_lookups()  # pk__in=[a number beyond any id] matches nothing
