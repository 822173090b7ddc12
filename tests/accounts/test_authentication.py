"""Strong authentication: lockout, two-factor for staff roles, sessions and idle timeout."""

import time

import pytest

from accounts.models import UserSession
from people.access import STAFF_ROLES
from tests.factories import DEFAULT_PASSWORD, UserFactory, give_totp

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=DEFAULT_PASSWORD, ip="127.0.0.1"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


# --- lockout -------------------------------------------------------------------------------------


def test_lockout_after_repeated_failures_and_the_right_password_is_then_refused(
    client, participant, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, participant.email, "wrong-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    assert sign_in(client, participant.email, "wrong-password").status_code == 429
    # Locked by account name: the right password from another address is refused too.
    response = sign_in(client, participant.email, ip="127.0.0.9")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_does_not_reveal_whether_an_account_exists(client, participant, settings):
    from axes.utils import reset

    sequences = {}
    for email in (participant.email, "nobody@northshire.nhs.uk"):
        reset()
        statuses = [
            sign_in(client, email, "wrong-password").status_code
            for _ in range(settings.AXES_FAILURE_LIMIT + 1)
        ]
        sequences[email] = statuses
    assert sequences[participant.email] == sequences["nobody@northshire.nhs.uk"]
    assert sequences[participant.email][-1] == 429


def test_lockout_resets(client, participant, settings):
    from axes.utils import reset

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, participant.email, "wrong-password")
    assert sign_in(client, participant.email).status_code == 429
    reset()  # what `manage.py axes_reset` does
    assert sign_in(client, participant.email).status_code == 302


def test_success_resets_the_failure_count(client, participant, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, participant.email, "wrong-password")
    assert sign_in(client, participant.email).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, participant.email, "wrong-password")
    assert sign_in(client, participant.email).status_code == 302


# --- two-factor authentication for staff roles ---------------------------------------------------


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_role_without_an_authenticator_reaches_no_staff_page(client, trust_a, role):
    person = UserFactory(trust=trust_a, roles=[role])
    client.force_login(person)
    for path in ("/admin/", "/admin/people/", "/admin/invitations/", "/reports/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_superuser_without_an_authenticator_is_sent_to_set_one_up(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/").url.startswith("/accounts/2fa/totp/activate/")


def test_participant_is_not_asked_for_two_factor(client, participant):
    client.force_login(participant)
    response = client.get("/accounts/profile/")
    assert response.status_code == 200


def test_staff_sign_in_asks_for_a_code_and_a_wrong_code_is_refused(client, administrator):
    code = give_totp(administrator)
    response = sign_in(client, administrator.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in on the password alone

    response = client.post(
        "/accounts/2fa/authenticate/", {"code": "000000" if code() != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": code()})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == administrator.pk
    assert client.get("/admin/").status_code == 200


def test_recovery_codes_work_once(client, administrator):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    give_totp(administrator)
    codes = RecoveryCodes.activate(administrator).get_unused_codes()
    sign_in(client, administrator.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    client.logout()
    sign_in(client, administrator.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200


def test_wagtail_password_only_sign_in_is_not_available(client, administrator):
    response = client.get("/admin/login/?next=/admin/people/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpeople%2F"
    response = client.post(
        "/admin/login/", {"username": administrator.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 405
    assert "_auth_user_id" not in client.session


def test_anonymous_admin_request_goes_to_tandem_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- sessions -----------------------------------------------------------------------------------


def test_sign_in_starts_a_new_session_recorded_against_the_person(client, participant):
    client.get("/accounts/login/")
    before = client.cookies.get("sessionid")
    before = before.value if before else None
    assert sign_in(client, participant.email).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert UserSession.objects.get(session_key=after).user_id == participant.pk


def test_sign_out_deletes_the_session_server_side(client, participant):
    sign_in(client, participant.email)
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(session_key=key).exists()


def test_deactivation_ends_every_session(client, participant):
    from django.test import Client

    other_device = Client()
    sign_in(client, participant.email)
    sign_in(other_device, participant.email)
    assert UserSession.objects.filter(user=participant).count() == 2
    participant.is_active = False
    participant.save()
    assert not UserSession.objects.filter(user=participant).exists()
    assert client.get("/accounts/profile/").status_code == 302


def test_staff_sessions_end_after_idle_timeout(client, administrator, settings):
    give_totp(administrator)
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session["_tandem_last_seen"] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_participants_have_no_idle_timeout(client, participant, settings):
    client.force_login(participant)
    session = client.session
    session["_tandem_last_seen"] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT - 5
    session.save()
    assert client.get("/accounts/profile/").status_code == 200


def test_csrf_less_post_is_refused(participant):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/login/", {"login": participant.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_profile_requires_sign_in(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302


# --- lockout per account name and per address (issue 7, item 3) -----------------------------


def test_failures_for_unknown_addresses_never_lock_a_real_account(client, participant, settings):
    from django.test import Client

    attacker = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, f"nobody{n}@northshire.nhs.uk", "wrong-password", ip="10.0.0.66")
    # The attacker's address is now locked, whatever name it tries...
    assert sign_in(attacker, participant.email, ip="10.0.0.66").status_code == 429
    # ...but the real person, signing in correctly from elsewhere, is not.
    response = sign_in(client, participant.email, ip="10.0.0.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(participant.pk)


def test_failures_are_counted_against_the_address_as_typed_normalised(
    client, participant, settings
):
    from axes.models import AccessAttempt

    for n in range(settings.AXES_FAILURE_LIMIT):
        # Different case and spaces, and each from a different client address.
        typed = f"  {participant.email.upper()} " if n % 2 else participant.email
        sign_in(client, typed, "wrong-password", ip=f"10.0.1.{n}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {participant.email}
    # Five failures for one real account lock it from any address, the right password too.
    response = sign_in(client, participant.email, ip="10.0.2.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_in_to_ones_own_account_does_not_clear_failures_at_another(
    client, participant, settings
):
    """The review's finding: four guesses at a victim's account, a correct sign-in to one's
    own from the same address, four more guesses: the victim's account must lock."""
    attacker = UserFactory(email="attacker@northshire.nhs.uk", trust=participant.trust)
    for _round in range(2):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(client, participant.email, "wrong-password", ip="10.0.3.3")
        if _round == 0:
            assert sign_in(client, attacker.email, ip="10.0.3.3").status_code == 302
            client.logout()
    response = sign_in(client, participant.email, ip="10.0.9.9")  # the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
