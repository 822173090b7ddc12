from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from . import emails


class AccountAdapter(DefaultAccountAdapter):
    """Tandem's rules inside allauth's flows."""

    def _profile_first(self, request, url):
        # Profile completion on first sign-in: nothing else until the profile is complete.
        user = request.user
        if user.is_authenticated and not user.profile_is_complete:
            return reverse("accounts:profile")
        return url

    def get_login_redirect_url(self, request):
        return self._profile_first(request, super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request):
        return self._profile_first(request, super().get_signup_redirect_url(request))

    def get_email_verification_redirect_url(self, email_address):
        return self._profile_first(
            self.request, super().get_email_verification_redirect_url(email_address)
        )

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
