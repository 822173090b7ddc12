"""Helpers shared by the audit and privacy tests."""

from tests.factories import give_totp


def sign_in(client, user):
    """Sign `user` in. Staff roles reach the admin only with an authenticator app set up
    (accounts.middleware.StaffTwoFactorMiddleware), so they get one first."""
    if user.holds_staff_role and not user.authenticator_set.exists():
        give_totp(user)
    client.force_login(user)
    return client
