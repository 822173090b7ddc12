"""Self sign-up by trust email domain, verification, and profile completion."""

import re

import pytest
from django.core import mail

from people.models import User
from tests.factories import TrustEmailDomainFactory, TrustFactory

pytestmark = pytest.mark.django_db

PASSWORD = "A-long-enough-pass-2026"


def signup(client, email, **extra):
    data = {
        "first_name": "Ada",
        "last_name": "Okafor",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "trust": "",
        **extra,
    }
    return client.post("/accounts/signup/", data)


def test_sign_up_with_a_registered_domain_verifies_then_completes_profile(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    response = signup(client, "Ada.Okafor@Northshire.NHS.uk")
    assert response.status_code == 302
    person = User.objects.get()
    assert person.email == "ada.okafor@northshire.nhs.uk"
    assert person.trust == trust_a
    assert (person.first_name, person.last_name) == ("Ada", "Okafor")

    # Not signed in until the email is verified.
    assert client.get("/accounts/profile/").status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"  # profile completion comes first

    response = client.post(
        "/accounts/profile/",
        {
            "first_name": "Ada",
            "last_name": "Okafor",
            "professional_group": "nursing_midwifery",
            "job_title": "Ward sister",
            "band": "Band 7",
            "directorate": "Medicine",
            "registration_body": "NMC",
            "registration_number": "12a3456e",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.profile_is_complete
    assert person.registration_number == "12A3456E"


def test_unregistered_domain_is_refused_and_nothing_saved(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    response = signup(client, "someone@gmail.com")
    assert response.status_code == 200
    assert "Tandem is not open to @gmail.com addresses" in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox


def test_shared_domain_asks_which_trust(client, trust_a, trust_b):
    TrustEmailDomainFactory(trust=trust_a, domain="nhs.net")
    TrustEmailDomainFactory(trust=trust_b, domain="nhs.net")
    response = signup(client, "ada.okafor@nhs.net")
    assert "Several trusts use @nhs.net addresses: choose yours." in response.content.decode()
    assert not User.objects.exists()

    response = signup(client, "ada.okafor@nhs.net", trust=trust_b.pk)
    assert response.status_code == 302
    assert User.objects.get().trust == trust_b


def test_choosing_a_trust_that_did_not_register_the_domain_is_refused(client, trust_a, trust_b):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    TrustEmailDomainFactory(trust=trust_b, domain="southvale.nhs.uk")
    response = signup(client, "ada@northshire.nhs.uk", trust=trust_b.pk)
    assert f"{trust_b.name} has not registered @northshire.nhs.uk" in response.content.decode()
    assert not User.objects.exists()


def test_closed_trusts_domains_are_not_open(client):
    import datetime

    closed = TrustFactory(closed_on=datetime.date(2020, 3, 31))
    TrustEmailDomainFactory(trust=closed, domain="closed.nhs.uk")
    response = signup(client, "ada@closed.nhs.uk")
    assert "not open to @closed.nhs.uk" in response.content.decode()


def test_weak_password_is_refused(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    response = signup(client, "ada@northshire.nhs.uk", password1="password", password2="password")
    assert response.status_code == 200
    assert "too common" in response.content.decode() or "too short" in response.content.decode()
    assert not User.objects.exists()


def test_duplicate_email_sign_up_does_not_create_a_second_account(client, trust_a, participant):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    signup(client, participant.email.upper())
    assert User.objects.filter(email__iexact=participant.email).count() == 1


def test_tampered_verification_link_is_refused(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    signup(client, "ada@northshire.nhs.uk")
    link = re.search(r"/accounts/confirm-email/(\S+)/", mail.outbox[0].body).group(1)
    response = client.post(f"/accounts/confirm-email/{link[:-3]}abc/")
    assert response.status_code in (200, 404)
    assert not User.objects.get().emailaddress_set.filter(verified=True).exists()


def test_script_in_names_is_shown_escaped(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    signup(client, "ada@northshire.nhs.uk", first_name="<script>alert(1)</script>")
    person = User.objects.get()
    client.force_login(person)
    html = client.get("/accounts/profile/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_profile_page_links_to_account_tools(client, participant):
    client.force_login(participant)
    html = client.get("/accounts/profile/").content.decode()
    for href in ("/accounts/password/change/", "/accounts/2fa/", "/account/my-data/"):
        assert f'href="{href}"' in html


def test_password_reset_by_email_link(client, participant):
    response = client.post("/accounts/password/reset/", {"email": participant.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body
    ).group(1)
    response = client.get(path)  # allauth moves the key into the session and redirects
    form_path = response["Location"] if response.status_code == 302 else path
    response = client.post(
        form_path, {"password1": "A-brand-new-pass-2026", "password2": "A-brand-new-pass-2026"}
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.check_password("A-brand-new-pass-2026")


def test_password_reset_does_not_reveal_unknown_addresses(client, participant):
    known = client.post("/accounts/password/reset/", {"email": participant.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@northshire.nhs.uk"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
