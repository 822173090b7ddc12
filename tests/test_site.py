"""The public site's frame: home page, friendly errors, sitemap, roles."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings

from people.access import STAFF_ROLES, AccessRole

pytestmark = pytest.mark.django_db


def test_home_page_renders_with_a_skip_link(client, django_assert_max_num_queries):
    # Expected (anonymous, first visit, so rendered rather than cached): site, page and
    # specific page; Wagtail's view-restriction check and the page cache's; the main
    # navigation's sections and hidden paths; the programmes listed; the footer's information
    # pages (cached for everyone until the next publish). Bounded whatever the data.
    with django_assert_max_num_queries(11):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tandem</h1>" in html
    assert 'href="#main"' in html
    assert '<html lang="en-GB">' in html


def test_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(DEBUG=False)
def test_friendly_500_needs_no_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html


def test_sitemap_lists_the_home_page(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert b"<loc>" in response.content


def test_every_role_has_its_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in AccessRole}


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_roles_can_reach_the_admin(role):
    access = Permission.objects.get(codename="access_admin")
    assert Group.objects.get(name=role).permissions.filter(pk=access.pk).exists()


def test_participants_cannot_reach_the_admin():
    assert not Group.objects.get(name=AccessRole.PARTICIPANT).permissions.exists()


def test_admin_sign_in_works(client, administrator):
    from tests.factories import DEFAULT_PASSWORD, give_totp

    code = give_totp(administrator)
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": administrator.email, "password": DEFAULT_PASSWORD},
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post(response["Location"], {"code": code()}, follow=True)
    assert response.status_code == 200
    assert response.context["user"] == administrator
    assert response.redirect_chain[-1][0] == "/admin/"
