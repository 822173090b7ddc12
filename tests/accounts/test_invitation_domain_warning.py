"""An invitation to an address outside every registered email domain (a personal @gmail.com,
a slip such as @nhs.nte) is not sent silently: the administrator is warned and must confirm
that very address, one at a time or for a whole file."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services
from accounts.models import Invitation
from tests.factories import TrustEmailDomainFactory, give_totp

pytestmark = pytest.mark.django_db

WARNING = "No trust has registered @gmail.com addresses."


@pytest.fixture
def admin_client(client, administrator):
    TrustEmailDomainFactory(trust=administrator.trust, domain="northshire.nhs.uk")
    give_totp(administrator)
    client.force_login(administrator)
    session = client.session
    session["_tandem_last_seen"] = int(timezone.now().timestamp())
    session.save()
    return client


def invite(client, administrator, email, **extra):
    return client.post(
        "/admin/invitations/",
        {
            "email": email,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "trust": administrator.trust_id,
            **extra,
        },
    )


def test_the_warning_names_the_domain_only_when_no_trust_registered_it(trust_a, trust_b):
    TrustEmailDomainFactory(trust=trust_b, domain="nhs.net")
    assert services.unregistered_domain_warning("ada@NHS.net") is None  # another trust's: fine
    assert WARNING in services.unregistered_domain_warning("ada@gmail.com")
    assert services.unregistered_domains(["a@gmail.com", "b@nhs.net", "c@nhs.nte"]) == {
        "gmail.com",
        "nhs.nte",
    }


def test_one_invitation_outside_the_domains_waits_for_confirmation(
    admin_client, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, administrator, "Ada@Gmail.com")
    assert response.status_code == 200
    html = response.content.decode()
    assert WARNING in html
    assert 'name="confirm_address"' in html and 'value="ada@gmail.com"' in html
    assert "Yes, send the invitation to ada@gmail.com" in html
    assert not Invitation.objects.exists() and mail.outbox == []

    # A confirmation given for another address does not carry over to a changed one.
    response = invite(
        admin_client, administrator, "ada2@gmail.com", confirm_address="ada@gmail.com"
    )
    assert "No trust has registered @gmail.com" in response.content.decode()
    assert not Invitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            admin_client, administrator, "Ada@Gmail.com", confirm_address="ada@gmail.com"
        )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "ada@gmail.com"
    assert [m.to for m in mail.outbox] == [["ada@gmail.com"]]


def test_a_registered_address_is_sent_at_once(admin_client, administrator):
    response = invite(admin_client, administrator, "ada@northshire.nhs.uk")
    assert response.status_code == 302
    assert Invitation.objects.filter(email="ada@northshire.nhs.uk").exists()


def test_an_address_that_cannot_be_invited_gets_its_refusal_not_the_warning(
    admin_client, administrator
):
    services.invitation_create(
        email="ada@gmail.com", trust=administrator.trust, invited_by=administrator
    )
    response = invite(admin_client, administrator, "ada@gmail.com")
    assert response.status_code == 400
    html = response.content.decode()
    assert "already has an invitation waiting" in html
    assert WARNING not in html


def upload(client, administrator, action, **extra):
    text = (
        "email,first_name,last_name\n"
        "a@northshire.nhs.uk,A,One\n"
        "b@gmail.com,B,Two\n"
        "c@nhs.nte,C,Three\n"
    )
    return client.post(
        "/admin/invitations/import/",
        {
            "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv"),
            "trust": administrator.trust_id,
            "action": action,
            **extra,
        },
    )


def test_a_file_with_addresses_outside_the_domains_lists_them_and_imports_only_when_confirmed(
    admin_client, administrator, django_capture_on_commit_callbacks
):
    response = upload(admin_client, administrator, "check")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 of 3 addresses are outside every registered email domain" in html
    assert "b@gmail.com" in html and "c@nhs.nte" in html
    assert 'name="confirm_outside_domains"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, administrator, "import")
    html = response.content.decode()
    assert "Nothing has been imported." in html
    assert not Invitation.objects.exists() and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, administrator, "import", confirm_outside_domains="yes")
    assert response.status_code == 302
    assert Invitation.objects.count() == 3
    assert len(mail.outbox) == 3


def test_the_service_refuses_unconfirmed_outside_addresses(trust_a, administrator):
    upload_file = SimpleUploadedFile(
        "people.csv", b"email,first_name,last_name\nb@gmail.com,B,Two\n", content_type="text/csv"
    )
    check, imported = services.invitees_import(
        uploaded=upload_file, trust=trust_a, invited_by=administrator
    )
    assert imported == [] and check.needs_confirmation
    assert [row.email for row in check.outside_domain_rows] == ["b@gmail.com"]
