""" "Does it work?" at /reports/effect/: completers against a comparison group, for one trust
at a time (reports.effect_selectors builds the groups, reports.effect does the statistics,
reports.effect_chart draws the curves)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import effect, effect_chart
from .disclosure import disclose_one, threshold
from .effect_selectors import effect_groups, effect_trusts_visible_to


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


@require_GET
@login_required
def effect_for_trust(request, trust_id: int):
    # Another trust's id is a 404, as for every scoped record (people.permissions).
    trust = effect_trusts_visible_to(request.user).filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust among those whose reports you may see.")
    groups = effect_groups(trust)
    completers = effect.estimate("Completed a programme", groups["completers"])
    comparison = effect.estimate("Comparison group (did not enrol)", groups["comparison"])
    return render(
        request,
        "reports/effect.html",
        {
            "trust": trust,
            "groups": [completers, comparison],
            "excluded": {
                "completers": disclose_one(groups["completers_excluded"]),
                "comparison": disclose_one(groups["comparison_excluded"]),
            },
            "chart": effect_chart.survival_chart([completers, comparison]),
            "rate_chart": effect_chart.rate_chart([completers, comparison]),
            "today": groups["today"],
            "threshold": threshold(),  # for the page's words, not for deciding
            "windows": effect.WINDOWS,
        },
    )
