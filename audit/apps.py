from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from . import signals  # noqa: F401  (records sign-ins, failures and sign-outs)
        from .spreadsheet_exports import defuse_wagtail_spreadsheet_exports

        # Every CSV/XLSX that leaves the system neutralises formulas, Wagtail's own included.
        defuse_wagtail_spreadsheet_exports()
