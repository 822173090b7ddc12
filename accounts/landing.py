"""Where a signed-in person goes: their landing page, and the profile step before anything else
while their profile is missing something they must give."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from people.access import has_staff_access


def landing_url(user) -> str:
    """Staff start where they work, the Wagtail admin; everyone else at "My learning"
    (LOGIN_REDIRECT_URL). A person in both kinds of role is staff here: "My learning" is one
    link away in the site's navigation."""
    if has_staff_access(user):
        return reverse("wagtailadmin_home")
    return settings.LOGIN_REDIRECT_URL


def needs_profile_step(user) -> bool:
    return bool(user.is_authenticated and not user.profile_is_complete)


def profile_step_url(next_url: str | None = None) -> str:
    url = reverse("accounts:profile")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
