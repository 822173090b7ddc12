from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from . import emails
from .landing import landing_url, needs_profile_step, profile_step_url

# The other ways allauth offers to confirm it is you, in Tandem's words.
REAUTHENTICATION_WORDING = {
    "Use your password": "Enter your password",
    "Use authenticator app or code": "Enter a code from your authenticator app, or a recovery code",
}


class AccountAdapter(DefaultAccountAdapter):
    """Tandem's rules inside allauth's flows, and its wording for allauth's errors."""

    # British English, in the words the rest of Tandem uses (allauth's own are American).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account is not active. Ask your programme administrator.",
        "cannot_remove_primary_email": "You cannot remove your main email address.",
        "duplicate_email": "This email address is already on your account.",
        "email_password_mismatch": "The email address or password is not correct.",
        "email_taken": "A person with this email address already has a Tandem account.",
        "enter_current_password": "Enter your current password.",
        "incorrect_code": "The code is not correct.",
        "incorrect_password": "The password is not correct.",
        "invalid_or_expired_key": "This link is not valid or has expired.",
        "invalid_login": "The email address or password is not correct.",
        "invalid_password_reset": "This password reset link is not valid or has expired.",
        "max_email_addresses": "You cannot add more than %d email addresses.",
        "too_many_login_attempts": (
            "Too many unsuccessful attempts. Wait a few minutes and try again."
        ),
        "unknown_email": "No Tandem account uses this email address.",
        "unverified_primary_email": "Confirm your main email address first.",
        "select_only_one": "Choose only one.",
        "same_as_current": "The new value must be different from the current one.",
        "rate_limited": "Too many requests. Wait a minute and try again.",
    }

    def _profile_first(self, request, url):
        # The profile step before anything else while the profile is missing something; it
        # goes on to the person's landing page (`url`) once saved.
        if needs_profile_step(request.user):
            return profile_step_url()
        return url

    def get_login_redirect_url(self, request):
        # Only when the sign-in had no `next`: staff start at the admin, others at My learning.
        return self._profile_first(request, landing_url(request.user))

    # allauth's email verification redirect asks get_login_redirect_url for a signed-in person.
    def get_signup_redirect_url(self, request):
        return self._profile_first(request, landing_url(request.user))

    def get_reauthentication_methods(self, user):
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            method["description"] = REAUTHENTICATION_WORDING.get(
                str(method["description"]), method["description"]
            )
        return methods

    def send_mail(self, template_prefix, email, context):
        """Every allauth email goes through here: confirmation, password reset, unknown
        account, account already exists, and the security notifications. allauth builds their
        links from the request's host (or a Site); ours start with BASE_URL. Sent by
        accounts.emails with Tandem's templates (text and HTML), not allauth's render_mail,
        which would prefix the subject with a site name and needs a request."""
        context = {
            **context,
            **{
                key: emails.public_url(value)
                for key, value in context.items()
                if key.endswith("_url") and isinstance(value, str)
            },
            "email": email,
            "current_site": SimpleNamespace(
                name=emails.SITE_NAME, domain=urlsplit(settings.BASE_URL).netloc
            ),
        }
        context.pop("request", None)  # the templates need none; a worker has none
        emails.send(template_prefix, to=email, context=context)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        # allauth leaves the person out of a notification's context; the greeting names them.
        return super().send_notification_mail(
            template_prefix, user, context={"user": user, **(context or {})}, email=email
        )

    def save_user(self, request, user, form, commit=True):
        # The sign-up form resolved the trust from the email's registered domain.
        user = super().save_user(request, user, form, commit=False)
        user.trust = form.cleaned_data["resolved_trust"]
        user.first_name = form.cleaned_data["first_name"]
        user.last_name = form.cleaned_data["last_name"]
        if commit:
            user.save()
        return user


class MFAAdapter(DefaultMFAAdapter):
    """allauth.mfa's errors in Tandem's words."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": (
            "You cannot add an email address while two-factor authentication is on."
        ),
        "cannot_delete_authenticator": "You cannot turn off two-factor authentication.",
        "cannot_generate_recovery_codes": (
            "Set up an authenticator app before you create recovery codes."
        ),
        "incorrect_code": (
            "The code is not correct. Enter the code your authenticator app shows now, "
            "or a recovery code you have not used."
        ),
        "unverified_email": (
            "Confirm your email address before you set up two-factor authentication."
        ),
    }
