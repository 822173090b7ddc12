"""The participant's pages under /learn/: enrolling in a cohort, and withdrawing from one.
Every write goes through programmes.services; each refusal it raises is shown on the page in
its own words, with nothing written."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from people.permissions import visible

from . import services
from .forms import EnrolForm, WithdrawForm
from .models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from .selectors import waitlist_position


def _private(response):
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _enrollable_cohort(cohort_id: int) -> Cohort:
    """A published cohort (open or not: a closed window gets its own page); 404 for drafts,
    cancelled cohorts and unknown ids, so none of those is confirmed to exist."""
    cohort = (
        Cohort.objects.select_related("programme", "host_trust")
        .filter(pk=cohort_id, status=CohortStatus.PUBLISHED)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def _success_message(enrolment: Enrolment) -> str:
    where = f"{enrolment.cohort.programme.title}, {enrolment.cohort.name}"
    if enrolment.status == EnrolmentStatus.ENROLLED:
        return f"You are enrolled in {where}."
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        place = waitlist_position(enrolment)
        return (
            f"{where} is full for now, so you are on the waiting list: you are number {place}. "
            "We will email you if a place becomes free."
        )
    return (
        f"Your application for {where} is waiting for your sponsor's approval. "
        "We will ask your sponsor and tell you their answer."
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request, cohort_id: int):
    cohort = _enrollable_cohort(cohort_id)
    person = request.user
    now = timezone.now()
    context = {
        "cohort": cohort,
        "person": person,
        "profile_url": f"/accounts/profile/?next={quote(request.path)}",
    }
    if not cohort.is_open_for_enrolment(now):
        context["not_yet_open"] = now < cohort.enrolment_opens_at
        return _private(render(request, "programmes/enrol_closed.html", context))

    existing = Enrolment.objects.live().filter(person=person, cohort=cohort).first()
    form = EnrolForm(
        request.POST if request.method == "POST" else None,
        needs_sponsor=cohort.requires_sponsor_approval,
        partner_for=person,
        # The sponsor on the profile, offered again; what is entered here is kept there.
        initial={"sponsor_name": person.sponsor_name, "sponsor_email": person.sponsor_email},
    )
    refusal = None
    if request.method == "POST" and existing is None and form.is_valid():
        data = form.cleaned_data
        if data.get("partner_email"):
            return _invite_partner(request, cohort, form, context)
        try:
            enrolment = services.enrolment_create(
                person=person,
                cohort=cohort,
                by=person,
                goals=data["goals"],
                baseline_relationship=data["baseline_relationship"],
                baseline_outlook=data["baseline_outlook"],
                current_role=data["current_role"],
                sponsor_name=data.get("sponsor_name", ""),
                sponsor_email=data.get("sponsor_email", ""),
            )
        except services.EnrolmentError as error:
            refusal = str(error)
        else:
            messages.success(request, _success_message(enrolment))
            return redirect("cms:my_learning")
    context |= {
        "form": form,
        "existing": existing,
        "refusal": refusal,
        "seats": services.cohort_seats(cohort, now=now),
        "missing_profile": person.missing_profile_fields,
    }
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "programmes/enrol.html", context, status=status))


def _invite_partner(request, cohort: Cohort, form: EnrolForm, context: dict):
    """The enrolment form named a colleague: invite them instead of enrolling now."""
    data = form.cleaned_data
    try:
        application = services.pair_invite(
            inviter=request.user,
            cohort=cohort,
            invitee_email=data["partner_email"],
            answers=form.answers(),
            message=data.get("partner_message", ""),
        )
    except services.EnrolmentError as error:
        context |= {
            "form": form,
            "existing": None,
            "refusal": str(error),
            "seats": services.cohort_seats(cohort),
            "missing_profile": request.user.missing_profile_fields,
        }
        return _private(render(request, "programmes/enrol.html", context, status=400))
    messages.success(
        request,
        f"We have invited {application.invitee_email} to apply with you for "
        f"{cohort.programme.title}, {cohort.name}. When they accept, you are enrolled together, "
        "or join the waiting list together.",
    )
    return redirect("cms:my_learning")


def _own_enrolment(request, enrolment_id: int) -> Enrolment:
    """The signed-in person's own enrolment, or 404: nobody withdraws someone else here (an
    administrator does it from the admin, with a reason)."""
    enrolment = (
        visible(request.user, Enrolment)
        .filter(pk=enrolment_id, person_id=request.user.pk)
        .select_related("cohort__programme", "cohort__host_trust")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    return enrolment


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, enrolment_id: int):
    enrolment = _own_enrolment(request, enrolment_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    refusal = None
    if not enrolment.is_live:
        refusal = "You have already withdrawn from this cohort."
    elif request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(
                enrolment=enrolment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.EnrolmentError as error:
            refusal = str(error)
        else:
            messages.success(
                request,
                f"You have withdrawn from {enrolment.cohort.programme.title}, "
                f"{enrolment.cohort.name}.",
            )
            return redirect("cms:my_learning")
    context = {"enrolment": enrolment, "form": form, "refusal": refusal}
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "programmes/withdraw.html", context, status=status))
