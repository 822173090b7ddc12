"""The pair's pages under /learn/pairing/: my pairings, interests and schemes; the pair page
(agreement, hours against target, shadowing visits, meetings, project) and its forms.

The pair page is the pair's and their facilitators' only (pairing.permissions.
private_pairing_ids): anyone else gets a 404, so a pairing's existence is not confirmed to
them. Every write goes through pairing.services; a refusal is shown on the form it came from,
with nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from people.permissions import visible

from . import services
from .forms import (
    AgreementForm,
    CommentForm,
    InterestsForm,
    MeetingForm,
    ProjectForm,
    QueryForm,
    VisitForm,
)
from .models import (
    ImprovementProject,
    Pairing,
    PairingProfile,
    PairingScheme,
    PairingStatus,
    SchemeMember,
    ShadowingVisit,
    VisitStatus,
)
from .permissions import private_pairing_ids
from .selectors import is_quiet, last_activity, with_progress


def _private(response):
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def _pairing_for(user, pairing_id: int) -> Pairing:
    pairing = (
        with_progress(Pairing.objects.filter(pk__in=private_pairing_ids(user)))
        .select_related(
            "clinician", "manager", "cohort__programme", "cohort__host_trust", "scheme__trust"
        )
        .filter(pk=pairing_id)
        .first()
    )
    if pairing is None:
        raise Http404("No such pairing.")
    return pairing


@login_required
@require_http_methods(["GET"])
def my_pairing(request):
    """My pairings, what I would like to learn about, and the schemes open at my trust."""
    person = request.user
    pairings = list(
        with_progress(Pairing.objects.of(person))
        .select_related("clinician", "manager", "cohort__programme", "scheme")
        .order_by("status", "-proposed_at")
    )
    profile = PairingProfile.objects.filter(person=person).first()
    joined = set(SchemeMember.objects.filter(person=person).values_list("scheme_id", flat=True))
    schemes = (
        PairingScheme.objects.filter(trust_id=person.trust_id)
        if person.trust_id
        else PairingScheme.objects.none()
    )
    today = timezone.localdate()
    schemes = [
        s
        for s in schemes
        if s.pk in joined or (s.is_open and (s.ends_on is None or s.ends_on >= today))
    ]
    context = {
        "pairings": [
            {"pairing": p, "partner": p.partner_of(person), "mine": _hours_of(p, person)}
            for p in pairings
        ],
        "interests_form": InterestsForm(
            initial={"interests": profile.interests if profile else []}
        ),
        "schemes": [{"scheme": s, "joined": s.pk in joined} for s in schemes],
    }
    return _private(render(request, "pairing/my_pairing.html", context))


def _hours_of(pairing, person):
    return pairing.clinician_hours if person.pk == pairing.clinician_id else pairing.manager_hours


@login_required
@require_POST
def interests(request):
    form = InterestsForm(request.POST)
    if form.is_valid():
        services.profile_update(person=request.user, interests=form.cleaned_data["interests"])
        messages.success(request, "Your interests are saved.")
    else:
        messages.error(request, "Choose interests from the list.")
    return redirect("pairing:mine")


def _scheme_for(user, scheme_id: int) -> PairingScheme:
    scheme = visible(user, PairingScheme).filter(pk=scheme_id).first()
    if scheme is None:
        raise Http404("No such scheme.")
    return scheme


@login_required
@require_POST
def scheme_join(request, scheme_id: int):
    scheme = _scheme_for(request.user, scheme_id)
    try:
        services.scheme_join(scheme=scheme, person=request.user)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, f"You have joined {scheme.name}. An administrator will pair you.")
    return redirect("pairing:mine")


@login_required
@require_POST
def scheme_leave(request, scheme_id: int):
    scheme = _scheme_for(request.user, scheme_id)
    try:
        services.scheme_leave(scheme=scheme, person=request.user)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, f"You have left {scheme.name}.")
    return redirect("pairing:mine")


# --- the pair page -------------------------------------------------------------------------


def _page(request, pairing: Pairing, *, status: int = 200, **forms):
    """The pair page, with any bound form (and its errors) in place of the empty one."""
    person = request.user
    member = pairing.has_member(person)
    visits = list(
        ShadowingVisit.objects.filter(pairing=pairing).select_related("shadower", "logged_by")
    )
    project = (
        ImprovementProject.objects.filter(pairing=pairing)
        .prefetch_related("comments__author")
        .first()
    )
    agreement = AgreementForm(
        initial={"goals": pairing.goals, "meeting_frequency": pairing.meeting_frequency}
    )
    project_form = ProjectForm(
        initial={
            name: getattr(project, name)
            for name in (
                "title",
                "problem",
                "aims",
                "measures",
                "status",
                "final_summary",
                "presented_on",
            )
        }
        if project
        else None
    )
    target = pairing.target_hours
    people = [
        {
            "person": p,
            "hours": _hours_of(pairing, p),
            "remaining": max(target - _hours_of(pairing, p), 0) if target else None,
        }
        for p in pairing.members()
    ]
    context = {
        "pairing": pairing,
        "member": member,
        "partner": pairing.partner_of(person) if member else None,
        "people": people,
        "target": target,
        "quiet": is_quiet(pairing),
        "last_activity": last_activity(pairing),
        "visits": visits,
        # Each visit to confirm has its own query form (prefixed by the visit), so the page
        # has no two fields with one id.
        "to_confirm": [
            {
                "visit": v,
                "form": forms["query_form"]
                if forms.get("query_visit_id") == v.pk
                else QueryForm(prefix=f"visit-{v.pk}"),
            }
            for v in visits
            if v.status == VisitStatus.LOGGED and v.logged_by_id != person.pk
        ]
        if member
        else [],
        "meetings": list(pairing.meetings.select_related("logged_by")),
        "project": project,
        "active": pairing.status == PairingStatus.ACTIVE,
        "ended": pairing.status == PairingStatus.ENDED,
        "agreement_form": forms.get("agreement_form", agreement),
        "visit_form": forms.get("visit_form", VisitForm()),
        "meeting_form": forms.get("meeting_form", MeetingForm()),
        "project_form": forms.get("project_form", project_form),
        "comment_form": forms.get("comment_form", CommentForm()),
        "query_visit_id": forms.get("query_visit_id"),
    }
    context["all_forms"] = [
        context[name]
        for name in (
            "agreement_form",
            "visit_form",
            "meeting_form",
            "project_form",
            "comment_form",
        )
    ]
    if "query_form" in forms:
        context["all_forms"].append(forms["query_form"])
    context["has_errors"] = any(form.errors for form in context["all_forms"])
    return _private(render(request, "pairing/pair.html", context, status=status))


@login_required
@require_http_methods(["GET"])
def pair(request, pairing_id: int):
    return _page(request, _pairing_for(request.user, pairing_id))


def _handle(request, pairing, form_name: str, form, save, success: str, anchor: str):
    """Validate ``form``, call ``save(data)`` (a service), and redirect back to the pair page
    at ``anchor``; on any refusal show the page with the form's errors."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, success)
            return redirect(f"{pairing.get_absolute_url()}#{anchor}")
    return _page(request, pairing, status=400, **{form_name: form})


@login_required
@require_POST
def agreement(request, pairing_id: int):
    pairing = _pairing_for(request.user, pairing_id)
    return _handle(
        request,
        pairing,
        "agreement_form",
        AgreementForm(request.POST),
        lambda data: services.agreement_update(pairing=pairing, by=request.user, **data),
        "Your agreement is saved.",
        "agreement",
    )


@login_required
@require_POST
def visit_log(request, pairing_id: int):
    pairing = _pairing_for(request.user, pairing_id)
    person = request.user

    def save(data):
        if not pairing.has_member(person):
            raise ValidationError("Only the two people in the pair log their visits.")
        shadower = person if data["who"] == "me" else pairing.partner_of(person)
        services.visit_log(
            pairing=pairing,
            by=person,
            shadower=shadower,
            visited_on=data["visited_on"],
            hours=data["hours"],
            setting=data["setting"],
            setting_other=data["setting_other"],
            reflection=data["reflection"],
        )

    return _handle(
        request,
        pairing,
        "visit_form",
        VisitForm(request.POST),
        save,
        "The visit is logged. Your partner is asked to confirm it.",
        "visits",
    )


def _visit_for(user, visit_id: int) -> ShadowingVisit:
    visit = (
        ShadowingVisit.objects.filter(pk=visit_id, pairing__in=private_pairing_ids(user))
        .select_related("pairing")
        .first()
    )
    if visit is None:
        raise Http404("No such visit.")
    return visit


@login_required
@require_POST
def visit_confirm(request, visit_id: int):
    visit = _visit_for(request.user, visit_id)
    try:
        services.visit_confirm(visit=visit, by=request.user)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request, f"Confirmed: {visit.hours} hours on {visit.visited_on:%-d %B %Y}."
        )
    return redirect(f"{visit.pairing.get_absolute_url()}#visits")


@login_required
@require_POST
def visit_query(request, visit_id: int):
    visit = _visit_for(request.user, visit_id)
    pairing = _pairing_for(request.user, visit.pairing_id)
    form = QueryForm(request.POST, prefix=f"visit-{visit.pk}")
    if form.is_valid():
        try:
            services.visit_query(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(request, "Your partner is asked to correct the visit.")
            return redirect(f"{pairing.get_absolute_url()}#visits")
    return _page(request, pairing, status=400, query_form=form, query_visit_id=visit.pk)


@login_required
@require_POST
def visit_delete(request, visit_id: int):
    visit = _visit_for(request.user, visit_id)
    try:
        services.visit_delete(visit=visit, by=request.user)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "The visit is removed.")
    return redirect(f"{visit.pairing.get_absolute_url()}#visits")


@login_required
@require_POST
def meeting_log(request, pairing_id: int):
    pairing = _pairing_for(request.user, pairing_id)
    return _handle(
        request,
        pairing,
        "meeting_form",
        MeetingForm(request.POST),
        lambda data: services.meeting_log(pairing=pairing, by=request.user, **data),
        "The meeting is logged.",
        "meetings",
    )


@login_required
@require_POST
def project(request, pairing_id: int):
    pairing = _pairing_for(request.user, pairing_id)
    return _handle(
        request,
        pairing,
        "project_form",
        ProjectForm(request.POST),
        lambda data: services.project_save(pairing=pairing, by=request.user, **data),
        "Your project is saved.",
        "project",
    )


@login_required
@require_POST
def project_comment(request, pairing_id: int):
    pairing = _pairing_for(request.user, pairing_id)
    project = ImprovementProject.objects.filter(pairing=pairing).first()
    if project is None:
        raise Http404("This pair has no project yet.")
    return _handle(
        request,
        pairing,
        "comment_form",
        CommentForm(request.POST),
        lambda data: services.project_comment_add(
            project=project, by=request.user, body=data["body"]
        ),
        "Your comment is added.",
        "project",
    )
