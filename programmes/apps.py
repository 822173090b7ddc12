from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes, cohorts and enrolment"

    def ready(self):
        from . import (
            # Visibility and change rules for cohorts and enrolments, and the people they let
            # host-trust administrators and facilitators see (people.permissions).
            permissions,  # noqa: F401
            # People with an enrolment under way keep their accounts (privacy's retention).
            retention,  # noqa: F401
        )
