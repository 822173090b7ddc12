""" "Check the file" validates exactly what "Import" will save: a row that passes the check
cannot fail the import, and the import view never answers 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services
from accounts.models import Invitation
from tests.factories import TrustEmailDomainFactory, give_totp

pytestmark = pytest.mark.django_db

LONG_NAME = "N" * 300
# 312 characters and a well-formed address (a 64-character local part, labels under 64), so
# only the Invitation's 254-character limit refuses it.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + "." + "c" * 57 + ".nhs.uk"


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    session = client.session
    session["_tandem_last_seen"] = int(timezone.now().timestamp())
    session.save()
    return client


def upload(client, administrator, text, action):
    return client.post(
        "/admin/invitations/import/",
        {
            "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv"),
            "trust": administrator.trust_id,
            "action": action,
        },
    )


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            f"long.name@northshire.nhs.uk,{LONG_NAME},Person",
            "The first name is too long: at most 150 characters (it has 300).",
        ),
        (
            f"{LONG_EMAIL},Long,Address",
            "The email address is too long: at most 254 characters (it has 312).",
        ),
    ],
    ids=["300-character first name", "312-character email"],
)
def test_check_and_import_refuse_what_the_invitation_cannot_hold(
    admin_client, administrator, row, problem
):
    assert len(LONG_EMAIL) == 312
    text = "email,first_name,last_name\ngood@northshire.nhs.uk,Good,Person\n" + row + "\n"
    for action in ("check", "import"):
        response = upload(admin_client, administrator, text, action)
        assert response.status_code == 400, action
        html = response.content.decode()
        assert "1 of 2 rows need fixing" in html
        assert problem in html
    assert not Invitation.objects.exists()


def test_a_row_refused_at_save_time_rolls_everything_back_and_is_explained(
    admin_client, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    """Someone invites row 3's person between the check and the save: nothing is created,
    no email goes, and the page says which row and why (before, a ValidationError: 500)."""
    from django.core import mail

    TrustEmailDomainFactory(trust=administrator.trust, domain="northshire.nhs.uk")

    services.invitation_create(
        email="late@northshire.nhs.uk", trust=administrator.trust, invited_by=administrator
    )
    mail.outbox.clear()
    monkeypatch.setattr(services, "_email_refusals", lambda emails: {})  # the check misses it
    text = (
        "email,first_name,last_name\n"
        "early@northshire.nhs.uk,Early,Bird\n"
        "late@northshire.nhs.uk,Late,Comer\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, administrator, text, "import")
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 of 2 rows need fixing" in html
    assert "already has an invitation waiting" in html
    assert list(Invitation.objects.values_list("email", flat=True)) == ["late@northshire.nhs.uk"]
    assert mail.outbox == []


def test_the_check_reads_existing_accounts_and_invitations_in_constant_queries(
    administrator, participant, django_assert_max_num_queries
):
    services.invitation_create(
        email="waiting@northshire.nhs.uk", trust=administrator.trust, invited_by=administrator
    )
    people = "".join(f"p{n}@northshire.nhs.uk,P,Person\n" for n in range(300))
    text = (
        "email,first_name,last_name\n"
        f"{participant.email.upper()},Already,Here\n"
        "waiting@northshire.nhs.uk,Still,Waiting\n" + people
    )
    # Three queries for the whole file: pending invitations, existing accounts, and which of
    # its email domains a trust has registered.
    with django_assert_max_num_queries(3):
        check = services.invitees_check(SimpleUploadedFile("people.csv", text.encode()))
    assert check.rows[0].errors == ["This person already has a Tandem account."]
    assert check.rows[1].errors == ["This person already has an invitation waiting."]
    assert len(check.bad_rows) == 2
