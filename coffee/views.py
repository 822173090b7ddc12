"""A person's Tandem coffee page (/learn/coffee/): what it is, whether they take part (opt in
or out, a POST with CSRF), this round's match and past ones, and a "We met" button per
match. Only a member of a match may press its button: anyone else's match id is a 404 and
saves nothing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .models import CoffeeScheme, SharedSpace
from .periods import period_word
from .permissions import own_memberships


class TakingPartForm(forms.Form):
    taking_part = forms.TypedChoiceField(
        choices=[("yes", "Take part"), ("no", "Stop taking part")],
        coerce=lambda value: value == "yes",
    )


def _private(response):
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def home(request):
    """Queries: the trust's scheme (with the trust), my_rounds' three (memberships, their
    members, carry-overs), the opt-in and the active spaces."""
    person = request.user
    context = {"person": person, "has_trust": person.trust_id is not None}
    if person.trust_id is not None:
        scheme = (
            CoffeeScheme.objects.select_related("trust").filter(trust_id=person.trust_id).first()
        )
        rounds = selectors.my_rounds(person)
        current = rounds[0] if rounds and scheme and _is_current(rounds[0], scheme) else None
        context.update(
            opt_in=selectors.opt_in_of(person),
            scheme=scheme,
            when=period_word(scheme.frequency) if scheme else "",
            spaces=list(
                SharedSpace.objects.filter(trust_id=person.trust_id, active=True).order_by("name")
            ),
            current=current,
            past=[row for row in rounds if row is not current],
            has_group=bool(person.professional_group),
            trust=scheme.trust if scheme else person.trust,
        )
    return _private(render(request, "coffee/home.html", context))


def _is_current(row, scheme) -> bool:
    return row.round.period_start == selectors.current_period_start(scheme, timezone.localdate())


@login_required
@require_POST
def taking_part(request):
    form = TakingPartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to take part.")
        return redirect("coffee:home")
    opted_in = form.cleaned_data["taking_part"]
    try:
        services.coffee_opt_set(person=request.user, opted_in=opted_in)
    except services.CoffeeError as error:
        messages.error(request, str(error))
        return redirect("coffee:home")
    if opted_in:
        messages.success(
            request,
            "You are taking part in Tandem coffee. You will be matched in the next round.",
        )
    else:
        messages.success(
            request, "You have stopped taking part. You will not be matched in future rounds."
        )
    return redirect("coffee:home")


@login_required
@require_POST
def we_met(request, match_id: int):
    member = own_memberships(request.user).filter(match_id=match_id).select_related("match").first()
    if member is None:
        raise Http404("No such match.")
    services.coffee_met_mark(member=member)
    messages.success(request, "Thank you: we have noted that you met.")
    return redirect("coffee:home")
