"""A trust's monthly reports on /reports/ (issue 14 §9):

- ``/reports/trusts/<id>/monthly/``: the trust's past monthly reports, newest first;
- ``/reports/monthly/<report_id>/download/``: one, the stored PDF itself, from
  report_storage() through this view (never a public media address).

Who may: whoever may see the trust's dashboard (reports.permissions: its reporting leads,
its region's regional lead, national leads, superusers), since the PDF holds the dashboard's
own disclosed tables and nothing more. Another trust's report is a 404, as if it did not
exist; so is a report not yet rendered.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .models import MonthlyReport, report_storage
from .monthly import ready_reports
from .monthly_pdf import attachment_name
from .permissions import refuse_unless_reporter, reportable_trust_or_404, reportable_trusts

logger = logging.getLogger("tandem.reports")


@login_required
@require_GET
def monthly_list(request, trust_id: int):
    refuse_unless_reporter(request.user)
    trust = reportable_trust_or_404(request.user, trust_id)
    response = render(
        request,
        "reports/monthly/list.html",
        {"trust": trust, "reports": list(ready_reports(trust).select_related("trust"))},
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def monthly_download(request, report_id: int):
    refuse_unless_reporter(request.user)
    report = (
        MonthlyReport.objects.ready()
        .select_related("trust")
        .filter(pk=report_id, trust__in=reportable_trusts(request.user))
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    try:
        stored = report_storage().open(report.pdf.name, "rb")
    except FileNotFoundError:
        # The record names a file the storage no longer has: ours to fix, not the reader's.
        logger.error("Monthly report %s: its file %s is missing", report.pk, report.pdf)
        raise Http404("No such report.") from None
    response = FileResponse(
        stored, as_attachment=True, filename=attachment_name(report), content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
