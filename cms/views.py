"""Views outside the page tree: site search, "My learning", and the learner's own progress
forms on module pages (POST, CSRF-protected, then redirect back: POST-redirect-GET)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from cms import selectors, services
from cms.forms import ReflectionForm
from cms.models import ModulePage, ModuleReflection
from cms.search import MAX_QUERY_LENGTH, site_search
from programmes.selectors import (
    enrolments_for,
    pair_invitations_for,
    runs_sessions,
    upcoming_sessions_for,
)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says; send them
    to the static file (its name carries a hash of its content in production). Temporary,
    and cached for a day, so a new icon is picked up rather than remembered for ever."""
    response = redirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


@require_GET
def search(request):
    outcome = site_search(
        request,
        query=request.GET.get("q", ""),
        topic_slug=request.GET.get("topic", ""),
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "cms/search.html",
        {"search": outcome, "max_query_length": MAX_QUERY_LENGTH},
    )


@login_required
@require_GET
def my_learning(request):
    """ "My learning": the person's enrolments (programmes.selectors), their progress through
    programmes' modules, their next sessions and their recent reflections. Certificates come
    later."""
    response = render(
        request,
        "cms/my_learning.html",
        {
            "enrolments": enrolments_for(request.user),
            "pair_invitations": pair_invitations_for(request.user),
            "sessions": upcoming_sessions_for(request.user),
            "runs_sessions": runs_sessions(request.user),
            "programmes": selectors.learning_overview(request.user),
            "reflections": selectors.recent_reflections(request.user),
        },
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _module_for(request, page_id: int) -> ModulePage:
    """The live module ``page_id`` if this request may view it; 404 otherwise, including
    for a module behind a restriction the person does not pass."""
    module = ModulePage.objects.live().filter(pk=page_id).first()
    if module is None or any(
        not restriction.accept_request(request) for restriction in module.get_view_restrictions()
    ):
        raise Http404("No such module.")
    return module


def _back_to(module: ModulePage, request, anchor: str):
    return redirect(f"{module.get_url(request)}#{anchor}")


def _confirm(request, text: str, *, beside: str) -> None:
    """A confirmation shown beside the form it answers (templates/cms/module_page.html puts
    messages tagged `beside` under that section's heading, where the redirect's anchor
    lands), not at the top of the page, thousands of pixels out of sight."""
    messages.success(request, text, extra_tags=beside)


@login_required
@require_POST
def module_progress(request, page_id: int):
    module = _module_for(request, page_id)
    if request.POST.get("completed") == "yes":
        services.module_progress_mark_complete(person=request.user, module=module)
        _confirm(request, f"You marked {module.title} as complete.", beside="progress")
    else:
        services.module_progress_clear(person=request.user, module=module)
        _confirm(request, f"{module.title} is no longer marked as complete.", beside="progress")
    return _back_to(module, request, "progress")


@login_required
@require_POST
def reflection_add(request, page_id: int):
    module = _module_for(request, page_id)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        services.module_reflection_add(
            person=request.user, module=module, text=form.cleaned_data["text"]
        )
        _confirm(request, "Your reflection is saved. Only you can see it.", beside="reflections")
        return _back_to(module, request, "reflections")
    # Show the module again with the error beside the field and the text kept.
    context = module.get_context(request)
    context["reflection_form"] = form
    response = TemplateResponse(request, module.get_template(request), context, status=400)
    patch_cache_control(response, private=True)
    return response


@login_required
@require_POST
def reflection_delete(request, reflection_id: int):
    try:
        reflection = services.module_reflection_delete(
            person=request.user, reflection_id=reflection_id
        )
    except ModuleReflection.DoesNotExist:
        raise Http404("No such reflection.") from None
    module = ModulePage.objects.live().filter(pk=reflection.module_id).first()
    if module is None:
        messages.success(request, "Your reflection was deleted.")
        return redirect("cms:my_learning")
    _confirm(request, "Your reflection was deleted.", beside="reflections")
    return _back_to(module, request, "reflections")
