"""What reports holds about a person, for subject access and erasure (privacy.registry).

The monthly reports themselves are aggregates (every count disclosed through
reports.disclosure) and name no one. What is a person's is each copy emailed to them as a
reporting lead: when it was sent and to which address. Erasure deletes their copies (an
unsent copy is then never sent); the reports stay, for the trust's other leads.
"""

from privacy.registry import register_source

from .models import MonthlyReportEmail

PERSON_LINKED_MODELS = {MonthlyReportEmail: "monthly_report_emails"}


def export_monthly_report_emails(person) -> list[dict]:
    return [
        {
            "trust": copy.report.trust.name,
            "month": f"{copy.report.month:%B %Y}",
            "sent_at": copy.sent_at,
            "sent_to": copy.sent_to,
        }
        for copy in MonthlyReportEmail.objects.filter(person=person)
        .select_related("report__trust")
        .order_by("report__month", "pk")
    ]


def erase_monthly_report_emails(person, *, by, reason) -> None:
    MonthlyReportEmail.objects.filter(person=person).delete()


register_source(
    "monthly_report_emails",
    label="Monthly trust reports emailed to you",
    exporter=export_monthly_report_emails,
    eraser=erase_monthly_report_emails,
)
