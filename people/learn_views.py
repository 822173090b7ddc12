"""My roles (/learn/roles/): the signed-in person's own role history. They add a role (a POST
with CSRF to the same page) and end a role they still hold (a POST per role). Only their own
roles are ever shown or changed: anyone else's role id is a 404 and saves nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .models import RoleAppointment, RoleSource
from .permissions import get_visible_or_404, visible
from .role_forms import RoleEndForm, RoleForm, add_service_errors


def _own_roles(person):
    # Through the permissions module, and narrowed to the person: an administrator's own
    # page shows their roles, not their trust's.
    return visible(person, RoleAppointment.objects.filter(person=person))


def _render(request, *, form=None, end_forms=None, status=200):
    """Queries: the person's roles (one query, with their trust)."""
    roles = list(_own_roles(request.user).select_related("trust").order_by("-starts_on", "pk"))
    end_forms = end_forms or {}
    for role in roles:
        role.end_form = end_forms.get(role.pk) or RoleEndForm(prefix=f"end-{role.pk}")
    response = render(
        request,
        "people/my_roles.html",
        {
            "current": [role for role in roles if role.ends_on is None],
            "past": [role for role in roles if role.ends_on is not None],
            "form": form or RoleForm(),
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_roles(request):
    if request.method == "GET":
        return _render(request)
    form = RoleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            role = services.role_appointment_create(
                person=request.user,
                title=data["title"],
                category=data["category"],
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                source=RoleSource.SELF_REPORT,
                recorded_by=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added your role: {role.title}.")
            return redirect("roles:mine")
    return _render(request, form=form, status=400)


@login_required
@require_POST
def end_role(request, role_id: int):
    role = get_visible_or_404(
        request.user, RoleAppointment.objects.filter(person=request.user), pk=role_id
    )
    form = RoleEndForm(request.POST, prefix=f"end-{role.pk}")
    if form.is_valid():
        try:
            services.role_appointment_end(
                appointment=role,
                ends_on=form.cleaned_data["ends_on"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:  # not reachable for one's own role; never a 500
            form.add_error(None, "You may not change this role.")
        else:
            messages.success(request, f"Ended your role: {role.title}.")
            return redirect("roles:mine")
    return _render(request, end_forms={role.pk: form}, status=400)
