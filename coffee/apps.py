from django.apps import AppConfig


class CoffeeConfig(AppConfig):
    name = "coffee"
    verbose_name = "Tandem coffee"

    def ready(self):
        # Who sees and changes schemes, spaces, rounds and matches (people.permissions).
        from . import permissions  # noqa: F401
