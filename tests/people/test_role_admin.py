"""Role history in the Wagtail admin: a trust's programme administrator adds, corrects and
ends its people's roles through people.services; another trust's are a 404; the staff
number is theirs to set."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from people.access import AccessRole
from people.models import RoleAppointment, RoleCategory, RoleSource
from tests.audit.helpers import sign_in
from tests.factories import ClinicianFactory, RoleAppointmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def role_data(**changes):
    data = {
        "title": "Clinical director for surgery",
        "category": RoleCategory.CLINICAL_LEADERSHIP,
        "starts_on": "2025-04-01",
        "ends_on": "",
    }
    return data | changes


def test_an_administrator_adds_a_role_for_their_trusts_person(client, administrator, participant):
    sign_in(client, administrator)
    response = client.post(reverse("roleappointment:add"), role_data(person=participant.pk))
    assert response.status_code == 302
    role = RoleAppointment.objects.get()
    assert (role.person, role.source, role.recorded_by) == (
        participant,
        RoleSource.ADMINISTRATOR,
        administrator,
    )


def test_an_administrator_corrects_and_ends_a_role(client, administrator, participant):
    role = RoleAppointmentFactory(person=participant, title="Matron",
                                  starts_on=datetime.date(2025, 4, 1))  # fmt: skip
    sign_in(client, administrator)
    url = reverse("roleappointment:edit", args=[role.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="person"' not in form.content.decode()  # a role is never moved to someone else
    response = client.post(url, role_data(title="Matron", category=RoleCategory.MANAGEMENT,
                                          ends_on="2026-01-31"))  # fmt: skip
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.category, role.ends_on, role.person) == (
        RoleCategory.MANAGEMENT,
        datetime.date(2026, 1, 31),
        participant,
    )
    event = AuditEvent.objects.get(action="changed", target_object_id=str(role.pk))
    assert event.detail == {"fields": ["category", "ends_on"]}


def test_a_bad_correction_is_shown_on_the_form_and_not_saved(client, administrator, participant):
    RoleAppointmentFactory(person=participant, title="Ward manager",
                           starts_on=datetime.date(2025, 4, 1))  # fmt: skip
    role = RoleAppointmentFactory(person=participant, title="Matron",
                                  starts_on=datetime.date(2025, 4, 1))  # fmt: skip
    sign_in(client, administrator)
    url = reverse("roleappointment:edit", args=[role.pk])
    for data, words in [
        (role_data(title="Matron", ends_on="2025-01-01"), "cannot end before it starts"),
        (role_data(title="Ward manager"), "already has this role starting on that date"),
        (role_data(title="Matron", category="wizard"), "not one of the available choices"),
        (role_data(title="Matron", starts_on="2099-01-01", ends_on="2099-02-01"),
         "has not started yet"),
    ]:  # fmt: skip
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert words in response.content.decode(), data
    role.refresh_from_db()
    assert (role.title, role.ends_on, role.category) == (
        "Matron",
        None,
        RoleCategory.CLINICAL_LEADERSHIP,
    )


def test_another_trusts_role_is_a_404_and_unchanged(client, administrator, trust_b):
    theirs = RoleAppointmentFactory(person=ClinicianFactory(trust=trust_b), title="Matron")
    sign_in(client, administrator)
    url = reverse("roleappointment:edit", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, role_data(title="Hacked", ends_on="2026-01-01")).status_code == 404
    response = client.post(
        reverse("roleappointment:add"), role_data(person=theirs.person.pk, title="Planted")
    )
    assert response.status_code == 200  # the person is not a choice: the form says so
    theirs.refresh_from_db()
    assert (theirs.title, theirs.ends_on) == ("Matron", None)
    assert not RoleAppointment.objects.filter(title="Planted").exists()


def test_a_reporting_lead_may_not_change_roles(client, participant, trust_a):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    role = RoleAppointmentFactory(person=participant, title="Matron")
    sign_in(client, lead)
    response = client.post(reverse("roleappointment:edit", args=[role.pk]), role_data())
    assert response.status_code in (302, 403, 404)
    role.refresh_from_db()
    assert role.title == "Matron"


def test_an_administrator_sets_a_staff_number_unique_within_the_trust(
    client, administrator, participant, trust_a, trust_b
):
    from tests.audit.test_people_admin import edit_data

    ClinicianFactory(trust=trust_a, staff_number="12345")
    ClinicianFactory(trust=trust_b, staff_number="54321")
    sign_in(client, administrator)
    url = reverse("people:edit", args=[participant.pk])
    response = client.post(url, edit_data(participant, staff_number="12345"))
    assert response.status_code == 200
    assert "Another person at this trust has this staff number." in response.content.decode()
    response = client.post(url, edit_data(participant, staff_number=" 54321 "))  # trust B's: fine
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.staff_number == "54321"


def test_a_persons_role_history_from_their_page(client, administrator, participant, trust_b):
    RoleAppointmentFactory(person=participant, title="Matron")
    RoleAppointmentFactory(person=ClinicianFactory(trust=participant.trust), title="Colleague")
    theirs = RoleAppointmentFactory(person=ClinicianFactory(trust=trust_b), title="Theirs")
    sign_in(client, administrator)
    index = reverse("roleappointment:index")
    edit_page = client.get(reverse("people:edit", args=[participant.pk])).content.decode()
    assert f"{index}?person={participant.pk}" in edit_page
    html = client.get(f"{index}?person={participant.pk}").content.decode()
    assert "Matron" in html and "Colleague" not in html
    html = client.get(f"{index}?person={theirs.person.pk}").content.decode()
    assert "Theirs" not in html
