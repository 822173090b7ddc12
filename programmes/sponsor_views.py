"""The sponsor's page, at /sponsor/<token>/ (config/urls.py), and the participant's "send the
request again" at /learn/enrolments/<id>/sponsor/.

The sponsor needs no account: the signed token (programmes.sponsors) is their authority. A
GET only shows the application — mail scanners and link previews open every link, so a GET
must never answer it; the buttons POST, with CSRF, to the same address. A link that cannot
be used gets a page saying why and what to do, with a 4xx status, never a 500, and shows no
more than the person holding the link was sent.

Not rate-limited: a token is a 128-bit random nonce under an HMAC-SHA256 signature, so no
amount of guessing finds one, and a wrong one costs one signature check and no query. What
is worth limiting is the participant re-sending requests to their sponsor, which
services.sponsor_request_resend does (once an hour).

Pages about the application are private and never stored (``Cache-Control: private,
no-store``): they name a person, and the token is in the address.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from people.permissions import visible

from . import services, sponsors
from .models import Enrolment, EnrolmentStatus
from .sponsors import Refusal

# The status of each refusal: the link is malformed (400), or was good and is no longer
# (410 Gone: expired, answered, superseded, withdrawn).
REFUSAL_STATUS = {
    Refusal.INVALID: 400,
    Refusal.EXPIRED: 410,
    Refusal.ANSWERED: 410,
    Refusal.WITHDRAWN: 410,
    Refusal.SUPERSEDED: 410,
}


def _never_stored(response):
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    return response


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why are you declining? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="We pass this on to the applicant.",
        error_messages={"max_length": "Keep your reason under 1,000 characters."},
    )


def _refused(request, state, *, status=None):
    context = {
        "state": state,
        "refusal": state.refusal,
        "Refusal": Refusal,
        "valid_days": settings.SPONSOR_LINK_VALID_DAYS,
    }
    if state.enrolment is not None:
        context["person"] = state.enrolment.person
    return _never_stored(
        render(
            request,
            "programmes/sponsor_refused.html",
            context,
            status=status or REFUSAL_STATUS.get(state.refusal, 400),
        )
    )


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    state = sponsors.read_token(token)
    if not state.usable:
        return _refused(request, state)
    enrolment = state.enrolment
    if request.user.is_authenticated and request.user.pk == enrolment.person_id:
        # The applicant holding their own sponsor's link (forwarded, or a second address of
        # theirs given as the sponsor's): nobody approves their own place.
        return _never_stored(
            render(request, "programmes/sponsor_own.html", {"cohort": enrolment.cohort}, status=403)
        )
    decline_form = DeclineForm()
    error = None
    if request.method == "POST":
        choice = request.POST.get("answer")
        try:
            if choice == "approve":
                done = services.sponsor_approve(token=token)
                return _answered(request, done)
            if choice == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    done = services.sponsor_decline(
                        token=token, reason=decline_form.cleaned_data["reason"]
                    )
                    return _answered(request, done)
            else:
                error = "Choose Approve or Decline."
        except services.SponsorLinkRefused as refused:
            # Answered (or withdrawn, or sent again) between the page and the click.
            return _refused(request, refused.state)
    context = {
        "enrolment": enrolment,
        "person": enrolment.person,
        "cohort": enrolment.cohort,
        "decline_form": decline_form,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return _never_stored(render(request, "programmes/sponsor_answer.html", context, status=status))


def _answered(request, enrolment):
    context = {
        "enrolment": enrolment,
        "person": enrolment.person,
        "cohort": enrolment.cohort,
        "approved": enrolment.status != EnrolmentStatus.WITHDRAWN,
        "waitlisted": enrolment.status == EnrolmentStatus.WAITLISTED,
    }
    return _never_stored(render(request, "programmes/sponsor_answered.html", context))


# --- the participant sends the request again ------------------------------------------------


class ResendForm(forms.Form):
    sponsor_name = forms.CharField(
        label="Your sponsor's full name",
        max_length=200,
        error_messages={"required": "Enter your sponsor's full name."},
    )
    sponsor_email = forms.EmailField(
        label="Your sponsor's email address",
        max_length=254,
        help_text="Change it if the first request went to the wrong person.",
        error_messages={
            "required": "Enter your sponsor's email address.",
            "invalid": "Enter an email address like name@nhs.net.",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resend(request, enrolment_id: int):
    enrolment = (
        visible(request.user, Enrolment)
        .filter(pk=enrolment_id, person_id=request.user.pk)
        .select_related("cohort__programme", "cohort__host_trust")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    initial = {"sponsor_name": enrolment.sponsor_name, "sponsor_email": enrolment.sponsor_email}
    form = ResendForm(request.POST if request.method == "POST" else None, initial=initial)
    refusal = None
    if enrolment.status != EnrolmentStatus.PENDING_APPROVAL:
        refusal = "This application is no longer waiting for your sponsor's approval."
    elif request.method == "POST" and form.is_valid():
        try:
            enrolment = services.sponsor_request_resend(
                enrolment=enrolment,
                by=request.user,
                sponsor_name=form.cleaned_data["sponsor_name"],
                sponsor_email=form.cleaned_data["sponsor_email"],
            )
        except services.EnrolmentError as error:
            refusal = str(error)
        else:
            messages.success(
                request,
                f"We have emailed {enrolment.sponsor_name} a new link to approve your place. "
                "The old link no longer works.",
            )
            return redirect("cms:my_learning")
    context = {
        "enrolment": enrolment,
        "cohort": enrolment.cohort,
        "form": form,
        "refusal": refusal,
    }
    status = 400 if request.method == "POST" else 200
    return _never_stored(render(request, "programmes/sponsor_resend.html", context, status=status))
