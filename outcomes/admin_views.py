"""The survey answers' wording, at /admin/outcomes/labels/: a superuser (a national
administrator) changes the words shown for each answer; stored answers are numbers and do
not change."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from people.services import is_active_superuser

from .forms import LabelsForm
from .labels import labels_save


@require_http_methods(["GET", "POST"])
def answer_labels(request):
    if not is_active_superuser(request.user):
        raise PermissionDenied
    form = LabelsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changed = labels_save(changes=form.changes())
        messages.success(request, f"Saved: {changed} label{'s' if changed != 1 else ''} changed.")
        return redirect("outcomes_admin:labels")
    return TemplateResponse(request, "outcomes/admin/labels.html", {"form": form})
