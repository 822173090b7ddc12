"""What the accounts app holds about a person: email addresses, two-factor devices,
invitations and failed sign-in records. Loaded by privacy/personal_data.py (accounts, like
people, imports no feature app)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessLog
from django.db.models import Q
from django.utils import timezone

from accounts.models import Invitation

from .registry import register_source


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


def export_email_addresses(person) -> list[dict]:
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=person).order_by("email")
    ]


def export_two_factor(person) -> list[dict]:
    # Which kinds of authenticator exist, and when used: never their secrets or codes.
    return [
        {
            "type": authenticator.get_type_display(),
            "created_at": _local(authenticator.created_at),
            "last_used_at": _local(authenticator.last_used_at),
        }
        for authenticator in Authenticator.objects.filter(user=person).order_by("created_at")
    ]


def _invitations_of(person):
    return Invitation.objects.filter(Q(accepted_by=person) | Q(email__iexact=person.email))


def export_invitations(person) -> list[dict]:
    return [
        {
            "email": invitation.email,
            "trust": invitation.trust.name,
            "invited_at": _local(invitation.created_at),
            "accepted_at": _local(invitation.accepted_at),
            "status": invitation.status,
        }
        for invitation in _invitations_of(person).select_related("trust").order_by("created_at")
    ]


def erase_account_traces(person, *, by, reason) -> None:
    """The old address lingers in allauth's addresses, invitations and axes' records: delete
    them, and the two-factor devices (an erased person never signs in again). Runs before
    person_erase replaces the email on the account, so it still matches."""
    email = person.email
    EmailAddress.objects.filter(Q(user=person) | Q(email__iexact=email)).delete()
    Authenticator.objects.filter(user=person).delete()
    _invitations_of(person).delete()
    AccessAttempt.objects.filter(username__iexact=email).delete()
    AccessLog.objects.filter(username__iexact=email).delete()


register_source(
    "email_addresses",
    label="Your email addresses",
    exporter=export_email_addresses,
    eraser=erase_account_traces,
)
register_source("two_factor", label="Your two-factor authentication", exporter=export_two_factor)
register_source("invitations", label="Invitations to Tandem", exporter=export_invitations)
