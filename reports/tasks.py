"""Celery tasks of the monthly reports (reports.models explains the exactly-once chain).

- ``make_monthly_reports``: beat's daily run (reports.monthly.monthly_reports_make).
- ``monthly_report_render`` (pdf queue): takes the report's id and claims its row for a run
  (outbox.claims.claim_run): a second delivery while a live run holds it is refused as busy;
  a run whose worker died (no heartbeat for RENDER_STALE) is taken over. The PDF is rendered
  outside any transaction, stored, and recorded — with its SHA-256 — only while the claim is
  still the run's own, in the transaction that makes each reporting lead's copy and queues
  its email; a run that lost its claim deletes the file it stored and queues nothing.
- ``send_monthly_report_email`` (email queue): one lead's copy, under that copy's row lock,
  once (``sent_at``), and only to someone who is still the trust's reporting lead.
"""

from __future__ import annotations

import hashlib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import emails as mail
from outbox import claims
from privacy.services import is_erased

from . import monthly, monthly_pdf
from .models import MonthlyReport, MonthlyReportEmail, RenderStatus, report_storage

LEASE = claims.Lease(
    running=RenderStatus.RENDERING,
    stale_after=lambda: monthly.RENDER_STALE,
    status_field="render_status",
)
EMAIL_TEMPLATE = "reports/monthly/email/monthly_report"


@shared_task
def make_monthly_reports() -> dict:
    made, queued = monthly.monthly_reports_make()
    return {"made": made, "queued": queued}


def _refuse_render(report: MonthlyReport) -> str | None:
    if report.render_status == RenderStatus.READY:
        return "already rendered"
    return None


@shared_task
def monthly_report_render(report_id: int) -> str:
    try:
        claim = claims.claim_run(
            MonthlyReport.objects.select_related("trust"),
            report_id,
            lease=LEASE,
            refuse=_refuse_render,
        )
    except claims.NotClaimed as skipped:
        return skipped.reason
    report = claim.obj
    try:
        pdf = monthly_pdf.render(monthly_pdf.report_content(report.trust, report.month))
    except Exception as error:
        claim.release(render_status=RenderStatus.FAILED, render_error=str(error)[:500])
        raise
    storage = report_storage()
    name = storage.save(
        f"{report.month:%Y/%m}/{monthly_pdf.attachment_name(report)}", ContentFile(pdf)
    )
    with transaction.atomic():
        finished = claim.finish(
            pdf=name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            render_status=RenderStatus.READY,
            rendered_at=timezone.now(),
            render_error="",
        )
        if finished:
            # In the transaction that records the render: committed together, or not at all.
            for email_id in monthly.monthly_report_emails_create(report=report):
                send_monthly_report_email.delay(email_id)
    if not finished:
        storage.delete(name)  # taken over meanwhile: the successor stores its own
        return "taken over"
    return "rendered"


def _refuse_email(copy: MonthlyReportEmail) -> str | None:
    if copy.sent_at:
        return "already sent"
    if not copy.report.is_ready:
        return "not rendered"
    return None


def recipient(copy: MonthlyReportEmail) -> str | None:
    """The lead's address, or None: an account deactivated or erased, or someone who is no
    longer the trust's reporting lead (the role was taken away after the render)."""
    person = copy.person
    if not person.is_active or not person.email or is_erased(person):
        return None
    if not monthly.is_reporting_lead(person, copy.report.trust_id):
        return None
    return person.email


def message_for(copy: MonthlyReportEmail, *, to: str):
    report = copy.report
    message = mail.render(
        EMAIL_TEMPLATE,
        to=to,
        context={
            "user": copy.person,
            "trust": report.trust,
            "month_label": f"{report.month:%B %Y}",
            "reports_url": mail.public_url(reverse("reports:trust", args=[report.trust_id])),
        },
    )
    with report_storage().open(report.pdf.name, "rb") as stored:
        message.attach(monthly_pdf.attachment_name(report), stored.read(), "application/pdf")
    return message


@shared_task
def send_monthly_report_email(email_id: int) -> str:
    """Email one reporting lead their trust's report, the PDF attached. Once: ``sent_at`` is
    checked and set under the copy's row lock."""
    try:
        with claims.row_locked(
            MonthlyReportEmail.objects.select_related("report__trust", "person"),
            email_id,
            refuse=_refuse_email,
        ) as copy:
            to = recipient(copy)
            if to is not None:
                message_for(copy, to=to).send()
            # Set even with nobody to send to: looked at, and nothing to send.
            copy.sent_at = timezone.now()
            copy.sent_to = to or ""
            copy.save(update_fields=["sent_at", "sent_to"])
    except claims.NotClaimed as skipped:
        return skipped.reason
    return "sent" if to is not None else "nobody to send to"
