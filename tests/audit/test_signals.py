"""Sign-ins, failed sign-ins and sign-outs are audited (and logged) without secrets."""

import logging

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def login_request():
    return RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Safari/18"
    )


def test_signing_in_is_audited(client, participant, caplog):
    with caplog.at_level(logging.INFO, logger="tandem.audit"):
        client.force_login(participant)
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_IN)
    assert event.actor == participant
    assert event.subject == participant
    assert event.actor_email == participant.email
    assert "signed_in" in caplog.text
    assert participant.email in caplog.text


def test_a_failed_sign_in_records_the_attempted_email_never_the_password(participant, caplog):
    with caplog.at_level(logging.INFO, logger="tandem.audit"):
        user = authenticate(
            login_request(), email="Participant@Northshire.nhs.uk", password="wrong-guess-123"
        )
    assert user is None
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.actor is None
    assert event.actor_label == "anonymous"
    assert event.detail == {"attempted_email": "participant@northshire.nhs.uk"}
    assert event.subject == participant  # whose account was tried
    assert event.ip_address == "198.51.100.4"
    assert event.user_agent == "Safari/18"
    everything = str(list(AuditEvent.objects.values())) + caplog.text
    assert "wrong-guess-123" not in everything
    assert "sign_in_failed" in caplog.text


def test_a_password_typed_into_the_email_box_is_not_recorded(db):
    authenticate(login_request(), email="my secret phrase", password="x")
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.detail == {"attempted_email": "(not an email address)"}
    assert event.subject is None


def test_signing_out_is_audited(client, participant):
    client.force_login(participant)
    client.logout()
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_OUT)
    assert event.actor == participant
