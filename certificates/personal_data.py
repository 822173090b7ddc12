"""What certificates holds about a person, for subject access and erasure (privacy.registry).

Erasure revokes their certificates with a neutral reason (nothing about why they left) and
blanks the name printed on each record, so /verify/ then says the certificate was revoked and
shows no name; the code, dates and programme stay, so a verifier holding a copy is told the
truth about it.
"""

from django.db.models import Q
from django.utils import timezone

from privacy.registry import register_source

from .models import LIVE, Certificate, CertificateStatus

# Every model of this app that points at a person (through their enrolment), and its source.
PERSON_LINKED_MODELS = {Certificate: "certificates"}
ERASED_REASON = "Withdrawn at the holder's request."


def export_certificates(person) -> list[dict]:
    return [
        {
            "code": c.printed_code,
            "programme": c.programme_title,
            "cohort": c.cohort_name,
            "name_printed": c.participant_name,
            "cpd_hours": str(c.cpd_hours) if c.cpd_hours is not None else "",
            "issuing_trust": c.issuing_trust_name,
            "issued_on": c.issued_on,
            "status": c.get_status_display(),
            "revoked_reason": c.revoked_reason,
            "pdf_sha256": c.sha256,
        }
        for c in Certificate.objects.filter(enrolment__person=person).order_by("created_at", "pk")
    ]


def erase_certificates(person, *, by, reason) -> None:
    theirs = Certificate.objects.filter(enrolment__person=person)
    theirs.filter(status__in=LIVE).update(
        status=CertificateStatus.REVOKED,
        revoked_at=timezone.now(),
        revoked_reason=ERASED_REASON,
    )
    theirs.filter(~Q(participant_name="")).update(participant_name="")


register_source(
    "certificates",
    label="Your certificates",
    exporter=export_certificates,
    eraser=erase_certificates,
)
