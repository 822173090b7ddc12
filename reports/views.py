"""Trust reporting at /reports/ (PRODUCT.md §4).

- ``/reports/``: a reporting lead of one trust goes straight to its dashboard; anyone who may
  see several (a regional or national lead, a superuser, a lead of two trusts) picks one.
- ``/reports/trusts/<id>/``: the dashboard, filtered by the GET form (reports.forms).
- ``/reports/trusts/<id>/<table>.csv`` and ``.xlsx``: one table, as shown (reports.exports).

Every view finds the trust through reports.permissions: another trust's id is a 404, and so
is a filter naming another trust's cohort. The pages are private (no caching by proxies)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from . import dashboard, exports
from .charts import add_charts
from .forms import ReportFilterForm
from .permissions import (
    comparable_regions,
    may_compare_nationally,
    refuse_unless_reporter,
    reportable_trust_or_404,
    reportable_trusts,
    trust_cohorts,
)
from .selectors import ReportFilter


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def index(request):
    refuse_unless_reporter(request.user)
    trusts = list(reportable_trusts(request.user).order_by("name")[:2])
    if len(trusts) == 1:
        return redirect("reports:trust", trust_id=trusts[0].pk)
    all_trusts = (
        reportable_trusts(request.user).select_related("region").order_by("region__name", "name")
    )
    context = {
        "trusts": all_trusts,
        # The comparisons they may open (reports.comparison_views).
        "regions": comparable_regions(request.user).order_by("name"),
        "national": may_compare_nationally(request.user),
    }
    return _private(render(request, "reports/index.html", context))


def _filtered(request, trust_id):
    """The trust (or 404) and its filter form, bound to the query string."""
    refuse_unless_reporter(request.user)
    trust = reportable_trust_or_404(request.user, trust_id)
    form = ReportFilterForm(request.GET or None, cohorts=trust_cohorts(trust))
    valid = not form.is_bound or form.is_valid()
    report_filter = form.report_filter(trust) if valid else ReportFilter(trust=trust)
    return trust, form, report_filter


@login_required
@require_GET
def trust_dashboard(request, trust_id: int):
    trust, form, report_filter = _filtered(request, trust_id)
    several = reportable_trusts(request.user).exclude(pk=trust.pk).exists()
    context = {"trust": trust, "form": form, "several_trusts": several}
    if not form.errors:
        board = dashboard.build(report_filter)
        add_charts(board)
        context["dashboard"] = board
        context["query"] = request.GET.urlencode()
    return _private(render(request, "reports/dashboard.html", context))


@login_required
@require_GET
def table_download(request, trust_id: int, table: str, export_format: str):
    trust, form, report_filter = _filtered(request, trust_id)
    if export_format not in exports.FORMATS or table not in exports.TABLES:
        raise Http404("No such download.")
    if form.errors:
        # The page says what is wrong with the filters; a download cannot.
        return redirect(f"{reverse('reports:trust', args=[trust.pk])}?{request.GET.urlencode()}")
    board = dashboard.build(report_filter)
    return _private(exports.download(request, board[table], report_filter, export_format))
