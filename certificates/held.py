"""The holder's own certificates, as My learning and /learn/certificates/ show them (a
selector: reads only)."""

from __future__ import annotations

from dataclasses import dataclass

from people.permissions import visible

from . import codes
from .models import Certificate, CertificateStatus
from .selectors import follow_reissues


@dataclass(frozen=True)
class Held:
    """One of the holder's certificates as My learning shows it: a superseded one names the
    certificate that replaced it (followed to the current one, however many re-issues)."""

    certificate: Certificate
    current: Certificate | None = None

    @property
    def verify_path(self) -> str:
        return codes.verify_path(self.certificate.code)

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
            current = follow_reissues(certificate, by_pk)
            current = current if current is not certificate else None
        held.append(Held(certificate=certificate, current=current))
    return held
