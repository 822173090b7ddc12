""" "Does it work?" at /reports/effect/: completers against a comparison group, for one trust
at a time (reports.effect_selectors builds the groups, reports.effect does the statistics,
reports.effect_chart draws the curves), and each of its two tables as CSV or XLSX
(reports.effect_exports)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from . import effect, effect_chart, effect_exports, exports
from .disclosure import disclose_one, threshold
from .effect_selectors import effect_groups, effect_trusts_visible_to
from .views import _private


@require_GET
@login_required
def effect_choose(request):
    """The trusts one may see the estimate for; straight to it when there is one."""
    trusts = list(effect_trusts_visible_to(request.user).only("pk", "name", "ods_code")[:501])
    if not trusts:
        raise Http404("No trust's reports are yours to see.")
    if len(trusts) == 1:
        return redirect("reports:effect_trust", trust_id=trusts[0].pk)
    return render(request, "reports/effect_choose.html", {"trusts": trusts[:500]})


def _trust_or_404(request, trust_id: int):
    # Another trust's id is a 404, as for every scoped record (people.permissions).
    trust = effect_trusts_visible_to(request.user).filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust among those whose reports you may see.")
    return trust


def _estimate(trust) -> dict:
    """The disclosed figures, the same for the page and its downloads."""
    groups = effect_groups(trust)
    completers = effect.estimate("Completed a programme", groups["completers"])
    comparison = effect.estimate("Comparison group (did not enrol)", groups["comparison"])
    return {
        "groups": [completers, comparison],
        "excluded": {
            "completers": disclose_one(groups["completers_excluded"]),
            "comparison": disclose_one(groups["comparison_excluded"]),
        },
        "today": groups["today"],
    }


@require_GET
@login_required
def effect_for_trust(request, trust_id: int):
    trust = _trust_or_404(request, trust_id)
    figures = _estimate(trust)
    # Private, as the dashboards are: a trust's figures are not for a shared cache.
    return _private(
        render(
            request,
            "reports/effect.html",
            {
                "trust": trust,
                **figures,
                "chart": effect_chart.survival_chart(figures["groups"]),
                "rate_chart": effect_chart.rate_chart(figures["groups"]),
                "threshold": threshold(),  # for the page's words, not for deciding
                "windows": effect.WINDOWS,
            },
        )
    )


@require_GET
@login_required
def effect_download(request, trust_id: int, table: str, export_format: str):
    trust = _trust_or_404(request, trust_id)  # refuse before saying whether the file exists
    if table not in effect_exports.TABLES or export_format not in exports.FORMATS:
        raise Http404("No such download.")
    rows = effect_exports.sheet_rows(table, trust=trust, **_estimate(trust))
    name = f"{slugify(trust.ods_code)}-effect-{table}"
    return _private(
        exports.file_response(rows, name=name, sheet=f"effect-{table}", export_format=export_format)
    )
