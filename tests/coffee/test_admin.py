"""/admin/coffee/: a trust's programme administrators change their own trust's scheme and
shared spaces and see its rounds; another trust's are 404s and nothing is saved; people
without the role are refused; superusers see every trust."""

import datetime

import pytest
from django.urls import reverse

from coffee.models import CoffeeScheme, SharedSpace
from people.access import AccessRole
from tests.factories import UserFactory, give_totp

from .factories import (
    CoffeeRoundFactory,
    CoffeeSchemeFactory,
    SharedSpaceFactory,
    match_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


@pytest.fixture
def trust_b_coffee(trust_b):
    scheme = CoffeeSchemeFactory(trust=trust_b, frequency="quarterly")
    space = SharedSpaceFactory(trust=trust_b, name="Southvale sentinel kitchen")
    return scheme, space


def settings_form(**overrides):
    return {"active": "on", "frequency": "monthly", "repeat_window_rounds": "3", **overrides}


def test_the_index_lists_only_the_trusts_one_administers(admin_client, trust_a, trust_b_coffee):
    page = admin_client.get(reverse("coffee_admin:index"))
    assert page.status_code == 200
    assert trust_a.name.encode() in page.content
    assert b"Southvale" not in page.content


def test_an_administrator_sets_up_their_trusts_scheme(admin_client, trust_a):
    url = reverse("coffee_admin:trust", args=[trust_a.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, settings_form(frequency="fortnightly"))
    assert response.status_code == 302
    scheme = CoffeeScheme.objects.get(trust=trust_a)
    assert (scheme.active, scheme.frequency, scheme.repeat_window_rounds) == (
        True,
        "fortnightly",
        3,
    )
    # Turning it off keeps the scheme.
    admin_client.post(url, {"frequency": "monthly", "repeat_window_rounds": "2"})
    scheme.refresh_from_db()
    assert (scheme.active, scheme.repeat_window_rounds) == (False, 2)


def test_a_bad_window_is_refused_on_the_form(admin_client, trust_a):
    url = reverse("coffee_admin:trust", args=[trust_a.pk])
    response = admin_client.post(url, settings_form(repeat_window_rounds="99"))
    assert response.status_code == 400
    assert not CoffeeScheme.objects.exists()


def test_shared_spaces_are_added_changed_and_deactivated(admin_client, trust_a):
    add = reverse("coffee_admin:space_add", args=[trust_a.pk])
    response = admin_client.post(add, {"name": "Level 3 staff kitchen", "where": "Tower, L3"})
    assert response.status_code == 302
    space = SharedSpace.objects.get(trust=trust_a)
    # The same name twice is refused on the form, not a 500.
    again = admin_client.post(add, {"name": "Level 3 staff kitchen", "where": ""})
    assert again.status_code == 400
    assert b"already has a shared space of that name" in again.content

    edit = reverse("coffee_admin:space_edit", args=[space.pk])
    admin_client.post(edit, {"name": "Level 3 kitchen", "where": "Tower, L3, by the lifts"})
    space.refresh_from_db()
    assert space.name == "Level 3 kitchen"

    admin_client.post(reverse("coffee_admin:space_deactivate", args=[space.pk]))
    space.refresh_from_db()
    assert space.active is False
    admin_client.post(reverse("coffee_admin:space_reactivate", args=[space.pk]))
    space.refresh_from_db()
    assert space.active is True


def test_another_trusts_scheme_and_spaces_are_404s_and_nothing_changes(
    admin_client, trust_b, trust_b_coffee
):
    scheme, space = trust_b_coffee
    trust_page = reverse("coffee_admin:trust", args=[trust_b.pk])
    assert admin_client.get(trust_page).status_code == 404
    assert admin_client.post(trust_page, settings_form(frequency="weekly")).status_code == 404
    add = reverse("coffee_admin:space_add", args=[trust_b.pk])
    assert admin_client.post(add, {"name": "Planted"}).status_code == 404
    edit = reverse("coffee_admin:space_edit", args=[space.pk])
    assert admin_client.get(edit).status_code == 404
    assert admin_client.post(edit, {"name": "Renamed"}).status_code == 404
    deactivate = reverse("coffee_admin:space_deactivate", args=[space.pk])
    assert admin_client.post(deactivate).status_code == 404

    scheme.refresh_from_db()
    space.refresh_from_db()
    assert scheme.frequency == "quarterly"
    assert (space.name, space.active) == ("Southvale sentinel kitchen", True)
    assert SharedSpace.objects.filter(trust=trust_b).count() == 1


def test_a_reporting_lead_and_a_participant_cannot_use_it(client, trust_a, participant):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    give_totp(lead)
    client.force_login(lead)
    assert client.get(reverse("coffee_admin:index")).status_code in (302, 403)
    url = reverse("coffee_admin:trust", args=[trust_a.pk])
    assert client.post(url, settings_form()).status_code in (302, 403)
    client.force_login(participant)
    assert client.get(reverse("coffee_admin:index")).status_code in (302, 403)
    assert not CoffeeScheme.objects.exists()


def test_a_superuser_sees_every_trust(client, superuser, trust_a, trust_b_coffee):
    give_totp(superuser)
    client.force_login(superuser)
    page = client.get(reverse("coffee_admin:index"))
    assert b"Southvale" in page.content and trust_a.name.encode() in page.content


def test_the_rounds_show_their_counts_in_a_fixed_number_of_queries(
    admin_client, trust_a, django_assert_max_num_queries
):
    CoffeeSchemeFactory(trust=trust_a)
    SharedSpaceFactory(trust=trust_a)
    for month in range(1, 7):
        round_ = CoffeeRoundFactory(
            trust=trust_a,
            period_start=datetime.date(2026, month, 1),
            pairs_count=2,
            trios_count=1,
            carried_over_count=1,
            people_count=8,
        )
        met = datetime.datetime(2026, month, 5, tzinfo=datetime.UTC)
        match_of(round_, UserFactory(trust=trust_a), UserFactory(trust=trust_a), met_at=met)
        match_of(round_, UserFactory(trust=trust_a), UserFactory(trust=trust_a))
    url = reverse("coffee_admin:trust", args=[trust_a.pk])
    admin_client.get(url)  # Wagtail's own per-process lookups are cached from here on
    # Wagtail's frame (10: the session, the user, their grants, their two permission
    # lookups, the two-factor check, their admin profile, the locales, and the page and
    # collection permissions of the menu), then this page (4): the trust, the scheme, the
    # spaces, the rounds with their "we met" counts annotated. The same for 1 round or 6.
    with django_assert_max_num_queries(14):
        response = admin_client.get(url)
    assert response.content.decode().count("1 of 3") == 6
