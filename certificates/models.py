"""A certificate: what a completed enrolment earns, and what an employer or regulator checks
at /verify/<code>/ (PRODUCT.md §3-4; issue 13).

A certificate keeps what it certified as it was on the day it was issued — the name printed,
the programme, the cohort's dates, the CPD hours, the issuing trust — so later edits to a
cohort or a profile do not change a document someone already holds. Its file is rendered by
a Celery task (the run's state in ``render_*`` fields, claimed under the row's lock:
outbox.claims), stored through Django's storage API, never at a public URL, with its SHA-256.

Invariants the database keeps: a unique code; at most one live (pending or valid)
certificate per enrolment, so issuing twice, or five times at once, makes one; a revoked
certificate has a date and a reason; a superseded one points at its successor.

This app imports programmes and learns of completions from its event; programmes never
imports certificates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from programmes.models import Enrolment

from . import codes


def certificate_storage():
    """The storage certificates live in (settings.STORAGES["certificates"]): a folder outside
    the public media, or a private bucket prefix."""
    from django.core.files.storage import storages

    return storages["certificates"]


class CertificateStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    VALID = "valid", "Valid"
    REVOKED = "revoked", "Revoked"
    SUPERSEDED = "superseded", "Superseded by a re-issue"


LIVE = (CertificateStatus.PENDING, CertificateStatus.VALID)


class RenderStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def signature_storage():
    """Signature images: kept with the certificates (not at a public media URL), since a
    signature image is what a forger would want."""
    return certificate_storage()


class CertificateTemplate(models.Model):
    """What a programme's certificates carry besides the record: who signs them. A programme
    names its template by ``key`` (Programme.certificate_template: programmes never imports
    certificates). Each change bumps ``version``; a certificate records the version it was
    rendered with."""

    trust = models.ForeignKey(
        "people.Trust", on_delete=models.CASCADE, related_name="certificate_templates"
    )
    key = models.SlugField(
        max_length=100,
        unique=True,
        help_text="How a programme names this template (its “certificate template” field).",
    )
    name = models.CharField(max_length=200)
    signatory_name = models.CharField(max_length=200)
    signatory_title = models.CharField(max_length=200, blank=True)
    signature_image = models.ImageField(
        upload_to="signatures/", storage=signature_storage, blank=True, max_length=255
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def version_label(self) -> str:
        return f"{self.key}-v{self.version}"


class CertificateBatch(models.Model):
    """One "issue the cohort's certificates" run, for its progress page: its certificates
    point at it, so n of N and the failures are counts over them."""

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="certificate_batches"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    total = models.PositiveIntegerField(default=0)
    # When its task had issued every certificate (their renders may still be running).
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"Certificates for {self.cohort} ({self.started_at:%d %b %Y %H:%M})"


class Certificate(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(max_length=codes.LENGTH, unique=True, editable=False)
    status = models.CharField(
        max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.PENDING
    )
    # What was certified, as on the day of issue. The name is blanked when the person's data
    # is erased (the verify page then shows no name).
    participant_name = models.CharField(max_length=200)
    programme_title = models.CharField(max_length=255)
    cohort_name = models.CharField(max_length=200)
    cohort_starts_on = models.DateField()
    cohort_ends_on = models.DateField()
    cpd_hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    issuing_trust_name = models.CharField(max_length=255)
    issued_on = models.DateField(default=timezone.localdate)
    template_version = models.CharField(max_length=50, blank=True)
    template = models.ForeignKey(
        CertificateTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    # The Healthcare Leadership Model dimensions the programme's modules develop, as on the
    # day: [{"slug": ..., "name": ...}] (the Open Badges achievement's alignment).
    leadership_dimensions = models.JSONField(default=list, blank=True)
    batch = models.ForeignKey(
        CertificateBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
    )
    # When the holder was emailed their PDF (once: the email task checks this under the
    # row's lock).
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    pdf = models.FileField(
        upload_to="%Y/%m/", storage=certificate_storage, blank=True, max_length=255
    )
    sha256 = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The render run (outbox.claims.Lease): status, token, heartbeat, start, attempts.
    render_status = models.CharField(
        max_length=12, choices=RenderStatus.choices, default=RenderStatus.QUEUED
    )
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    render_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status__in=LIVE),
                name="certificates_one_live_certificate_per_enrolment",
                violation_error_message="This enrolment already has a certificate.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values),
                name="certificates_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked")
                | (Q(revoked_at__isnull=False) & ~Q(revoked_reason="")),
                name="certificates_revoked_with_a_date_and_reason",
                violation_error_message="A revoked certificate has a date and a reason.",
            ),
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_by__isnull=False),
                name="certificates_superseded_names_its_successor",
            ),
            models.CheckConstraint(
                condition=~Q(status="valid") | (~Q(pdf="") & ~Q(sha256="")),
                name="certificates_valid_has_its_file",
                violation_error_message="A valid certificate has its PDF and its SHA-256.",
            ),
        ]

    def __str__(self):
        return f"Certificate {self.printed_code} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = codes.new_code()
        super().save(*args, **kwargs)

    @property
    def printed_code(self) -> str:
        return codes.grouped(self.code)
