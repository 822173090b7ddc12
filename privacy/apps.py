from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy and subject rights"

    def ready(self):
        # Each app declares its own personal data and retention policies in these modules
        # (see privacy.registry and privacy.retention); privacy imports none of them.
        autodiscover_modules("personal_data")
        autodiscover_modules("retention_policies")
        from . import permissions  # noqa: F401  (a data copy is its owner's alone)
