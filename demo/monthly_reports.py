"""The demo trust's monthly report for last month (issue 14 §9), rendered here, at once, by
the render task itself (``monthly_report_render`` called directly, as demo.certificates does
for certificates), so the reporting lead (reporting-lead@, David Okonkwo) finds it on
/reports/trusts/<id>/monthly/ before the worker has started. Its email to him goes through
the outbox as usual (the worker prints it under ``make run``).

The row is found by (trust, month) and a rendered report is refused by the task, so a rerun
adds nothing; a rerun in a later month adds that month's report.
"""

from __future__ import annotations

from reports.monthly import monthly_report_get_or_create, previous_month
from reports.tasks import monthly_report_render

from .run import SeedRun
from .trusts import FIRST_TRUST


def seed_monthly_reports(run: SeedRun) -> None:
    trust = run.trusts[FIRST_TRUST]
    month = previous_month()
    report = monthly_report_get_or_create(trust=trust, month=month)
    if monthly_report_render(report.pk) == "rendered":
        run.created["monthly reports"] += 1
