"""A trust's monthly report as a PDF: the dashboard's own tables and charts (reports.dashboard,
reports.charts — disclosed once, so "<5" and "*" are what the page shows), twice: for the
calendar month (the dashboard filtered to its first and last days: the cohorts running then,
the coffee rounds and board snapshots dated then) and for the programme to date (everything
up to the month's last day). A4 portrait, with the trust's name, the month and a short plain
summary of the two side by side.

``report_html`` reads the database (twenty queries: the dashboard's ten, twice); ``render``
is WeasyPrint through core.pdf — the template escapes every value, and the fetcher allows
only data: URLs and the project's static files, exactly as for certificates. The charts are
the dashboard's, drawn with presentation attributes instead of the site's style sheet
(WeasyPrint styles an inline SVG only from inside it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from core import pdf

from . import dashboard
from .charts import add_charts
from .disclosure import small_text, threshold
from .monthly import month_end
from .selectors import ReportFilter

TEMPLATE = "reports/monthly/report.html"
TEMPLATE_VERSION = "2026-12-a4-portrait-1"
# Swapped for a spy by tests (as certificates.rendering._fetcher is).
_fetcher = pdf.project_fetcher


@dataclass
class Summary:
    label: str
    month: object  # a disclosed Figure, or text
    to_date: object


@dataclass
class MonthlyReportContent:
    trust: object
    month: datetime.date
    made_on: datetime.date
    this_month: dashboard.Dashboard
    to_date: dashboard.Dashboard
    summary: list[Summary]

    @property
    def month_label(self) -> str:
        return f"{self.month:%B %Y}"


def _summary(this_month: dashboard.Dashboard, to_date: dashboard.Dashboard) -> list[Summary]:
    """A few headline figures, each a cell of a dashboard table (already disclosed): the
    totals row of participants, the two rates, the pairs, and the 12-month leadership share."""

    def cells(board):
        participants = board["participants"].rows[-1].cells[0]  # "All participants"
        attendance, completion = (row.cells[2] for row in board["rates"].rows[:2])
        pairs = board["activity"].rows[0].cells[0]  # pairs proposed, active or ended
        led_12 = board["leadership"].rows[1].cells[2]  # 12 months after completing
        return participants, attendance, completion, pairs, led_12

    labels = (
        "Participants",
        "Sessions attended (of those marked)",
        "Completed (of those decided)",
        "Pairs",
        "Clinicians in a leadership role 12 months after completing",
    )
    return [
        Summary(label, month, whole)
        for label, month, whole in zip(labels, cells(this_month), cells(to_date), strict=True)
    ]


def report_content(trust, month: datetime.date) -> MonthlyReportContent:
    last = month_end(month)
    this_month = dashboard.build(ReportFilter(trust=trust, since=month, until=last))
    to_date = dashboard.build(ReportFilter(trust=trust, until=last))
    for board in (this_month, to_date):
        add_charts(board)
    return MonthlyReportContent(
        trust=trust,
        month=month,
        made_on=timezone.localdate(),
        this_month=this_month,
        to_date=to_date,
        summary=_summary(this_month, to_date),
    )


def report_html(content: MonthlyReportContent) -> str:
    return render_to_string(
        TEMPLATE,
        {
            "report": content,
            "trust": content.trust,
            "month_end": month_end(content.month),
            "small": small_text(),
            "below": threshold() - 1,
            "template_version": TEMPLATE_VERSION,
        },
    )


def render(content: MonthlyReportContent) -> bytes:
    return pdf.render_pdf(report_html(content), fetcher=_fetcher())


def attachment_name(report) -> str:
    return f"tandem-report-{report.trust.ods_code.lower()}-{report.month:%Y-%m}.pdf"
