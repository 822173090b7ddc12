from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The token's subject-access source and visibility rule (found at start-up).
        from allauth.account.signals import password_reset

        from . import permissions, personal_data, schema  # noqa: F401
        from .services import api_tokens_revoke_all

        def revoke_on_reset(sender, request, user, **kwargs):
            api_tokens_revoke_all(owner=user, reason="password reset", request=request)

        password_reset.connect(revoke_on_reset, weak=False, dispatch_uid="api.revoke_on_reset")
