"""The certificate email: the holder's PDF, attached, with its verify link and where to
download it again (My learning's certificates page).

Sent by certificates.tasks.send_certificate_email, queued through the outbox by the render
in the transaction that makes the certificate valid; the task sends it under the row's lock
and records ``emailed_at``, so two deliveries send one email. Its templates are
``certificates/email/certificate_ready_*``, extending the site's email layouts
(accounts.emails): branded HTML and plain text, every link on settings.BASE_URL.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from accounts import emails as mail
from privacy.services import is_erased

from .models import Certificate, certificate_storage

TEMPLATE = "certificates/email/certificate_ready"


def attachment_name(certificate: Certificate, *, status: str = "") -> str:
    """The file name a certificate is downloaded or attached under; a status (revoked,
    superseded) is said in it, so a copy kept for the records is not mistaken for a valid
    one."""
    suffix = f"-{status}" if status else ""
    return f"tandem-certificate-{certificate.printed_code}{suffix}.pdf"


def recipient(certificate: Certificate) -> str | None:
    """The holder's address, or None when there is nobody to send to: an account
    deactivated or erased (an erased person's pseudonymised address must not be mailed)."""
    person = certificate.enrolment.person
    if not person.is_active or not person.email or is_erased(person):
        return None
    return person.email


def message_for(certificate: Certificate, *, to: str) -> EmailMultiAlternatives:
    from .tasks import verify_url  # the tasks module imports this one

    person = certificate.enrolment.person
    message = mail.render(
        TEMPLATE,
        to=to,
        context={
            "user": person,
            "certificate": certificate,
            "verify_url": verify_url(certificate),
            "certificates_url": mail.public_url(reverse("certificates_learn:mine")),
        },
    )
    with certificate_storage().open(certificate.pdf.name, "rb") as stored:
        message.attach(attachment_name(certificate), stored.read(), "application/pdf")
    return message
