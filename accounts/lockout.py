"""Which account a sign-in attempt was for, as django-axes counts failures.

allauth authenticates with ``email=...`` in the credentials, while its form posts the address
as ``login``; axes read neither, so every failure was counted against one empty account name
and five failures for made-up addresses locked out everyone (issue 7). This reads the address
wherever the sign-in path put it and normalises it the way accounts are stored (trimmed,
lower-case), so "Alice@Trust.nhs.uk " and "alice@trust.nhs.uk" are one account name.
"""

ACCOUNT_KEYS = ("email", "login", "username")


def attempted_account(request, credentials: dict | None = None) -> str | None:
    """The normalised account name of this attempt, or None if it carried none."""
    sources = [credentials or {}]
    if request is not None:
        sources.append(getattr(request, "POST", {}) or {})
    for source in sources:
        for key in ACCOUNT_KEYS:
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                # Bounded like the email field, so a megabyte "address" cannot bloat the table.
                return value.strip().lower()[:254]
    return None


def forget_failures_of(sender, request, user, **kwargs) -> None:
    """On a successful sign-in, forget the failed attempts at this account (from any address:
    the person has proved they know the password), and nothing else: failures from their
    address at other accounts still count (AXES_RESET_ON_SUCCESS is off for that reason)."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=attempted_account(None, {"email": user.email})).delete()
