"""Sign-ins, failed sign-ins and sign-outs, from Django's own authentication signals.

These fire however someone signs in (allauth, the test client, a future API), so the audit
log does not depend on which sign-in view is in front.
"""

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.dispatch import receiver

from . import services
from .models import AuditAction

NOT_AN_EMAIL = "(not an email address)"


def attempted_email(credentials: dict) -> str | None:
    """The email address someone tried to sign in with, or None.

    Only something shaped like an email address is kept: people sometimes type their
    password into the email box, and that must not reach the log.
    """
    user_model = get_user_model()
    for key in ("email", "login", "username", user_model.USERNAME_FIELD):
        value = credentials.get(key)
        if isinstance(value, str) and value.strip():
            value = value.strip().lower()[:254]
            try:
                validate_email(value)
            except ValidationError:
                return None
            return value
    return None


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def audit_signed_in(sender, request, user, **kwargs):
    services.record(action=AuditAction.SIGNED_IN, actor=user, request=request, subject=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked password-like keys in `credentials`; we read only the email.
    email = attempted_email(credentials)
    subject = get_user_model().objects.filter(email=email).first() if email else None
    services.record(
        action=AuditAction.SIGN_IN_FAILED,
        actor=None,
        request=request,
        subject=subject,
        detail={"attempted_email": email or NOT_AN_EMAIL},
    )


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def audit_signed_out(sender, request, user, **kwargs):
    if user is None:  # signing out when not signed in: nothing happened to anyone's data
        return
    services.record(action=AuditAction.SIGNED_OUT, actor=user, request=request, subject=user)
