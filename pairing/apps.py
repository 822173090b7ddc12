from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "Pairing, shadowing and improvement projects"

    def ready(self):
        from . import (
            # Who sees pairings, visits, meetings and projects (people.permissions).
            permissions,  # noqa: F401
            # Pairs who applied together start as proposed pairs; confirmed shadowing hours
            # count toward completion (programmes' hooks).
            receivers,  # noqa: F401
        )
