from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes: self-assessment and follow-up surveys"

    def ready(self):
        # Completions make the follow-up surveys due (receivers, on programmes' event); who
        # sees a self-assessment or a survey is declared in people.permissions.
        from . import permissions, receivers  # noqa: F401
