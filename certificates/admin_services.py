"""What programme administrators do to certificates (issue 13 §6): keyword-only writes, one
transaction each, each with its audit event. The admin views (certificates.admin_views) call
these; so could a command or a task.

- ``certificate_template_save``: add or change a template; every save bumps its version.
- ``certificates_issue_cohort``: one batch for every completed enrolment that has no
  certificate yet, issued by a task (``batch_issue_chunk`` a chunk at a time), each render
  queued through the outbox (on the ``pdf`` queue).
- ``certificate_retry_render``: queue a failed render again.
- ``certificate_revoke``: with a reason; the verify page then says so.
- ``certificate_reissue``: a new certificate with today's data; the old one superseded and
  pointing at it.

Refusals raise CertificateRefused, whose text is shown to the person as it is.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.services import record as audit
from programmes.models import Cohort, Enrolment, EnrolmentStatus

from . import signatures
from .models import (
    LIVE,
    Certificate,
    CertificateBatch,
    CertificateStatus,
    CertificateTemplate,
    RenderStatus,
    certificate_storage,
)
from .personal_data import ERASED_REASON
from .rendering import TEMPLATE_VERSION
from .services import CertificateRefused, certificate_issue, new_certificate, template_named

TEMPLATE_FIELDS = ("name", "signatory_name", "signatory_title")
REASON_MAX = Certificate._meta.get_field("revoked_reason").max_length


def _queue_render(certificate: Certificate) -> None:
    from .tasks import certificate_render  # the tasks module imports services

    certificate_render.delay(certificate.pk)


# --- templates -----------------------------------------------------------------------------


def certificate_template_save(
    *, template: CertificateTemplate, by, signature=None, **fields
) -> CertificateTemplate:
    """Save ``template`` (new, or changed) with ``fields`` (name, signatory_name,
    signatory_title; and trust and key for a new one). ``signature``: an uploaded file to
    store (validated again here: PNG or JPEG, at most 1 MB), False to remove the one it has,
    None to keep it. Every save bumps ``version`` and ``updated_at``; a replaced or removed
    signature file is deleted once the change commits."""
    unknown = set(fields) - {*TEMPLATE_FIELDS, "trust", "key"}
    if unknown:
        raise TypeError(f"Not a template field: {', '.join(sorted(unknown))}")
    if template.pk and ({"trust", "key"} & set(fields)):
        # Programmes name a template by its key, and its trust is whose administrators
        # manage it: neither moves once made.
        raise CertificateRefused("A template's key and trust cannot change once it is made.")
    kind = signatures.validate_upload(signature) if signature else None
    storage = CertificateTemplate._meta.get_field("signature_image").storage
    new_file = ""
    try:
        with transaction.atomic():
            creating = template.pk is None
            old_file = ""
            if creating:
                template.version = 1
            else:
                current = CertificateTemplate.objects.select_for_update().get(pk=template.pk)
                template.version = current.version + 1
                old_file = current.signature_image.name
            for name, value in fields.items():
                setattr(template, name, value)
            template.full_clean(exclude=["signature_image", "version", "updated_at"])
            if kind is not None:
                new_file = storage.save(signatures.stored_name(template.key, kind), signature)
                template.signature_image.name = new_file
            elif signature is False:
                template.signature_image.name = ""
            template.updated_at = timezone.now()
            try:
                with transaction.atomic():
                    template.save()
            except IntegrityError:
                raise CertificateRefused("Another template already has that key.") from None
            audit(
                action="created" if creating else "changed",
                actor=by,
                target=template,
                detail={"certificate_template": template.key, "version": template.version},
            )
            if old_file and old_file != template.signature_image.name:
                # A former signatory's signature should not linger once nothing prints it.
                transaction.on_commit(lambda: storage.delete(old_file))
    except BaseException:
        if new_file:
            storage.delete(new_file)  # stored before the row, which was not saved
        raise
    return template


# --- issuing a cohort's certificates -------------------------------------------------------


def enrolments_to_issue(cohort: Cohort):
    """The cohort's completed enrolments that have no certificate at all. One whose
    certificate was revoked is left alone: re-issuing a revoked certificate is a decision
    (certificate_reissue with confirm_revoked), never a side effect of a bulk run."""
    return (
        Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.COMPLETED)
        .exclude(certificates__isnull=False)
        .select_related("person", "cohort__programme", "cohort__host_trust")
        .order_by("pk")
    )


def certificates_issue_cohort(*, cohort: Cohort, by) -> CertificateBatch:
    """A batch for the cohort's completed enrolments that have no certificate, and the task
    that issues them (``certificates.tasks.certificate_batch_issue``, queued through the
    outbox in this transaction): a cohort of 5,000 is issued by a worker, not in the request,
    and the batch page shows it happening. ``total`` is how many there are now; the task
    settles it to how many it issued (a completion may issue one meanwhile, outside it).
    A second press while one is still issuing gives that batch back."""
    with transaction.atomic():
        # Two administrators pressing "Issue" at once: the second waits, then counts the
        # enrolments the first has not yet issued (all of them, until its task runs).
        Cohort.objects.select_for_update(of=("self",)).filter(pk=cohort.pk).first()
        open_batches = CertificateBatch.objects.filter(cohort=cohort, issued_at__isnull=True)
        if open_batches.exists():
            return open_batches.order_by("-pk").first()
        total = enrolments_to_issue(cohort).count()
        batch = CertificateBatch.objects.create(cohort=cohort, started_by=by, total=total)
        if total:
            from .tasks import certificate_batch_issue  # the tasks module imports services

            certificate_batch_issue.delay(batch.pk)
        else:
            batch.issued_at = timezone.now()
            batch.save(update_fields=["issued_at"])
        audit(
            action="created",
            actor=by,
            target=batch,
            detail={"certificates_to_issue": total, "cohort": cohort.pk},
        )
    return batch


ISSUE_CHUNK = 200


def batch_issue_chunk(*, batch: CertificateBatch) -> bool:
    """Issue up to ISSUE_CHUNK of the batch's cohort's certificates, in one transaction under
    the batch's row lock (a second delivery of the task waits, then finds them issued).
    True when none is left: then ``total`` is what this batch issued and ``issued_at`` set."""
    with transaction.atomic():
        locked = CertificateBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.issued_at is not None:
            return True
        by = locked.started_by
        enrolments = list(enrolments_to_issue(locked.cohort)[:ISSUE_CHUNK])
        issued = [
            certificate_issue(enrolment=enrolment, by=by, batch=locked, queue_render=False)
            for enrolment in enrolments
        ]
        # One completed meanwhile has its certificate, and its render, already (batch unset).
        from .tasks import queue_render_groups  # the tasks module imports services

        queue_render_groups([c.pk for c in issued if c.batch_id == locked.pk])
        if len(enrolments) == ISSUE_CHUNK:
            return False
        locked.total = Certificate.objects.filter(batch=locked).count()
        locked.issued_at = timezone.now()
        locked.save(update_fields=["total", "issued_at"])
        return True


# --- one certificate -----------------------------------------------------------------------


def _locked(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrolment__person", "enrolment__cohort__programme")
        .get(pk=certificate.pk)
    )


def _take_template(certificate: Certificate) -> None:
    """A certificate issued while its programme named a template that did not exist yet
    takes the template (and its signatory) once it does."""
    if certificate.template_id is not None:
        return
    template = template_named(certificate.enrolment.cohort.programme.certificate_template)
    if template is not None:
        certificate.template = template
        certificate.template_version = f"{TEMPLATE_VERSION}+{template.version_label}"
        certificate.signatory_name = template.signatory_name
        certificate.signatory_title = template.signatory_title


def certificate_retry_render(*, certificate: Certificate, by) -> Certificate:
    """Queue the render of a certificate whose render failed, once more."""
    with transaction.atomic():
        locked = _locked(certificate)
        if locked.status != CertificateStatus.PENDING:
            raise CertificateRefused(
                f"This certificate is {locked.get_status_display().lower()}: there is nothing "
                "to render."
            )
        if locked.render_status != RenderStatus.FAILED:
            raise CertificateRefused(
                "This certificate's render has not failed: it is "
                f"{locked.get_render_status_display().lower()}."
            )
        _take_template(locked)
        locked.render_status = RenderStatus.QUEUED
        locked.render_error = ""
        locked.run_token = None
        locked.save()
        audit(
            action="changed",
            actor=by,
            target=locked,
            subject=locked.enrolment.person,
            detail={"certificate": "render retried"},
        )
        _queue_render(locked)
    return locked


def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a live certificate, saying why (the verify page shows the date; the reason is
    kept on the record)."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused("Give a reason for revoking the certificate.")
    if len(reason) > REASON_MAX:
        raise CertificateRefused(f"Keep the reason to {REASON_MAX} characters.")
    with transaction.atomic():
        locked = _locked(certificate)
        if locked.status not in LIVE:
            raise CertificateRefused(
                f"This certificate is already {locked.get_status_display().lower()}."
            )
        locked.status = CertificateStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revoked_reason = reason
        # A render still running loses its claim, so it cannot make a revoked one valid.
        locked.run_token = None
        locked.save()
        audit(
            action="changed",
            actor=by,
            target=locked,
            subject=locked.enrolment.person,
            detail={"certificate": "revoked"},
        )
    return locked


def certificate_reissue(
    *, certificate: Certificate, by, confirm_revoked: bool = False
) -> Certificate:
    """A new certificate for the same enrolment, with today's data (the name as the person
    now spells it, the template as it is now), rendered afresh; the old one superseded and
    pointing at it. All in one transaction under the old one's row lock. Re-issuing a
    revoked certificate needs ``confirm_revoked``: it undoes a revocation."""
    with transaction.atomic():
        old = _locked(certificate)
        enrolment = (
            Enrolment.objects.select_related("person", "cohort__programme", "cohort__host_trust")
            .filter(pk=old.enrolment_id)
            .get()
        )
        if old.status == CertificateStatus.SUPERSEDED:
            raise CertificateRefused(
                "This certificate has already been re-issued: re-issue the current one."
            )
        if old.status == CertificateStatus.REVOKED and old.revoked_reason == ERASED_REASON:
            raise CertificateRefused(
                "This certificate was withdrawn when its holder's personal data was erased: "
                "it cannot be re-issued."
            )
        if old.status == CertificateStatus.REVOKED and not confirm_revoked:
            raise CertificateRefused(
                "This certificate was revoked. Re-issuing it gives the holder a valid "
                "certificate again: confirm that this is what you mean."
            )
        if enrolment.status != EnrolmentStatus.COMPLETED:
            raise CertificateRefused(
                "Only a completed enrolment earns a certificate: this one is "
                f"{enrolment.get_status_display().lower()}."
            )
        was_revoked = old.status == CertificateStatus.REVOKED
        if not was_revoked:
            # One live certificate per enrolment (a partial unique index, which cannot be
            # deferred): the old one leaves LIVE before the new one is inserted. A superseded
            # row must name its successor, which does not exist yet, so for this moment inside
            # the transaction it is revoked; nobody else ever sees that.
            old.status = CertificateStatus.REVOKED
            old.revoked_at, old.revoked_reason = timezone.now(), "Being re-issued"
            old.run_token = None  # a render still running loses its claim
            old.save()
        new = new_certificate(enrolment=enrolment, by=by)
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            raise CertificateRefused(
                "This enrolment already has a current certificate: re-issue that one."
            ) from None
        old.status = CertificateStatus.SUPERSEDED
        old.superseded_by = new
        if not was_revoked:
            old.revoked_at, old.revoked_reason = None, ""
        old.save()
        audit(
            action="created",
            actor=by,
            target=new,
            subject=enrolment.person,
            detail={
                "certificate": "re-issued",
                "supersedes": old.printed_code,
                "was_revoked": was_revoked,
            },
        )
        _queue_render(new)
    return new


# --- a cohort's certificates as one file ---------------------------------------------------

SPOOL_IN_MEMORY = 16 * 1024 * 1024


def zip_name(certificate: Certificate) -> str:
    person = slugify(certificate.participant_name) or "certificate"
    return f"{person}-{certificate.printed_code}.pdf"


def certificates_zip(certificates: list[Certificate]):
    """The certificates' PDFs as one ZIP in a spooled temporary file (memory up to 16 MB, then
    disk), rewound for reading, and the printed codes of those whose file could not be read
    (listed in the archive's MISSING.txt)."""
    storage = certificate_storage()
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - returned
    missing = []
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            # Read whole (a certificate is tens of kilobytes) so that a file that cannot be
            # read leaves no half-written entry. PDFs are compressed already: stored.
            try:
                with storage.open(certificate.pdf.name, "rb") as pdf:
                    content = pdf.read()
            except OSError:
                missing.append(certificate.printed_code)
                continue
            archive.writestr(zip_name(certificate), content)
        if missing:
            archive.writestr(
                "MISSING.txt",
                "These certificates' files could not be read; re-issue them:\n"
                + "\n".join(missing)
                + "\n",
            )
    spool.seek(0)
    return spool, missing
