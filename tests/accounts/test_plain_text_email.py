"""Every email Tandem sends is plain text that reads as typed (no HTML escaping) and links to
Tandem's public address, settings.BASE_URL, whatever host the request came in on."""

import re

import pytest
from django.core import mail

from accounts import services
from accounts.tasks import send_invitation
from tests.factories import TrustEmailDomainFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "D'Arcy & Zoë"
PUBLIC = "https://tandem.example.nhs.uk:8443"
PASSWORD = "A-long-enough-pass-2026"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.BASE_URL = PUBLIC
    # The request comes in on another name: links must not follow it.
    settings.ALLOWED_HOSTS = ["internal.example", "testserver"]


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def assert_plain_and_public(message, *, name=NAME):
    body = message.body
    assert "&#x27;" not in body and "&amp;" not in body and "&lt;" not in body, body
    assert name in body, body
    assert links(message), body
    for link in links(message):
        assert link.startswith(PUBLIC + "/"), link
    assert "localhost" not in body and "internal.example" not in body


def test_the_invitation_names_the_person_as_typed_and_links_to_the_public_address(
    trust_a, administrator
):
    invitation = services.invitation_create(
        email="darcy@northshire.nhs.uk",
        first_name=NAME,
        last_name="Smith",
        trust=trust_a,
        invited_by=administrator,
    )
    mail.outbox.clear()
    send_invitation(invitation.pk)
    [message] = mail.outbox
    assert message.body.startswith(f"Hello {NAME},")
    assert_plain_and_public(message)
    assert links(message)[0].startswith(f"{PUBLIC}/accounts/invitation/")


def signup(client, email, **extra):
    data = {
        "first_name": NAME,
        "last_name": "O'Neill",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "trust": "",
        **extra,
    }
    return client.post("/accounts/signup/", data, HTTP_HOST="internal.example")


def test_the_sign_up_confirmation(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    assert signup(client, "darcy@northshire.nhs.uk").status_code == 302
    [message] = mail.outbox
    assert_plain_and_public(message, name=f"{NAME} O'Neill")
    assert any("/accounts/confirm-email/" in link for link in links(message))
    assert "Tandem" in message.body  # signed as Tandem, not as the request's host name


def test_sign_up_with_an_address_that_has_an_account(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    UserFactory(email="darcy@northshire.nhs.uk", first_name=NAME, trust=trust_a)
    signup(client, "darcy@northshire.nhs.uk")
    [message] = mail.outbox
    assert_plain_and_public(message, name="darcy@northshire.nhs.uk")
    assert any("/accounts/password/reset/" in link for link in links(message))


def test_the_password_reset_link(client, trust_a):
    UserFactory(email="darcy@northshire.nhs.uk", first_name=NAME, trust=trust_a)
    response = client.post(
        "/accounts/password/reset/",
        {"email": "darcy@northshire.nhs.uk"},
        HTTP_HOST="internal.example",
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert_plain_and_public(message, name="Tandem")
    assert any("/accounts/password/reset/key/" in link for link in links(message))


def test_a_password_reset_for_an_unknown_address(client):
    client.post(
        "/accounts/password/reset/",
        {"email": "nobody@northshire.nhs.uk"},
        HTTP_HOST="internal.example",
    )
    [message] = mail.outbox
    assert_plain_and_public(message, name="nobody@northshire.nhs.uk")


def test_every_plain_text_template_turns_html_escaping_off():
    """A new plain-text email template must not escape either: it turns autoescape off, or
    extends a plain-text template that does."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    templates = sorted(root.rglob("*.txt"))
    assert len(templates) >= 2
    for path in templates:
        text = path.read_text()
        assert "{% autoescape off %}" in text or re.search(r"{% extends ['\"][^'\"]+\.txt", text), (
            path
        )
