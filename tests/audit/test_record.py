"""audit.record: what an event holds, what it refuses to hold, and that it is never lost."""

import logging

import pytest
from django.db import DatabaseError, transaction
from django.test import RequestFactory

import audit
from audit.models import AppendOnlyError, AuditAction, AuditEvent
from audit.services import SensitiveDetailError, client_ip
from tests.factories import AuditEventFactory, ClinicianFactory, RoleAppointmentFactory

pytestmark = pytest.mark.django_db


def a_request(**meta):
    return RequestFactory().get("/admin/people/", REMOTE_ADDR="192.0.2.7", **meta)


def test_record_copies_who_what_whose_and_from_where(administrator, participant):
    event = audit.record(
        action=audit.Action.VIEWED,
        actor=administrator,
        request=a_request(HTTP_USER_AGENT="Firefox/140"),
        target=participant,
        detail={"view": "edit"},
    )
    event.refresh_from_db()
    assert event.action == AuditAction.VIEWED
    assert event.actor == administrator
    assert event.actor_email == "admin@northshire.nhs.uk"
    assert event.actor_label == administrator.get_full_name()
    assert event.ip_address == "192.0.2.7"
    assert event.user_agent == "Firefox/140"
    assert event.target_content_type.model_class() is type(participant)
    assert event.target_object_id == str(participant.pk)
    assert event.target_label == str(participant)
    # A person as target is also whose data it is, and their trust scopes the event.
    assert event.subject == participant
    assert event.subject_label == participant.get_full_name()
    assert event.trust_id == participant.trust_id
    assert event.detail == {"view": "edit"}


def test_subject_of_a_role_appointment_is_its_person(administrator, participant):
    appointment = RoleAppointmentFactory(person=participant)
    event = audit.record(
        action="changed", actor=administrator, target=appointment, subject=participant
    )
    assert event.subject == participant
    assert event.target_label == str(appointment)


def test_without_a_request_or_user_the_actor_is_the_system():
    event = audit.record(action="retention_purged", actor=None, detail={"count": 3})
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.ip_address is None


def test_an_unknown_action_is_refused(participant):
    before = AuditEvent.objects.count()  # building the participant granted them a role
    with pytest.raises(ValueError):
        audit.record(action="peeked", actor=participant)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "detail",
    [
        {"password": "hunter2"},
        {"new_password1": "hunter2"},
        {"reset_token": "abc"},
        {"Registration_Number": "7012345"},
        {"form": {"old_password": "hunter2"}},
        {"rows": [{"ok": 1}, {"api_key": "k"}]},
        {"otp": "123456"},
    ],
)
def test_details_that_could_hold_secrets_or_registration_numbers_are_refused(participant, detail):
    before = AuditEvent.objects.count()
    with pytest.raises(SensitiveDetailError):
        audit.record(action="changed", actor=participant, target=participant, detail=detail)
    assert AuditEvent.objects.count() == before


def test_field_names_as_values_are_fine(administrator, participant):
    # The changed-fields list names a registration field; it holds no number.
    event = audit.record(
        action="changed",
        actor=administrator,
        target=participant,
        detail={"fields": ["job_title", "registration_number"]},
    )
    assert event.detail["fields"] == ["job_title", "registration_number"]


def test_a_failing_write_aborts_the_operation_it_audits(monkeypatch, administrator, participant):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AuditEvent, "save", refuse)
    with pytest.raises(DatabaseError), transaction.atomic():
        participant.job_title = "Consultant surgeon"
        participant.save()
        audit.record(action="changed", actor=administrator, target=participant)
    participant.refresh_from_db()
    assert participant.job_title != "Consultant surgeon"


# --- where the client's address comes from -------------------------------------------------


def test_ip_comes_from_remote_addr_by_default():
    request = a_request(HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "192.0.2.7"  # a client-set header is not trusted


def test_ip_header_is_configurable_and_the_proxys_entry_is_used(settings):
    settings.AUDIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # The client forged the first entry; our proxy appended the real address last.
    request = a_request(HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_a_malformed_address_is_stored_as_unknown(settings):
    settings.AUDIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(a_request(HTTP_X_FORWARDED_FOR="not-an-ip")) is None


# --- append-only --------------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted():
    event = AuditEventFactory()
    event.action = AuditAction.DELETED
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.DELETED)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    event.refresh_from_db()
    assert event.action == AuditAction.VIEWED


def test_deleting_the_actor_keeps_the_trail_readable(participant):
    actor = ClinicianFactory(email="gone@northshire.nhs.uk")
    event = audit.record(action="viewed", actor=actor, target=participant)
    actor.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_email == "gone@northshire.nhs.uk"
    assert event.subject == participant


def test_security_events_are_logged_without_secrets(caplog, administrator):
    with caplog.at_level(logging.INFO, logger="tandem.audit"):
        audit.record(action="exported", actor=administrator, request=a_request())
    assert "exported" in caplog.text
    assert "admin@northshire.nhs.uk" in caplog.text
    assert "192.0.2.7" in caplog.text
