"""Views, edits, deletions and refusals of people's records in the admin are audited."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from people.models import RoleAppointment
from tests.audit.helpers import sign_in
from tests.factories import RoleAppointmentFactory

pytestmark = pytest.mark.django_db


def events(action):
    return AuditEvent.objects.filter(action=action)


def edit_data(person, **changes):
    data = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "trust": person.trust_id,
        "professional_group": person.professional_group,
        "job_title": person.job_title,
        "band": person.band,
        "directorate": person.directorate,
        "registration_body": person.registration_body,
        "registration_number": person.registration_number,
    }
    return {**data, **changes}


def test_opening_a_persons_record_is_audited(client, administrator, participant):
    sign_in(client, administrator)
    assert client.get(reverse("people:edit", args=[participant.pk])).status_code == 200
    assert client.get(reverse("people:inspect", args=[participant.pk])).status_code == 200
    viewed = events(AuditAction.VIEWED)
    assert [e.detail["view"] for e in viewed.order_by("id")] == ["edit", "inspect"]
    assert all(e.subject == participant and e.actor == administrator for e in viewed)
    assert all(e.ip_address == "127.0.0.1" for e in viewed)


def test_an_edit_is_audited_with_the_changed_field_names_only(client, administrator, participant):
    sign_in(client, administrator)
    response = client.post(
        reverse("people:edit", args=[participant.pk]),
        edit_data(participant, job_title="Consultant anaesthetist", registration_number="7654321"),
    )
    assert response.status_code == 302
    event = events(AuditAction.CHANGED).get()
    assert event.subject == participant
    assert event.detail == {"fields": ["job_title", "registration_number"]}
    assert "7654321" not in str(AuditEvent.objects.values().get(pk=event.pk))


def test_an_edit_that_cannot_be_audited_does_not_happen(
    client, administrator, participant, monkeypatch
):
    sign_in(client, administrator)

    def refuse(self, *args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(AuditEvent, "save", refuse)
    with pytest.raises(DatabaseError):
        client.post(
            reverse("people:edit", args=[participant.pk]),
            edit_data(participant, job_title="Consultant anaesthetist"),
        )
    participant.refresh_from_db()
    assert participant.job_title != "Consultant anaesthetist"


def test_deleting_a_role_appointment_is_audited(client, superuser, participant):
    # (Programme administrators may not delete role history; superusers may.)
    appointment = RoleAppointmentFactory(person=participant)
    sign_in(client, superuser)
    url = reverse("roleappointment:delete", args=[appointment.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert not RoleAppointment.objects.filter(pk=appointment.pk).exists()
    event = events(AuditAction.DELETED).get()
    assert event.subject == participant
    assert event.target_object_id == str(appointment.pk)
    assert event.target_label == str(appointment)


def test_deleting_a_person_keeps_whose_data_it_was(client, superuser, participant):
    sign_in(client, superuser)
    person_id, label = participant.pk, participant.get_full_name()
    response = client.post(reverse("people:delete", args=[person_id]))
    assert response.status_code == 302
    event = events(AuditAction.DELETED).get()
    assert event.subject_id == person_id  # the person is gone; the reference and name stay
    assert event.subject_label == label


def test_opening_another_trusts_person_is_refused_and_audited(
    client, administrator, other_trust_lead
):
    sign_in(client, administrator)
    response = client.get(reverse("people:edit", args=[other_trust_lead.pk]))
    assert response.status_code == 404
    event = events(AuditAction.REFUSED).get()
    assert event.actor == administrator
    assert event.subject == other_trust_lead
    assert event.detail == {"view": "PersonEditView"}
    assert not events(AuditAction.VIEWED).exists()


def test_a_spreadsheet_export_of_people_is_audited(client, administrator, participant):
    sign_in(client, administrator)
    response = client.get(reverse("people:index"), {"export": "csv"})
    assert response.status_code == 200
    event = events(AuditAction.EXPORTED).get()
    assert event.actor == administrator
    # The administrator and the participant: the trust's two people.
    assert event.detail == {"export": "users", "format": "csv", "rows": 2}
