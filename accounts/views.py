from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET

from people.access import sees_others

from . import services
from .forms import InvitationAcceptForm, ProfileForm, profile_step_fields
from .landing import landing_url


@require_GET
def admin_login_redirect(request):
    """Wagtail's admin and restricted-page sign-ins check a password only; send both to
    allauth's sign-in, which applies lockout and two-factor authentication."""
    default = "/admin/" if request.path.startswith("/admin/") else "/"
    query = {"next": request.GET.get("next") or default}
    return redirect(f"{settings.LOGIN_URL}?{urlencode(query)}")


@require_GET
def admin_password_reset_redirect(request):
    return redirect("account_reset_password")


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
def profile(request):
    """The profile step while the profile is missing something (only what is missing is
    asked), and the person's own whole profile afterwards."""
    user = request.user
    first_time = not user.profile_is_complete
    fields = profile_step_fields(user) if first_time else None
    form = ProfileForm(request.POST or None, instance=user, fields=fields)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect(_safe_next(request, landing_url(user)))
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "first_time": first_time,
            "takes_part": user.takes_part_in_programmes,
            "uses_api": sees_others(user),  # staff and facilitators may make API tokens
            "next": _safe_next(request, ""),
        },
        status=400 if form.errors else 200,
    )


def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as refusal:
        return render(
            request, "accounts/invitation_invalid.html", {"message": refusal.message}, status=400
        )
    initial = {"first_name": invitation.first_name, "last_name": invitation.last_name}
    form = InvitationAcceptForm(request.POST or None, initial=initial, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationInvalid as refusal:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"message": refusal.message},
                status=400,
            )
        # Password accepted just now, so no second check; staff 2FA still applies afterwards.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(reverse("accounts:profile"))
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )
