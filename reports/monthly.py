"""Trusts' monthly reports: which months and trusts, who receives them, and beat's run that
makes what is missing (reports.models explains the exactly-once chain; the tasks are in
reports.tasks, the PDF in reports.monthly_pdf).

**Beat's run** (``monthly_reports_make``, daily): a report row for every trust open during
the month just ended that has none — inserted with ``ignore_conflicts``, so two runs at once
make one each — then the renders still to do are queued: rows not yet rendered whose render
was never queued, or was queued long enough ago that its message must have been lost, or
whose run went silent (a worker that died). They are locked with SKIP LOCKED and marked
queued in the transaction that writes their outbox rows, so overlapping runs queue each once.
A run that finds every report made does nothing, which is why it is safe to run daily.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from people.access import AccessRole
from people.models import Trust, User

from .dates import add_months
from .models import MonthlyReport, MonthlyReportEmail, RenderStatus

# A render queued this long ago and still not done lost its message: queue it again.
REQUEUE_AFTER = timedelta(hours=6)
# A run with no heartbeat for this long is presumed dead (its worker was killed).
RENDER_STALE = timedelta(minutes=10)
# A report that failed to render this many times waits for someone to look (render_error).
MAX_ATTEMPTS = 5
QUEUE_BATCH = 500


# --- months -----------------------------------------------------------------------------------


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the calendar month before ``today``'s (Europe/London)."""
    today = today or timezone.localdate()
    return add_months(month_of(today), -1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - timedelta(days=1)


def trusts_open_during(month: datetime.date) -> QuerySet:
    """Trusts open on any day of the month: opened by its last day, not closed before its
    first (a trust that closed mid-month gets its last report)."""
    return Trust.objects.filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=month_end(month)),
        Q(closed_on__isnull=True) | Q(closed_on__gt=month),
    )


# --- who receives them ------------------------------------------------------------------------


def reporting_leads(trust) -> QuerySet:
    """The people who hold the trust reporting lead role for ``trust`` (people.AccessGrant),
    active and with an address."""
    return (
        User.objects.filter(
            is_active=True,
            access_grants__role=AccessRole.TRUST_REPORTING_LEAD,
            access_grants__trust=trust,
        )
        .exclude(email="")
        .distinct()
    )


def is_reporting_lead(person, trust_id: int) -> bool:
    return reporting_leads(trust_id).filter(pk=person.pk).exists()


def monthly_report_emails_create(*, report: MonthlyReport) -> list[int]:
    """A copy to send for each of the trust's reporting leads now (once each: the unique
    constraint makes a second call add nothing); returns the ids of the copies still unsent.
    Called in the transaction that records the render."""
    leads = reporting_leads(report.trust_id).values_list("pk", flat=True)
    MonthlyReportEmail.objects.bulk_create(
        [MonthlyReportEmail(report=report, person_id=pk) for pk in leads], ignore_conflicts=True
    )
    return list(
        MonthlyReportEmail.objects.filter(report=report, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- beat's run -------------------------------------------------------------------------------


def monthly_reports_create(*, month: datetime.date, now=None) -> int:
    """A report row for each trust open during ``month`` that has none; returns how many
    this call made (a second call, or one at the same time, makes none)."""
    if month.day != 1:
        raise ValueError("A report's month is given as its first day.")
    now = now or timezone.now()
    missing = trusts_open_during(month).exclude(monthly_reports__month=month)
    rows = [
        MonthlyReport(trust_id=pk, month=month, created_at=now)
        for pk in missing.values_list("pk", flat=True)
    ]
    MonthlyReport.objects.bulk_create(rows, ignore_conflicts=True)
    # The rows another run inserted first were skipped; this call's carry its own time.
    return MonthlyReport.objects.filter(month=month, created_at=now).count() if rows else 0


def monthly_report_get_or_create(*, trust, month: datetime.date) -> MonthlyReport:
    """The trust's report row for ``month``, made if missing (the demo's, and a test's)."""
    if month.day != 1:
        raise ValueError("A report's month is given as its first day.")
    MonthlyReport.objects.bulk_create(
        [MonthlyReport(trust=trust, month=month)], ignore_conflicts=True
    )
    return MonthlyReport.objects.get(trust=trust, month=month)


def _renders_due(now) -> QuerySet:
    never_queued_or_lost = Q(queued_at__isnull=True) | Q(queued_at__lte=now - REQUEUE_AFTER)
    waiting = Q(render_status__in=(RenderStatus.QUEUED, RenderStatus.FAILED)) & never_queued_or_lost
    silent = Q(render_status=RenderStatus.RENDERING, heartbeat_at__lt=now - RENDER_STALE)
    return MonthlyReport.objects.filter(waiting | silent, attempts__lt=MAX_ATTEMPTS)


def _take_renders(now) -> list[int]:
    """Lock up to QUEUE_BATCH renders due (skipping rows another run holds) and mark them
    queued; the caller's transaction holds the locks until its outbox rows are written."""
    ids = list(
        _renders_due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("month", "pk")
        .values_list("pk", flat=True)[:QUEUE_BATCH]
    )
    if ids:
        MonthlyReport.objects.filter(pk__in=ids).update(queued_at=now)
    return ids


def monthly_reports_make(*, today: datetime.date | None = None, now=None) -> tuple[int, int]:
    """Beat's daily run: make last month's missing reports and queue the renders due.
    Returns (reports made, renders queued)."""
    from .tasks import monthly_report_render  # the tasks import this module

    now = now or timezone.now()
    made = monthly_reports_create(month=previous_month(today), now=now)
    with transaction.atomic():
        queued = _take_renders(now)
        for pk in queued:
            monthly_report_render.delay(pk)
    return made, len(queued)


# --- what a reporting lead may download -------------------------------------------------------


def ready_reports(trust) -> QuerySet:
    """The trust's rendered reports, newest month first (the list on its dashboard)."""
    return MonthlyReport.objects.ready().filter(trust=trust).order_by("-month")
