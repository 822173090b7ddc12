from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .lockout import forget_failures_of

        user_logged_in.connect(forget_failures_of, dispatch_uid="accounts.forget_failures_of")

        from . import (
            permissions,  # noqa: F401  (who sees invitations: people.permissions' registry)
            signals,  # noqa: F401  (ends a deactivated person's sessions)
        )
