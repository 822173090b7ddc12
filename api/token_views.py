"""The account page's API tokens (/accounts/api-tokens/): make one (shown once, on the page
that made it), see yours with when each was last used, revoke one. Staff need two-factor
authentication set up first, as for any staff page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from accounts.middleware import has_totp, needs_two_factor
from people.permissions import get_visible_or_404, visible

from . import services
from .forms import TokenForm
from .models import ApiToken

MADE_KEY = "_api_token_made"


def _never_stored(response):
    # The page that shows a new token must not be kept by the browser or anything between.
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    user = request.user
    if not services.may_hold_tokens(user):
        raise PermissionDenied("API tokens are for staff and facilitators.")
    needs_2fa = needs_two_factor(user) and not has_totp(user)
    form = TokenForm(request.POST or None)
    # A new token is shown once, on the page the redirect after making it leads to (so a
    # reload cannot make a second): held in the session until that page is shown.
    made = request.session.pop(MADE_KEY, None) if request.method == "GET" else None
    status = 200
    if request.method == "POST" and not needs_2fa:
        if form.is_valid():
            try:
                _, made = services.api_token_create(
                    owner=user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_on=form.cleaned_data["expires_on"],
                    request=request,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                request.session[MADE_KEY] = made
                return redirect("api_tokens:list")
        if form.errors:
            status = 400
    context = {
        "form": form,
        "made": made,
        "needs_2fa": needs_2fa,
        "tokens": visible(user, ApiToken).filter(owner=user),
    }
    return _never_stored(render(request, "api/tokens.html", context, status=status))


@login_required
@require_POST
def revoke(request, token_id: int):
    row = get_visible_or_404(request.user, ApiToken, pk=token_id)
    if services.api_token_revoke(api_token=row, by=request.user, request=request):
        messages.success(request, f"The token “{row.name}” is revoked: it no longer works.")
    else:
        messages.info(request, f"The token “{row.name}” was already revoked.")
    return redirect("api_tokens:list")
