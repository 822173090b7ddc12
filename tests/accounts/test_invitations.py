"""Invitations: signed, expiring, single-use links, and bulk import checked row by row."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services
from accounts.models import Invitation
from people.models import User
from tests.factories import TrustEmailDomainFactory, give_totp

pytestmark = pytest.mark.django_db

PASSWORD = "A-long-enough-pass-2026"


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    session = client.session
    session["_tandem_last_seen"] = int(timezone.now().timestamp())
    session.save()
    return client


@pytest.fixture
def northshire_registered(trust_a):
    """Trust A registered its domain: inviting its staff needs no second look (an address
    outside every registered domain does: test_invitation_domain_warning.py)."""
    return TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")


def link_path(message):
    return re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)


def test_administrator_invites_one_person_and_they_join_the_trust(
    admin_client, administrator, client, django_capture_on_commit_callbacks, northshire_registered
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/invitations/",
            {
                "email": "New.Person@Northshire.nhs.uk",
                "first_name": "New",
                "last_name": "Person",
                "trust": administrator.trust_id,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    invitation.refresh_from_db()
    assert invitation.email == "new.person@northshire.nhs.uk"
    assert invitation.sent_at is not None
    assert len(mail.outbox) == 1
    path = link_path(mail.outbox[0])

    admin_client.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert "new.person@northshire.nhs.uk" in response.content.decode()
    response = client.post(
        path,
        {"first_name": "New", "last_name": "Person", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    person = User.objects.get(email="new.person@northshire.nhs.uk")
    assert person.trust == administrator.trust
    assert person.emailaddress_set.get().verified

    # Single use: the same link no longer works.
    client.logout()
    response = client.get(path)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_tampered_link_is_refused(client, trust_a, administrator):
    invitation = services.invitation_create(
        email="x@northshire.nhs.uk", trust=trust_a, invited_by=administrator
    )
    token = services.invitation_token(invitation)
    forged = token.replace(f"{invitation.pk}:", f"{invitation.pk + 1}:")
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        assert client.get(f"/accounts/invitation/{bad}/").status_code == 400
    assert not User.objects.filter(email="x@northshire.nhs.uk").exists()


def test_expired_and_revoked_links_are_refused(client, trust_a, administrator):
    invitation = services.invitation_create(
        email="x@northshire.nhs.uk", trust=trust_a, invited_by=administrator
    )
    token = services.invitation_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(f"/accounts/invitation/{token}/").status_code == 400
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=1), revoked_at=timezone.now()
    )
    assert client.get(f"/accounts/invitation/{token}/").status_code == 400


def test_signature_older_than_the_validity_is_refused(
    client, trust_a, administrator, settings, monkeypatch
):
    invitation = services.invitation_create(
        email="x@northshire.nhs.uk", trust=trust_a, invited_by=administrator
    )
    token = services.invitation_token(invitation)
    real_time = __import__("time").time
    monkeypatch.setattr(
        "time.time", lambda: real_time() + (settings.INVITATION_VALID_DAYS + 1) * 86400
    )
    with pytest.raises(services.InvitationInvalid):
        services.invitation_from_token(token)


def test_weak_password_on_acceptance_saves_nothing(client, trust_a, administrator):
    invitation = services.invitation_create(
        email="x@northshire.nhs.uk", trust=trust_a, invited_by=administrator
    )
    path = f"/accounts/invitation/{services.invitation_token(invitation)}/"
    response = client.post(
        path,
        {"first_name": "X", "last_name": "Y", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="x@northshire.nhs.uk").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_existing_account_cannot_be_invited(admin_client, administrator, participant):
    response = admin_client.post(
        "/admin/invitations/",
        {
            "email": participant.email,
            "first_name": "A",
            "last_name": "B",
            "trust": administrator.trust_id,
        },
    )
    assert response.status_code == 400
    assert "already has a Tandem account" in response.content.decode()
    assert not Invitation.objects.exists()


def test_administrator_cannot_invite_into_another_trust(admin_client, trust_b):
    response = admin_client.post(
        "/admin/invitations/",
        {"email": "z@southvale.nhs.uk", "first_name": "A", "last_name": "B", "trust": trust_b.pk},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_participant_cannot_open_invitations(client, participant):
    client.force_login(participant)
    response = client.get("/admin/invitations/")
    assert response.status_code in (302, 403)


def csv_file(text, name="people.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_dry_run_lists_every_bad_row_with_its_reason_and_imports_nothing(
    admin_client, administrator, participant
):
    text = (
        "email,first_name,last_name\n"
        "good@northshire.nhs.uk,Good,Person\n"
        "not-an-email,Bad,Email\n"
        f"{participant.email},Already,Here\n"
        "good@northshire.nhs.uk,Twice,Listed\n"
        "noname@northshire.nhs.uk,,\n"
    )
    for action in ("check", "import"):
        response = admin_client.post(
            "/admin/invitations/import/",
            {"file": csv_file(text), "trust": administrator.trust_id, "action": action},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "4 of 5 rows need fixing" in html
        assert "This is not a valid email address." in html
        assert "already has a Tandem account" in html
        assert "also on row 2" in html
        assert "First and last name are both needed." in html
        assert not Invitation.objects.exists()


def test_good_file_imports_every_row_in_one_go(
    admin_client, administrator, django_capture_on_commit_callbacks, northshire_registered
):
    text = "Email,First name,Last name\na@northshire.nhs.uk,A,One\nb@northshire.nhs.uk,B,Two\n\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/invitations/import/",
            {"file": csv_file(text), "trust": administrator.trust_id, "action": "import"},
        )
    assert response.status_code == 302
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "a@northshire.nhs.uk",
        "b@northshire.nhs.uk",
    }
    assert len(mail.outbox) == 2


def test_xlsx_files_are_read(admin_client, administrator):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "first_name", "last_name"])
    sheet.append(["x@northshire.nhs.uk", "X", "Ray"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("people.xlsx", buffer.getvalue())
    response = admin_client.post(
        "/admin/invitations/import/",
        {"file": upload, "trust": administrator.trust_id, "action": "check"},
    )
    assert response.status_code == 200
    assert "All 1 rows are good" in response.content.decode()


def test_wrong_file_type_and_missing_columns_are_explained(admin_client, administrator):
    response = admin_client.post(
        "/admin/invitations/import/",
        {
            "file": csv_file("x", name="people.exe"),
            "trust": administrator.trust_id,
            "action": "check",
        },
    )
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    response = admin_client.post(
        "/admin/invitations/import/",
        {
            "file": csv_file("mail,name\na@b.nhs.uk,A\n"),
            "trust": administrator.trust_id,
            "action": "check",
        },
    )
    assert "missing: email, first_name, last_name" in response.content.decode()


def test_sending_twice_sends_once(trust_a, administrator):
    from accounts.tasks import send_invitation

    invitation = services.invitation_create(
        email="x@northshire.nhs.uk", trust=trust_a, invited_by=administrator
    )
    send_invitation(invitation.pk)
    send_invitation(invitation.pk)
    assert len(mail.outbox) == 1
