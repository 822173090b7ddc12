from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People and trusts"

    def ready(self):
        from .wagtail_logs import scope_model_log_entries

        # Wagtail's history of changes obeys the same visibility rules as everything else.
        scope_model_log_entries()
