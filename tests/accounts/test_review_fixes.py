"""Refusals found in review: Wagtail's unscoped Users admin, the inspect page's hidden fields,
colleagues' accounts, two-factor by admin access, and guessing the two-factor code."""

import pytest
from django.contrib.auth.models import Permission

from people.access import AccessRole
from tests.factories import DEFAULT_PASSWORD, UserFactory, give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


@pytest.mark.parametrize(
    "role", [AccessRole.PROGRAMME_ADMINISTRATOR, AccessRole.TRUST_REPORTING_LEAD]
)
def test_wagtail_users_admin_is_for_superusers_only(client, trust_a, participant, role):
    person = UserFactory(trust=trust_a, roles=[role])
    give_totp(person)
    client.force_login(person)
    from django.urls import reverse

    add_path = reverse("wagtailusers_users:add")
    for path in (
        "/admin/users/",
        add_path,
        reverse("wagtailusers_users:edit", args=[participant.pk]),
    ):
        response = client.get(path)
        assert response.status_code in (302, 403), path
        assert participant.email not in response.content.decode()
    response = client.post(
        add_path,
        {
            "email": "new.root@example.com",
            "is_superuser": "on",
            "password1": "x" * 12,
            "password2": "x" * 12,
        },
    )
    assert response.status_code in (302, 403)
    assert not type(person).objects.filter(email="new.root@example.com").exists()


def test_superuser_still_has_wagtails_users_admin(client, superuser):
    give_totp(superuser)
    client.force_login(superuser)
    assert client.get("/admin/users/").status_code == 200


def test_inspect_page_never_shows_the_password_hash(admin_client, participant):
    html = admin_client.get(f"/admin/people/inspect/{participant.pk}/").content.decode()
    assert participant.password not in html
    assert "argon2" not in html and "md5$" not in html
    assert participant.email in html


def test_administrator_cannot_edit_or_delete_a_staff_colleague(admin_client, trust_a):
    colleague = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    for path in (f"/admin/people/edit/{colleague.pk}/", f"/admin/people/delete/{colleague.pk}/"):
        assert admin_client.get(path).status_code == 404
    response = admin_client.post(
        f"/admin/people/edit/{colleague.pk}/",
        {"email": "attacker@example.com", "trust": trust_a.pk, "professional_group": "management"},
    )
    assert response.status_code == 404
    colleague.refresh_from_db()
    assert colleague.email != "attacker@example.com"
    # Seeing them is still allowed: they are in the administrator's trust.
    assert admin_client.get(f"/admin/people/inspect/{colleague.pk}/").status_code == 200


def test_admin_access_granted_directly_still_needs_two_factor(client, trust_a):
    person = UserFactory(trust=trust_a)
    person.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(person)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_two_factor_codes_cannot_be_guessed_without_limit(client, administrator):
    code = give_totp(administrator)
    client.post("/accounts/login/", {"login": administrator.email, "password": DEFAULT_PASSWORD})
    wrong = "000000" if code() != "000000" else "111111"
    for _ in range(10):
        client.post("/accounts/2fa/authenticate/", {"code": wrong})
    response = client.post("/accounts/2fa/authenticate/", {"code": code()})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302, 429)
