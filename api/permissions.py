"""What an API request may do beyond being signed in: write only with a write token (or the
site's session), and a staff member without two-factor authentication reaches nothing — as
on the site's staff pages. What it may *see* is people.permissions' answer, asked by every
view; and the token's own visibility rule is declared here."""

from rest_framework import permissions

from accounts.middleware import has_totp, needs_two_factor
from people.permissions import register_scope

from .models import ApiToken


class TandemAccess(permissions.BasePermission):
    message = "Sign in with an API token (Authorization: Bearer …) to use the API."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if needs_two_factor(user) and not has_totp(user):
            self.message = (
                "Your role needs two-factor authentication: set up an authenticator app "
                "on the site first."
            )
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and not token.may_write:
            self.message = "This token is read only: make a read and write token to change data."
            return False
        return True


def tokens_visible_to(user, queryset=None):
    queryset = ApiToken.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(owner_id=user.pk)


register_scope(ApiToken, tokens_visible_to)
