"""Who may see what: people.permissions and the Wagtail admin listings that use it."""

import pytest
from django.http import Http404
from django.urls import reverse

from people.access import AccessRole
from people.models import User
from people.permissions import (
    get_visible_or_404,
    people_visible_to,
    role_appointments_visible_to,
    trusts_visible_to,
)
from tests.factories import (
    ClinicianFactory,
    RoleAppointmentFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db


def test_anonymous_sees_nobody(participant):
    from django.contrib.auth.models import AnonymousUser

    assert not people_visible_to(AnonymousUser()).exists()
    assert not trusts_visible_to(AnonymousUser()).exists()


def test_participant_sees_only_themselves(participant, administrator):
    assert list(people_visible_to(participant)) == [participant]


def test_administrator_sees_own_trust_only(administrator, participant, other_trust_lead):
    visible = set(people_visible_to(administrator))
    assert participant in visible
    assert other_trust_lead not in visible


def test_other_trusts_lead_is_refused_trust_a(participant, other_trust_lead):
    assert participant not in people_visible_to(other_trust_lead)
    with pytest.raises(Http404):
        get_visible_or_404(other_trust_lead, User, pk=participant.pk)


def test_a_role_group_without_a_grant_reaches_nobody_else(trust_a):
    """Roles are scoped by their grant; the group alone (given directly, say) carries
    permissions but no reach: such a person sees only themselves."""
    from django.contrib.auth.models import Group

    orphan = UserFactory(trust=trust_a)
    orphan.groups.add(Group.objects.get(name=AccessRole.PROGRAMME_ADMINISTRATOR))
    ClinicianFactory(trust=trust_a)
    assert list(people_visible_to(orphan)) == [orphan]


def test_regional_lead_sees_all_trusts_but_no_individuals(trust_a, trust_b, participant):
    regional = UserFactory(trust=trust_a, roles=[AccessRole.REGIONAL_LEAD])
    assert set(trusts_visible_to(regional)) == {trust_a, trust_b}
    assert list(people_visible_to(regional)) == [regional]


def test_superuser_sees_everyone(superuser, participant, other_trust_lead):
    assert set(people_visible_to(superuser)) >= {participant, other_trust_lead}


def test_role_history_follows_the_persons_trust(administrator, participant, other_trust_lead):
    ours = RoleAppointmentFactory(person=participant)
    theirs = RoleAppointmentFactory(person=ClinicianFactory(trust=other_trust_lead.trust))
    assert list(role_appointments_visible_to(administrator)) == [ours]
    assert list(role_appointments_visible_to(other_trust_lead)) == [theirs]


def test_inactive_user_sees_nothing(administrator, participant):
    administrator.is_active = False
    assert not people_visible_to(administrator).exists()


# --- the Wagtail admin uses the same rules ---------------------------------------------------


def sign_in(client, user):
    # Staff roles need an authenticator before any admin page (tests/accounts covers the flow).
    give_totp(user)
    client.force_login(user)


def test_admin_people_listing_is_scoped_to_the_trust(
    client, administrator, participant, other_trust_lead
):
    sign_in(client, administrator)
    response = client.get(reverse("people:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert participant.email in content
    assert other_trust_lead.email not in content


def test_admin_cannot_open_another_trusts_person(client, administrator, other_trust_lead):
    sign_in(client, administrator)
    for name in (
        "people:edit",
        "people:inspect",
        "people:history",
        "people:usage",
        "people:delete",
    ):
        response = client.get(reverse(name, args=[other_trust_lead.pk]))
        assert response.status_code in (403, 404), name


def test_admin_can_edit_own_trusts_person_and_gets_field_errors(client, administrator, participant):
    sign_in(client, administrator)
    url = reverse("people:edit", args=[participant.pk])
    assert client.get(url).status_code == 200
    data = {
        "email": participant.email,
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "trust": participant.trust_id,
        "professional_group": "medical",
        "job_title": "Consultant anaesthetist",
        "band": "Consultant",
        "directorate": "Theatres",
        "registration_body": "GMC",
        "registration_number": "12345",  # one digit short
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "a GMC number is 7 digits" in response.content.decode()
    participant.refresh_from_db()
    assert participant.job_title != "Consultant anaesthetist"  # nothing half-saved

    data["registration_number"] = "1234567"
    response = client.post(url, data)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.job_title == "Consultant anaesthetist"


def test_admin_cannot_move_a_person_into_another_trust(client, administrator, participant, trust_b):
    sign_in(client, administrator)
    response = client.post(
        reverse("people:edit", args=[participant.pk]),
        {"email": participant.email, "trust": trust_b.pk, "professional_group": "management"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    participant.refresh_from_db()
    assert participant.trust_id != trust_b.pk


def test_duplicate_email_in_admin_form_is_refused(client, administrator, participant):
    sign_in(client, administrator)
    response = client.post(
        reverse("people:add"),
        {
            "email": participant.email.upper(),
            "trust": administrator.trust_id,
            "professional_group": "management",
        },
    )
    assert response.status_code == 200
    assert "A person with this email address already exists." in response.content.decode()


def test_participant_cannot_reach_the_admin(client, participant):
    sign_in(client, participant)
    response = client.get(reverse("people:index"))
    assert response.status_code in (302, 403)
