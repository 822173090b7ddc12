"""A trust's monthly report (issue 14 §9): the dashboard's tables for the calendar month just
ended and for the programme to date, as a PDF, emailed to the trust's reporting leads.

**Exactly once per month per trust**, by three guards, one per step (reports.monthly):

- one ``MonthlyReport`` per (trust, month): the unique constraint, so beat's runs, however
  many and however overlapping, make one row (``ignore_conflicts``);
- one render: its run is claimed under the row's lock (outbox.claims.claim_run, the
  ``render_*`` fields), the PDF recorded only while the claim is still the run's own;
- one email per lead: a ``MonthlyReportEmail`` per (report, person), unique, made in the
  transaction that records the render, and sent under its own row lock while ``sent_at``
  is empty.

The report itself is an aggregate (every count disclosed through reports.disclosure), so it
is no one's personal data; the email rows are, and reports.personal_data declares them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def report_storage():
    """Where the PDFs live (settings.STORAGES["reports"]): a folder outside the public media,
    or a private bucket prefix; downloaded only through reports.monthly_views."""
    from django.core.files.storage import storages

    return storages["reports"]


class RenderStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MonthlyReportQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(render_status=RenderStatus.READY)


class MonthlyReport(models.Model):
    trust = models.ForeignKey(
        "people.Trust", on_delete=models.CASCADE, related_name="monthly_reports"
    )
    month = models.DateField(help_text="The month reported on, as its first day.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When beat last queued its render: a message lost on the way is queued again after
    # reports.monthly.REQUEUE_AFTER, never twice within it.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The render run (outbox.claims.Lease): status, token, heartbeat, start, attempts.
    render_status = models.CharField(
        max_length=12, choices=RenderStatus.choices, default=RenderStatus.QUEUED
    )
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    render_error = models.CharField(max_length=500, blank=True)
    pdf = models.FileField(upload_to="%Y/%m/", storage=report_storage, blank=True, max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "month"],
                name="reports_one_monthly_report_per_trust_and_month",
                violation_error_message="This trust already has a report for that month.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="reports_monthly_report_month_is_its_first_day"
            ),
            models.CheckConstraint(
                condition=Q(render_status__in=RenderStatus.values),
                name="reports_monthly_report_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(render_status=RenderStatus.READY)
                | (~Q(pdf="") & ~Q(sha256="") & Q(rendered_at__isnull=False)),
                name="reports_monthly_report_ready_has_its_file",
                violation_error_message="A ready report has its PDF and its SHA-256.",
            ),
        ]

    def __str__(self):
        return f"{self.trust.name}: {self.month:%B %Y}"

    @property
    def is_ready(self) -> bool:
        return self.render_status == RenderStatus.READY


class MonthlyReportEmail(models.Model):
    """One reporting lead's copy of a monthly report: made when the report is rendered (for
    the trust's reporting leads then), sent once under this row's lock."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="emails")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="monthly_report_emails"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set under the row's lock, with the address it went to (a lead's address may change
    # later); an empty address and a time: looked at, and nobody to send to.
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_to = models.EmailField(blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "person"], name="reports_one_email_per_report_and_lead"
            ),
        ]

    def __str__(self):
        return f"{self.report} to person {self.person_id}"
