from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self):
        from . import (
            permissions,  # noqa: F401  (who sees invitations: people.permissions' registry)
            signals,  # noqa: F401  (ends a deactivated person's sessions)
        )
