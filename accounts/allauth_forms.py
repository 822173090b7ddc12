"""allauth's forms in Tandem's words (ACCOUNT_FORMS, MFA_FORMS): British English and sentence
case, labels rather than placeholders (a placeholder vanishes as one types and is often
mistaken for a filled-in value), one plain hint for a new password instead of a list of rules,
and "Enter your …" when something is missing. The behaviour is allauth's, unchanged."""

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as totp_forms
from django.contrib.auth.password_validation import get_default_password_validators
from django.utils.functional import lazy


def _new_password_hint() -> str:
    lengths = [v.min_length for v in get_default_password_validators() if hasattr(v, "min_length")]
    shortest = max(lengths, default=8)
    return (
        f"At least {shortest} characters. Not a common password, not only numbers, and not "
        "like your name or email address. A few unrelated words make a strong password."
    )


NEW_PASSWORD_HINT = lazy(_new_password_hint, str)()
CODE_HINT = (
    "The 6-digit code your authenticator app shows now. If you do not have your phone, "
    "enter one of your recovery codes instead."
)

# Field name: (label, hint, what to say when it is left empty). A hint of None keeps
# allauth's; "" removes it.
WORDING = {
    "login": ("Email address", "", "Enter your email address"),
    "email": ("Email address", None, "Enter your email address"),
    "password": ("Password", "", "Enter your password"),
    "oldpassword": ("Current password", "", "Enter your current password"),
    "code": ("Code", CODE_HINT, "Enter the code from your authenticator app"),
}
NEW_PASSWORD = {
    "password1": ("New password", NEW_PASSWORD_HINT, "Enter a new password"),
    "password2": ("Type the new password again", "", "Enter the new password again"),
}
FIRST_PASSWORD = {
    "password1": ("Create a password", NEW_PASSWORD_HINT, "Enter a password"),
    "password2": ("Type the password again", "", "Enter the password again"),
}
# allauth's own sentences, as Tandem says them.
REWORDED = {
    "You must type the same password each time.": "The two passwords are not the same.",
}


class TandemWording:
    """Mixed in before an allauth form class; `wording` adds to or overrides WORDING."""

    wording: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wording = {**WORDING, **self.wording}
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name not in wording:
                continue
            label, hint, required = wording[name]
            field.label = label
            if hint is not None:
                field.help_text = hint
            field.error_messages["required"] = required

    def full_clean(self):
        super().full_clean()
        for name, errors in list((self._errors or {}).items()):
            if any(message in REWORDED for message in errors):
                self._errors[name] = self.error_class(
                    [REWORDED.get(message, message) for message in errors],
                    renderer=self.renderer,
                )


class LoginForm(TandemWording, account_forms.LoginForm):
    pass


class SignupForm(TandemWording, account_forms.SignupForm):
    wording = {
        **FIRST_PASSWORD,
        "email": (
            "Email address",
            "Your work email address. It tells Tandem which trust you work for.",
            "Enter your work email address",
        ),
        "first_name": ("First name", None, "Enter your first name"),
        "last_name": ("Last name", None, "Enter your last name"),
    }


class ResetPasswordForm(TandemWording, account_forms.ResetPasswordForm):
    wording = {
        "email": (
            "Email address",
            "The address you sign in with.",
            "Enter your email address",
        )
    }


class ResetPasswordKeyForm(TandemWording, account_forms.ResetPasswordKeyForm):
    wording = NEW_PASSWORD


class ChangePasswordForm(TandemWording, account_forms.ChangePasswordForm):
    wording = NEW_PASSWORD


class SetPasswordForm(TandemWording, account_forms.SetPasswordForm):
    wording = FIRST_PASSWORD


class AddEmailForm(TandemWording, account_forms.AddEmailForm):
    pass


class ReauthenticateForm(TandemWording, account_forms.ReauthenticateForm):
    pass


class AuthenticateForm(TandemWording, mfa_base_forms.AuthenticateForm):
    pass


class MFAReauthenticateForm(TandemWording, mfa_base_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(TandemWording, totp_forms.ActivateTOTPForm):
    wording = {
        "code": (
            "Code from your authenticator app",
            "After adding Tandem to the app, enter the 6-digit code it shows.",
            "Enter the code from your authenticator app",
        )
    }
