from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        # A completed enrolment's certificate is issued on programmes' event.
        from . import receivers  # noqa: F401
