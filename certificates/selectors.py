"""Reads of certificates (issue 13).

``certificate_by_code`` is what the public verification page (/verify/<code>/) looks up: the
certificate under a code, and — when it was superseded by a re-issue — the certificate that
stands now, found by following ``superseded_by`` to its end. One query for a certificate that
was never re-issued, two for one that was, however many times: a re-issue is made for the same
enrolment, so the whole chain is that enrolment's certificates, read at once.
"""

from __future__ import annotations

from .models import Certificate, CertificateStatus


def certificate_by_code(code: str | None) -> Certificate | None:
    """The certificate under ``code`` (stored form: ``codes.normalise`` of what was typed),
    or None. Its ``current`` attribute is the certificate that replaced it at the end of its
    chain of re-issues (None unless it was superseded)."""
    if not code:
        return None
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        return None
    certificate.current = None
    if certificate.status == CertificateStatus.SUPERSEDED and certificate.superseded_by_id:
        chain = {c.pk: c for c in Certificate.objects.filter(enrolment_id=certificate.enrolment_id)}
        certificate.current = follow_reissues(certificate, chain)
    return certificate


def follow_reissues(certificate: Certificate, by_pk: dict[int, Certificate]) -> Certificate:
    """The certificate at the end of ``certificate``'s chain of re-issues, among ``by_pk``
    (its enrolment's certificates: a re-issue is made for the same enrolment). Itself when
    nothing replaced it."""
    here, seen = certificate, set()
    while here.superseded_by_id in by_pk and here.pk not in seen:
        seen.add(here.pk)
        here = by_pk[here.superseded_by_id]
    return here
