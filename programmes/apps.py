from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes, cohorts and enrolment"

    def ready(self):
        # Visibility and change rules for cohorts and enrolments, and the people they let
        # host-trust administrators and facilitators see (people.permissions).
        from . import permissions  # noqa: F401
