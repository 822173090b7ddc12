from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


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

    def save_user(self, request, user, form, commit=True):
        # The sign-up form resolved the trust from the email's registered domain.
        user = super().save_user(request, user, form, commit=False)
        user.trust = form.cleaned_data["resolved_trust"]
        user.first_name = form.cleaned_data["first_name"]
        user.last_name = form.cleaned_data["last_name"]
        if commit:
            user.save()
        return user
