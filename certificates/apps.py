from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        # A completed enrolment's certificate is issued on programmes' event; who may see
        # and download certificates is declared in people.permissions.
        from . import permissions, receivers  # noqa: F401
