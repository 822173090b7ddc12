"""Reads of certificates (issue 13).

``certificate_by_code`` is what the public verification page (/verify/<code>/) looks up: the
certificate under a code, and — when it was superseded by a re-issue — the certificate that
stands now, found by following ``superseded_by`` to its end. One query for a certificate that
was never re-issued, two for one that was, however many times: a re-issue is made for the same
enrolment, so the whole chain is that enrolment's certificates, read at once.
"""

from __future__ import annotations

from .models import Certificate, CertificateStatus

# A chain longer than this is not one a person made by re-issuing; stop rather than loop.
MAX_REISSUES = 50


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
        certificate.current = _end_of_chain(certificate)
    return certificate


def _end_of_chain(certificate: Certificate) -> Certificate | None:
    chain = {c.pk: c for c in Certificate.objects.filter(enrolment_id=certificate.enrolment_id)}
    here = certificate
    for _ in range(MAX_REISSUES):
        if here.superseded_by_id is None:
            return here
        following = chain.get(here.superseded_by_id)
        if following is None:
            # A successor outside the enrolment (not something a re-issue makes): read it
            # on its own, so the link is still right.
            following = Certificate.objects.filter(pk=here.superseded_by_id).first()
            if following is None:
                return here
            chain[following.pk] = following
        here = following
    return here
