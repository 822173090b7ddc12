"""The holder's own certificates, as My learning and /learn/certificates/ show them (a
selector: reads only)."""

from __future__ import annotations

from dataclasses import dataclass

from people.permissions import visible

from .models import Certificate, CertificateStatus


@dataclass(frozen=True)
class Held:
    """One of the holder's certificates as My learning shows it: a superseded one names the
    certificate that replaced it (followed to the current one, however many re-issues)."""

    certificate: Certificate
    current: Certificate | None = None

    @property
    def verify_path(self) -> str:
        # PRODUCT.md §4's stable address (the same as certificates.tasks.verify_url's).
        return f"/verify/{self.certificate.printed_code}/"

    @property
    def downloadable(self) -> bool:
        return self.certificate.status == CertificateStatus.VALID and bool(self.certificate.pdf)


def certificates_held_by(user) -> list[Held]:
    """The person's own certificates, newest first, in one query (through
    people.permissions, narrowed to their own: staff see others' certificates elsewhere)."""
    if user is None or not user.is_authenticated:
        return []
    mine = list(visible(user, Certificate).filter(enrolment__person_id=user.pk))
    by_pk = {certificate.pk: certificate for certificate in mine}
    held = []
    for certificate in mine:
        current = None
        if certificate.status == CertificateStatus.SUPERSEDED:
            current, seen = certificate, set()
            while current.superseded_by_id in by_pk and current.pk not in seen:
                seen.add(current.pk)
                current = by_pk[current.superseded_by_id]
            current = current if current is not certificate else None
        held.append(Held(certificate=certificate, current=current))
    return held
