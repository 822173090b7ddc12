"""Invitations in the Wagtail admin, for programme administrators (their own trust) and
superusers. Every list and choice is scoped through people.permissions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from people.permissions import visible

from . import services
from .forms import InvitationForm, InviteeUploadForm
from .models import Invitation
from .permissions import inviting_trusts, may_invite


def _require_inviter(request):
    if not may_invite(request.user):
        raise PermissionDenied


def invitations_index(request):
    _require_inviter(request)
    trusts = inviting_trusts(request.user)
    form = InvitationForm(request.POST or None, trusts=trusts)
    domain_warning, warned_email = None, ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        # An address outside every registered domain is sent only once the administrator
        # has confirmed that very address (changing it asks again).
        confirmed = request.POST.get("confirm_address", "").strip().lower() == email
        if not confirmed and not services.invitation_problems(email):
            domain_warning = services.unregistered_domain_warning(email)
            warned_email = email if domain_warning else ""
    if request.method == "POST" and form.is_valid() and domain_warning is None:
        try:
            invitation = services.invitation_create(
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                trust=form.cleaned_data["trust"],
                invited_by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts_admin:invitations")
    invitations = visible(request.user, Invitation).select_related("trust", "invited_by")
    page = Paginator(invitations, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "accounts/admin/invitations.html",
        {
            "form": form,
            "page": page,
            "header_title": "Invitations",
            "domain_warning": domain_warning,
            "warned_email": warned_email,
        },
        status=400 if form.errors else 200,
    )


def invitations_import(request):
    """Check a CSV/XLSX of invitees row by row; import only when every row is good, in one go."""
    _require_inviter(request)
    trusts = inviting_trusts(request.user)
    form = InviteeUploadForm(request.POST or None, request.FILES or None, trusts=trusts)
    check, imported = None, []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if request.POST.get("action") == "import":
            check, imported = services.invitees_import(
                uploaded=uploaded,
                trust=form.cleaned_data["trust"],
                invited_by=request.user,
                outside_domains_confirmed=request.POST.get("confirm_outside_domains") == "yes",
            )
            if imported:
                messages.success(request, f"{len(imported)} invitations created and being sent.")
                return redirect("accounts_admin:invitations")
        else:
            check = services.invitees_check(uploaded)
    return TemplateResponse(
        request,
        "accounts/admin/invitations_import.html",
        {"form": form, "check": check, "header_title": "Invite people from a file"},
        status=400 if (form.errors or (check and not check.ok)) else 200,
    )
