"""Rendering a certificate's PDF in the background, on the ``pdf`` queue.

``certificate_render`` takes the certificate's id and claims its row for a run
(outbox.claims.claim_run): a second delivery while a live run holds it is refused; a run whose
worker died (no heartbeat for RENDER_STALE) is taken over. The PDF is rendered outside any
transaction by the pure ``certificates.rendering.render_pdf``, stored, and recorded — with its
SHA-256, and the certificate made valid — only while the run's claim is still its own; a run
that lost its claim deletes the file it stored. Running it twice gives one certificate and
one file.

Once the render is recorded, ``send_certificate_email`` (on the ``email`` queue) is queued
through the outbox in the same transaction as the render's result: a render that lost its
claim records nothing and queues nothing. The email is sent once, under the certificate's
row lock (``emailed_at``), and only while the certificate is still valid.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts import emails as mail
from outbox import claims
from outbox.base import TRANSIENT_ERRORS

from . import codes, emails
from .models import (
    Certificate,
    CertificateStatus,
    CertificateTemplate,
    RenderStatus,
    certificate_storage,
)
from .rendering import CertificateData, render_pdf
from .signatures import UnreadableSignature, read_signature

logger = logging.getLogger("tandem.certificates")

RENDER_STALE = timedelta(minutes=5)
LEASE = claims.Lease(
    running=RenderStatus.RENDERING,
    stale_after=lambda: RENDER_STALE,
    status_field="render_status",
)


def _refuse(certificate: Certificate) -> str | None:
    if certificate.render_status == RenderStatus.READY:
        return "already rendered"
    if certificate.status != CertificateStatus.PENDING:
        return f"certificate is {certificate.status}"
    return None


def verify_url(certificate: Certificate) -> str:
    """The certificate's public verification address (PRODUCT.md §4's URL contract)."""
    return mail.public_url(codes.verify_path(certificate.code))


class CannotRender(Exception):
    """What the administrator must fix before this certificate can render (a missing template,
    an unreadable signature): recorded as its render_error, not retried by itself."""


def _signature_of(certificate: Certificate) -> tuple[bytes, str]:
    template = certificate.template
    if template is None:
        # certificate_issue leaves the template empty when the programme names one that does
        # not exist (it never refuses a completed enrolment); the render says so instead.
        from programmes.models import Programme

        key = (
            Programme.objects.filter(cohorts__enrolments=certificate.enrolment_id)
            .values_list("certificate_template", flat=True)
            .first()
        )
        if not key:
            return b"", ""
        if CertificateTemplate.objects.filter(key=key).exists():
            # Added since this certificate was issued: a retry (certificate_retry_render)
            # takes it and its signatory.
            raise CannotRender(
                f"The programme's certificate template “{key}” was added after this "
                "certificate was issued: retry to use it"
            )
        raise CannotRender(f"The programme's certificate template “{key}” does not exist")
    try:
        return read_signature(template)
    except UnreadableSignature as error:
        raise CannotRender(str(error)) from error


def data_of(certificate: Certificate) -> CertificateData:
    signature, mime = _signature_of(certificate)
    return CertificateData(
        participant_name=certificate.participant_name,
        programme_title=certificate.programme_title,
        cohort_starts_on=certificate.cohort_starts_on,
        cohort_ends_on=certificate.cohort_ends_on,
        cpd_hours=certificate.cpd_hours,
        issuing_trust_name=certificate.issuing_trust_name,
        issued_on=certificate.issued_on,
        code=certificate.printed_code,
        verify_url=verify_url(certificate),
        signatory_name=certificate.signatory_name,
        signatory_title=certificate.signatory_title,
        signature_image=signature,
        signature_mime=mime,
    )


@shared_task
def certificate_render(certificate_id: int) -> str:
    try:
        claim = claims.claim_run(
            Certificate.objects.all(), certificate_id, lease=LEASE, refuse=_refuse
        )
    except claims.NotClaimed as skipped:
        return skipped.reason
    certificate = claim.obj
    try:
        pdf = render_pdf(data_of(certificate))
    except CannotRender as error:
        # Retrying would fail the same way: the batch page shows this with a Retry button.
        claim.release(render_status=RenderStatus.FAILED, render_error=str(error)[:500])
        return "failed"
    except Exception as error:
        claim.release(render_status=RenderStatus.FAILED, render_error=str(error)[:500])
        raise
    storage = certificate_storage()
    name = storage.save(f"{certificate.issued_on:%Y/%m}/{certificate.code}.pdf", ContentFile(pdf))
    with transaction.atomic():
        finished = claim.finish(
            pdf=name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            status=CertificateStatus.VALID,
            render_status=RenderStatus.READY,
            render_error="",
        )
        if finished:
            # In the transaction that makes it valid: committed together, or not at all.
            send_certificate_email.delay(certificate.pk)
    if not finished:
        storage.delete(name)  # taken over meanwhile: the successor stores its own
        return "taken over"
    return "rendered"


# Certificates a message in a bulk issue: a message costs the worker a delivery and an
# acknowledgement, and its process waits for the next one; five renders (about 0.1 s) to one
# message made a cohort's issue as fast as multiprocessing.Pool running certificate_render
# (make bench, certificates-bulk-issue), and still spreads a cohort of ten over two processes.
RENDER_GROUP = 5


def queue_render_groups(certificate_ids: list[int]) -> None:
    """Queue the renders of ``certificate_ids`` (through the outbox, so on commit), in
    groups of RENDER_GROUP."""
    for start in range(0, len(certificate_ids), RENDER_GROUP):
        certificate_render_group.delay(certificate_ids[start : start + RENDER_GROUP])


@shared_task
def certificate_render_group(certificate_ids: list[int]) -> dict[str, int]:
    """``certificate_render`` for each certificate in turn, in one message. Each is claimed,
    rendered and recorded on its own, so one that fails is recorded as failed (with its
    Retry) and the rest go on; a transient fault (the database briefly gone) retries the
    message, and the renders it already finished are refused at once as already rendered."""
    outcomes: dict[str, int] = {}
    for certificate_id in certificate_ids:
        try:
            outcome = certificate_render(certificate_id)
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            # Recorded on the certificate by certificate_render (render_error), as a message
            # of its own would have been.
            logger.exception("Certificate %s failed to render", certificate_id)
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _refuse_email(certificate: Certificate) -> str | None:
    if certificate.emailed_at:
        return "already sent"
    if certificate.status != CertificateStatus.VALID:
        # Revoked or superseded since it was rendered: its holder is not sent a document
        # that is no longer current (the re-issue sends its own).
        return f"certificate is {certificate.status}"
    return None


@shared_task
def send_certificate_email(certificate_id: int) -> str:
    """Email the holder their certificate (the PDF attached, the verify link, and where to
    download it). Once: under the certificate's row lock, ``emailed_at`` checked and set."""
    try:
        with claims.row_locked(
            Certificate.objects.select_related("enrolment__person"),
            certificate_id,
            refuse=_refuse_email,
        ) as certificate:
            to = emails.recipient(certificate)
            if to is None:
                return "nobody to send to"
            emails.message_for(certificate, to=to).send()
            certificate.emailed_at = timezone.now()
            certificate.save(update_fields=["emailed_at"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent"


@shared_task
def resume_stalled_renders() -> int:
    """Re-queue renders whose worker died: rendering with no heartbeat for RENDER_STALE. A
    worker killed outright (SIGKILL, a lost machine) takes its message with it — the Redis
    broker gives it back only after its visibility timeout (an hour), the filesystem broker
    never — and a redelivery that came while the dead run's heartbeat was fresh was refused
    as busy. Beat runs this every few minutes; the re-queued run takes the stale claim over,
    and one that finds the certificate rendered meanwhile is refused."""
    cutoff = timezone.now() - RENDER_STALE
    ids = list(
        Certificate.objects.filter(
            status=CertificateStatus.PENDING,
            render_status=RenderStatus.RENDERING,
            heartbeat_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for certificate_id in ids:
            certificate_render.delay(certificate_id)
    return len(ids)


@shared_task
def certificate_batch_issue(batch_id: int) -> str:
    """Issue a bulk batch's certificates, a chunk per transaction so their renders start
    while the rest are issued. Each chunk runs under the batch's row lock and issues only
    enrolments with no certificate, so a redelivery after a worker died carries on where it
    stopped, and nothing is issued twice."""
    from .admin_services import batch_issue_chunk
    from .models import CertificateBatch

    batch = CertificateBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return "no such batch"
    while not batch_issue_chunk(batch=batch):
        pass
    return "issued"
