"""A pair invitation's page under /learn/pairs/<id>/: the colleague it was sent to accepts
(answering the same enrolment questions) or declines; the person who sent it sees where it
stands and may cancel it. Anyone else gets 404, so an invitation's existence is not told."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from people.permissions import visible

from . import services
from .forms import EnrolForm, PairAnswerForm
from .models import EnrolmentStatus, PairApplication
from .views import _private


def _application_for(request, application_id: int) -> tuple[PairApplication, str]:
    """The invitation and the viewer's part in it ("invitee" or "inviter"), or 404. Staff
    who may see it in the admin are not a party to it, so they get 404 here too."""
    application = (
        visible(request.user, PairApplication)
        .filter(pk=application_id)
        .select_related("cohort__programme", "cohort__host_trust", "inviter__trust")
        .first()
    )
    if application is None:
        raise Http404("No such invitation.")
    if application.inviter_id == request.user.pk:
        return application, "inviter"
    if (request.user.email or "").lower() == application.invitee_email:
        return application, "invitee"
    raise Http404("No such invitation.")


def _placed_message(enrolment) -> str:
    where = f"{enrolment.cohort.programme.title}, {enrolment.cohort.name}"
    if enrolment.status == EnrolmentStatus.ENROLLED:
        return f"You and your colleague are enrolled together in {where}."
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        return (
            f"{where} has no places for you both yet, so you are on the waiting list together. "
            "We will email you both when places become free."
        )
    return (
        f"Your applications for {where} are waiting for your sponsors' approval. We will ask "
        "your sponsors and tell you their answers."
    )


@login_required
@require_http_methods(["GET", "POST"])
def pair_invitation(request, application_id: int):
    application, part = _application_for(request, application_id)
    cohort = application.cohort
    answering = part == "invitee" and application.is_open and cohort.is_open_for_enrolment()
    form = None
    refusal = None
    if answering:
        form = EnrolForm(
            request.POST if request.method == "POST" else None,
            needs_sponsor=cohort.requires_sponsor_approval,
            initial={
                "sponsor_name": request.user.sponsor_name,
                "sponsor_email": request.user.sponsor_email,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                _mine, theirs = services.pair_accept(
                    application=application, person=request.user, answers=form.answers()
                )
            except services.EnrolmentError as error:
                refusal = str(error)
            else:
                messages.success(request, _placed_message(theirs))
                return redirect("cms:my_learning")
    elif request.method == "POST":
        refusal = "This invitation can no longer be accepted."
    context = {
        "application": application,
        "cohort": cohort,
        "part": part,
        "form": form,
        "answer_form": PairAnswerForm(),
        "refusal": refusal,
        "person": request.user,
        "missing_profile": request.user.missing_profile_fields,
        "profile_url": f"/accounts/profile/?next={request.path}",
    }
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "programmes/pair_invitation.html", context, status=status))


@login_required
@require_POST
def pair_decline(request, application_id: int):
    application, part = _application_for(request, application_id)
    if part != "invitee":
        raise Http404("No such invitation.")
    form = PairAnswerForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.pair_decline(application=application, person=request.user, reason=reason)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect("programmes:pair_invitation", application_id=application.pk)
    messages.success(
        request,
        f"You declined {application.inviter.get_full_name()}'s invitation. We have told them.",
    )
    return redirect("cms:my_learning")


@login_required
@require_POST
def pair_cancel(request, application_id: int):
    application, part = _application_for(request, application_id)
    if part != "inviter":
        raise Http404("No such invitation.")
    try:
        services.pair_cancel(application=application, by=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect("programmes:pair_invitation", application_id=application.pk)
    messages.success(request, f"You cancelled your invitation to {application.invitee_email}.")
    return redirect("cms:my_learning")
