"""The participant's self-assessment at /learn/self-assessment/<enrolment>/before|after/, and
the follow-up survey at /survey/<token>/ (answered from the emailed link, without signing in:
the signed link is the credential, and the page shows only the person's first name)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from people.permissions import visible
from programmes.models import Enrolment

from . import links, selectors, services
from .dimensions import Stage
from .forms import SelfAssessmentForm, SurveyForm
from .links import Refusal

REFUSAL_STATUS = {Refusal.INVALID: 400, Refusal.EXPIRED: 410, Refusal.ANSWERED: 410}


def _never_stored(response):
    patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request, enrolment_id: int, stage: str):
    enrolment = (
        visible(request.user, Enrolment)
        .filter(pk=enrolment_id, person_id=request.user.pk)
        .select_related("cohort__programme")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    if selectors.stage_done(enrolment, stage):
        messages.info(request, "You have already rated yourself at this stage.")
        return redirect("cms:my_learning")
    form = SelfAssessmentForm(request.POST if request.method == "POST" else None)
    refusal = None
    if enrolment.status not in services.STAGE_STATUSES[Stage(stage)]:
        refusal = (
            "You can rate yourself before the programme while you are enrolled on it."
            if stage == Stage.BEFORE
            else "You can rate yourself after the programme once you have completed it."
        )
    elif request.method == "POST" and form.is_valid():
        try:
            services.self_assessment_create(
                enrolment=enrolment, stage=stage, ratings=form.ratings()
            )
        except services.OutcomeError as error:
            refusal = str(error)
        else:
            messages.success(request, "Thank you: your self-assessment is saved.")
            return redirect("cms:my_learning")
    context = {
        "enrolment": enrolment,
        "cohort": enrolment.cohort,
        "stage": stage,
        "before": stage == Stage.BEFORE,
        "form": form,
        "refusal": refusal,
    }
    status = 400 if request.method == "POST" or refusal else 200
    return _never_stored(render(request, "outcomes/self_assessment.html", context, status=status))


def _refused(request, state):
    context = {
        "refusal": state.refusal,
        "Refusal": Refusal,
        "valid_days": settings.SURVEY_LINK_VALID_DAYS,
    }
    return _never_stored(
        render(
            request,
            "outcomes/survey_refused.html",
            context,
            status=REFUSAL_STATUS.get(state.refusal, 400),
        )
    )


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    state = links.read_token(token)
    if not state.usable:
        return _refused(request, state)
    invitation = state.invitation
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                token=token,
                relationship=form.cleaned_data["relationship"],
                outlook=form.cleaned_data["outlook"],
                role_title=form.cleaned_data["role_title"],
                role_category=form.cleaned_data["role_category"],
                replaces_previous=form.cleaned_data["replaces"] == "replaces",
            )
        except services.SurveyRefused as refused:
            return _refused(request, refused.state)  # answered in another tab meanwhile
        except services.OutcomeError as error:
            form.add_error(None, str(error))
        else:
            return _never_stored(render(request, "outcomes/survey_thanks.html"))
    context = {
        "form": form,
        "first_name": invitation.enrolment.person.first_name,
        "twelve_months": invitation.kind == "twelve_months",
    }
    status = 400 if request.method == "POST" else 200
    return _never_stored(render(request, "outcomes/survey.html", context, status=status))
