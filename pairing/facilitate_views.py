"""The pairs a facilitator supports (/learn/facilitate/pairs/): hours against target, the
last meeting or visit, and who has gone quiet, so they know whom to call. Under
/learn/facilitate/, with the two-factor rule for staff roles (accounts.middleware)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from .models import Pairing
from .permissions import supported_pairing_ids
from .selectors import pair_rows, quiet_after_weeks_default


@login_required
@require_http_methods(["GET"])
def supported_pairs(request):
    pairings = Pairing.objects.filter(pk__in=supported_pairing_ids(request.user)).order_by(
        "status", "cohort_id", "scheme_id", "pk"
    )
    rows = pair_rows(pairings)  # one query, whatever the number of pairs
    rows.sort(key=lambda r: (not r.quiet, r.pairing.status, r.pairing.pk))
    response = render(
        request,
        "pairing/supported_pairs.html",
        {
            "rows": rows,
            "quiet": [r for r in rows if r.quiet],
            "quiet_weeks": quiet_after_weeks_default(),
        },
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response
