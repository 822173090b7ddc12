from allauth.account.signals import password_reset
from django.dispatch import receiver

from .services import api_tokens_revoke_all


@receiver(password_reset, dispatch_uid="api_revoke_tokens_on_password_reset")
def revoke_tokens_on_password_reset(sender, request, user, **kwargs):
    # A reset says the password may be in someone else's hands, and so may a token made
    # with it. A change of a password the person knows keeps them (their apps keep working).
    api_tokens_revoke_all(owner=user, reason="password reset", request=request)
