"""Demo certificates (issue 13): every completed Leading Together enrolment has one, signed by
the first trust's medical director; one revoked, one re-issued — so /verify/ shows each status.

- **The template** "Leading Together" (key ``leading-together``, the first trust's), with a
  signatory and a drawn signature image; the programme names it.
- **Certificates** for the past cohorts' completions, issued through certificates.services
  and rendered here, at once, by the render task itself (``certificate_render`` called
  directly), so a newcomer finds them valid with their PDFs before the worker has started.
  Their emails go through the outbox as usual (the worker prints them under ``make run``).
- The demo participant (participant@, Priya Shah) holds a valid certificate: download it from
  My learning, check it at /verify/<code>/.
- At the second trust one certificate is **revoked** (issued in error); at the first trust
  one is **re-issued** (as after a correction), so the old one is superseded and links to
  the new one.

Each certificate is made only for an enrolment that has none, so a rerun adds nothing.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile

from certificates.admin_services import (
    certificate_reissue,
    certificate_revoke,
    certificate_template_save,
)
from certificates.models import Certificate, CertificateTemplate
from certificates.services import certificate_issue
from certificates.tasks import certificate_render
from people.access import AccessRole
from programmes.models import Enrolment, EnrolmentStatus, Programme

from .logins import DEMO_LOGINS
from .programmes import PARTICIPANT_EMAIL, PROGRAMME_SLUG
from .run import SeedRun
from .trusts import TRUSTS

TEMPLATE_KEY = "leading-together"
REVOKED_REASON = "Issued in error: the register was corrected after the cohort closed."


def _signature_png() -> bytes:
    """A hand-drawn-looking signature: a few strokes on a white ground (Pillow)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 160), "white")
    draw = ImageDraw.Draw(image)
    strokes = [
        [(20, 120), (60, 40), (90, 110), (120, 50), (150, 115), (190, 60)],
        [(190, 60), (230, 120), (270, 70), (300, 100), (340, 55), (380, 105), (440, 80)],
        [(60, 135), (420, 128)],
    ]
    for stroke in strokes:
        draw.line(stroke, fill=(20, 30, 90), width=5, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _template(run: SeedRun, programme: Programme) -> None:
    first_trust = run.trusts[TRUSTS[0].ods_code]
    if not CertificateTemplate.objects.filter(key=TEMPLATE_KEY).exists():
        certificate_template_save(
            template=CertificateTemplate(),
            by=None,
            signature=ContentFile(_signature_png(), name="signature.png"),
            trust=first_trust,
            key=TEMPLATE_KEY,
            name="Leading Together",
            signatory_name="Dr Helen Marsh",
            signatory_title=f"Medical Director, {first_trust.name}",
        )
        run.created["certificate templates"] += 1
    if not programme.certificate_template:
        programme.certificate_template = TEMPLATE_KEY
        programme.save(update_fields=["certificate_template"])


def _issued(run: SeedRun, enrolment: Enrolment, by) -> Certificate:
    certificate = certificate_issue(enrolment=enrolment, by=by)
    certificate_render(certificate.pk)  # the task itself, now: the demo starts with PDFs
    run.created["certificates"] += 1
    return Certificate.objects.get(pk=certificate.pk)


def seed_certificates(run: SeedRun) -> None:
    programme = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    if programme is None:
        return
    _template(run, programme)
    admin_email = next(
        login.person.email
        for login in DEMO_LOGINS
        if login.role == AccessRole.PROGRAMME_ADMINISTRATOR
    )
    admin = run.people.get(admin_email)
    completed = (
        Enrolment.objects.filter(cohort__programme=programme, status=EnrolmentStatus.COMPLETED)
        .filter(certificates__isnull=True)
        .select_related("person", "cohort__programme", "cohort__host_trust")
        .order_by("cohort__host_trust__ods_code", "pk")
    )
    made: dict[str, list[Certificate]] = {}
    for enrolment in completed:
        certificate = _issued(run, enrolment, admin)
        made.setdefault(enrolment.cohort.host_trust.ods_code, []).append(certificate)

    first, second = TRUSTS[0].ods_code, TRUSTS[1].ods_code
    if len(made.get(second, [])) >= 1:
        certificate_revoke(certificate=made[second][0], by=admin, reason=REVOKED_REASON)
    others = [c for c in made.get(first, []) if c.enrolment.person.email != PARTICIPANT_EMAIL]
    if others:
        renewed = certificate_reissue(certificate=others[0], by=admin)
        certificate_render(renewed.pk)
        run.created["certificates"] += 1
