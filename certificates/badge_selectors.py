"""Reads for the machine-verification endpoints (certificates/badge_views.py).

Public by design — a certificate's code is its holder's to share, and these answer only for
an exact code — so nothing here is scoped through people.permissions; what is shown is
limited instead by what the credential builder puts in it (no email, no registration
number, the name hashed)."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from cms.models import ModulePage
from people.models import Trust

from .models import Certificate, CertificateStatus


def certificate_for_badge(code: str) -> Certificate | None:
    """The certificate with this stored-form code and what its credential is built from, in
    two queries: the certificate with its enrolment, cohort, programme and host trust; the
    programme's required modules (for the criteria)."""
    return (
        Certificate.objects.select_related(
            "enrolment__cohort__programme", "enrolment__cohort__host_trust"
        )
        .prefetch_related(
            Prefetch(
                "enrolment__cohort__programme__required_modules",
                queryset=ModulePage.objects.only("id", "title").order_by("path"),
            )
        )
        .filter(code=code)
        .first()
    )


def was_issued(certificate: Certificate) -> bool:
    """Whether the certificate ever became valid: it has its file's hash. A pending one (its
    PDF still being made), or one revoked before it was ever rendered, has no credential."""
    return bool(certificate.sha256)


def trust_by_ods_code(ods_code: str) -> Trust | None:
    return Trust.objects.filter(ods_code=ods_code.upper()).first()


def no_longer_valid(trust: Trust) -> list[tuple[str, str]]:
    """(code, status) of the trust's issued certificates that are revoked or superseded,
    oldest first: one query."""
    return list(
        Certificate.objects.filter(
            enrolment__cohort__host_trust=trust,
            status__in=(CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED),
        )
        .filter(~Q(sha256=""))
        .order_by("created_at", "pk")
        .values_list("code", "status")
    )
