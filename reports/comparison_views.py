"""The regional and national comparison (issue 14 §8), beside the trust dashboards:

- ``/reports/regions/<id>/``: the trusts of a region, each row beside the region's and
  England's figures — all of the region's trusts for its regional lead (and national leads
  and superusers); a trust reporting lead sees only their own trust's row beside them.
- ``/reports/national/``: every trust, region by region, then England — national leads and
  superusers only (403 for anyone else who reports).
- ``…/<table>.csv`` and ``.xlsx``: each table as shown.

Aggregates only, disclosed once for the whole country (reports.comparison). Another region's
id, or one with none of your trusts, is a 404 (reports.permissions)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from . import comparison, exports
from .comparison_chart import comparison_chart
from .comparison_selectors import ComparisonFilter
from .disclosure import small_text, threshold
from .forms import ComparisonFilterForm
from .permissions import comparison_scope
from .views import _private


def _filtered(request):
    form = ComparisonFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    return form, form.comparison_filter() if valid else ComparisonFilter()


def _scope(request, region_id):
    """(title, the region or None, the units shown) for the request's page, or 404/403."""
    return comparison_scope(request.user, region_id)


def _charts(c, shown, region) -> list[dict]:
    """Each shown trust's completion and 12-month leadership rate, with the region's and
    England's marked; on the national page, each region's, with England's."""
    bars = [u for u in shown if u.is_trust] if region else c.regions()
    lines = ([c.units[comparison.region_key_of(region)]] if region else []) + [
        c.units[comparison.NATIONAL]
    ]
    charts = []
    for slug, title, cell in (
        ("completion", "Completion rate", lambda u: comparison._participation(c, u)[3]),
        ("leadership-12", "Share of clinicians in a leadership role 12 months after completing",
         lambda u: comparison._leadership(c, u)[3]),
    ):  # fmt: skip
        charts.append(
            comparison_chart(
                slug,
                title,
                [(u.label, cell(u)) for u in bars],
                [(comparison._row_label(u), cell(u)) for u in lines],
            )
        )
    return charts


def _build(request, region_id, scope=None):
    title, region, trust_ids = scope or _scope(request, region_id)
    form, report_filter = _filtered(request)
    context = {"title": title, "region": region, "form": form}
    if form.errors:
        return context
    c = comparison.build(report_filter)
    region_key = comparison.region_key_of(region) if region else None
    shown = comparison.visible_units(c, region_key=region_key, trust_ids=trust_ids)
    context |= {
        "tables": comparison.tables(c, shown),
        "charts": _charts(c, shown, region),
        # A reporting lead sees their own trust's row, not the rest of the region's.
        "partial": region is not None and len(trust_ids) < len(c.trusts_of(region_key)),
        "query": request.GET.urlencode(),
        "filter": report_filter,
    }
    return context


@login_required
@require_GET
def region_comparison(request, region_id: int):
    context = _build(request, region_id)
    return _private(render(request, "reports/comparison.html", context))


@login_required
@require_GET
def national_comparison(request):
    context = _build(request, None)
    return _private(render(request, "reports/comparison.html", context))


def _sheet_rows(table, title: str, report_filter) -> list[list]:
    rows = [
        [table.title],
        [f"Comparison: {title}"],
        [f"Filters: {exports._filters_text(report_filter)}"],
        [
            f"{small_text()}: between 1 and {threshold() - 1}. *: hidden so that a small "
            "number cannot be worked out from the others (in its row, its region or England)."
        ],
        *([note] for note in table.notes),
        [],
        [table.label_heading, *table.columns],
    ]
    return rows + [[row.label, *row.cells] for row in table.rows]


@login_required
@require_GET
def comparison_download(request, table: str, export_format: str, region_id: int | None = None):
    scope = _scope(request, region_id)  # refuse before saying whether the download exists
    if export_format not in exports.FORMATS or table not in comparison.TABLES:
        raise Http404("No such download.")
    context = _build(request, region_id, scope)
    if "tables" not in context:
        # The page says what is wrong with the filters; a download cannot.
        page = (
            reverse("reports:compare_region", args=[region_id])
            if region_id is not None
            else reverse("reports:compare_national")
        )
        return redirect(f"{page}?{request.GET.urlencode()}")
    shown = context["tables"][table]
    rows = _sheet_rows(shown, context["title"], context["filter"])
    name = f"{slugify(context['title'])}-{shown.slug}"
    return _private(
        exports.file_response(rows, name=name, sheet=shown.slug, export_format=export_format)
    )
