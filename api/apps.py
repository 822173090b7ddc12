from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The token's subject-access source and visibility rule (found at start-up), and the
        # revocation of a person's tokens when their password is reset.
        from . import permissions, personal_data, schema, signals  # noqa: F401
