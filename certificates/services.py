"""Issuing certificates (issue 13): keyword-only writes, one transaction each.

``certificate_issue`` makes the pending certificate of a completed enrolment — what it
certifies copied from the enrolment, its cohort and programme as they are today — and queues
its render through the outbox. Idempotent: the database allows one live certificate per
enrolment, so a second call (or five at once) finds the first and queues nothing more.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cms.selectors import leadership_dimensions_developed
from programmes.models import Enrolment, EnrolmentStatus

from .models import LIVE, Certificate, CertificateTemplate
from .rendering import TEMPLATE_VERSION


class CertificateRefused(Exception):
    """``str(error)`` is a message for the person."""


def _live(enrolment_id: int) -> Certificate | None:
    return Certificate.objects.filter(enrolment_id=enrolment_id, status__in=LIVE).first()


def template_named(key: str) -> CertificateTemplate | None:
    return CertificateTemplate.objects.filter(key=key).first() if key else None


def new_certificate(*, enrolment: Enrolment, by=None, batch=None) -> Certificate:
    """An unsaved pending certificate of ``enrolment``: what it certifies copied from the
    enrolment, its cohort, programme and template as they are today (issue and re-issue)."""
    cohort = enrolment.cohort
    person = enrolment.person
    programme = cohort.programme
    # A programme naming a template that does not exist is the administrator's to fix; the
    # certificate is still issued (pending) and its render says what is wrong, with a retry
    # (certificates.tasks.data_of).
    template = template_named(programme.certificate_template)
    return Certificate(
        enrolment=enrolment,
        participant_name=person.get_full_name() or person.email,
        programme_title=programme.title,
        cohort_name=cohort.name,
        cohort_starts_on=cohort.starts_on,
        cohort_ends_on=cohort.ends_on,
        cpd_hours=programme.cpd_hours,
        issuing_trust_name=cohort.host_trust.name,
        template=template,
        template_version=(
            f"{TEMPLATE_VERSION}+{template.version_label}" if template else TEMPLATE_VERSION
        ),
        signatory_name=template.signatory_name if template else "",
        signatory_title=template.signatory_title if template else "",
        leadership_dimensions=leadership_dimensions_developed(programme.page_id),
        issued_by=by,
        batch=batch,
    )


def certificate_issue(
    *, enrolment: Enrolment, by=None, batch=None, queue_render: bool = True
) -> Certificate:
    """The live certificate of a completed ``enrolment``, made now if it has none, its render
    queued — unless ``queue_render`` is False: a bulk issue queues its renders in groups
    (admin_services.batch_issue_chunk)."""
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise CertificateRefused(
            f"Only a completed enrolment earns a certificate: this one is "
            f"{enrolment.get_status_display().lower()}."
        )
    existing = _live(enrolment.pk)
    if existing is not None:
        return existing
    certificate = new_certificate(enrolment=enrolment, by=by, batch=batch)
    try:
        with transaction.atomic():
            certificate.save()
            if queue_render:
                from .tasks import certificate_render  # the tasks module imports this one

                certificate_render.delay(certificate.pk)
    except IntegrityError:
        # Another call issued it between our look and our insert: theirs is the one.
        existing = _live(enrolment.pk)
        if existing is None:
            raise
        return existing
    return certificate
