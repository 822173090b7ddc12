"""The participant import in the Wagtail admin (/admin/programmes/import/): upload, the
check's report, confirm; who may use it; and the imported person's first sign-in."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation
from people.access import AccessRole
from people.models import User
from programmes.models import Enrolment
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory, give_totp
from tests.programmes.import_files import csv_upload, row, xlsx_upload

pytestmark = pytest.mark.django_db

URL = "/admin/programmes/import/"
PASSWORD = "A-long-enough-pass-2026"


def signed_in(client, person):
    """A staff session past two-factor set-up and inside the idle timeout."""
    give_totp(person)
    client.force_login(person)
    session = client.session
    session["_tandem_last_seen"] = int(timezone.now().timestamp())
    session.save()
    return client


@pytest.fixture
def admin_client(client, administrator):
    return signed_in(client, administrator)


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    return match.group(1) if match else ""


def test_upload_check_and_confirm_end_to_end(
    admin_client, administrator, cohort, client, django_capture_on_commit_callbacks
):
    full = CohortFactory(host_trust=administrator.trust, capacity=1, name="Tiny cohort")
    rows = [
        row("new.manager@northshire.nhs.uk", cohort, first="Mary", last="Seacole"),
        row("first@northshire.nhs.uk", full),
        row("second@northshire.nhs.uk", full),
    ]
    response = admin_client.post(URL, {"file": csv_upload(rows), "action": "check"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "All 3 rows are good." in html
    assert "create 3 new accounts" in html
    assert "2 enrolled, 1 on the waiting list, 0 waiting for sponsor approval" in html
    assert "On the waiting list" in html
    token = token_of(response)
    assert token
    assert (
        not User.objects.filter(email__endswith="@northshire.nhs.uk", trust=cohort.host_trust)
        .exclude(pk=administrator.pk)
        .exists()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(URL, {"token": token, "action": "import"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    html = response.content.decode()
    assert "3 enrolments imported; 3 new accounts, whose invitations are being sent" in html
    assert "2 enrolled, 1 on the waiting list." in html
    assert Enrolment.objects.count() == 3
    # One invitation to each new person (the enrolment emails go too: programmes.emails).
    invitations = [m for m in mail.outbox if "/accounts/invitation/" in m.body]
    assert len(invitations) == 3

    # The same check cannot be imported twice.
    response = admin_client.post(URL, {"token": token, "action": "import"})
    assert response.status_code == 400
    assert "The checked file is no longer held" in response.content.decode()
    assert Enrolment.objects.count() == 3

    # The new person follows the invitation, sets a password, and is enrolled already.
    admin_client.logout()
    message = next(m for m in invitations if m.to == ["new.manager@northshire.nhs.uk"])
    path = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)
    response = client.post(
        path,
        {
            "first_name": "Mary",
            "last_name": "Seacole",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="new.manager@northshire.nhs.uk")
    assert person.check_password(PASSWORD)
    assert person.emailaddress_set.get().verified
    assert Invitation.objects.get(email=person.email).accepted_by == person
    assert person.enrolments.get().cohort == cohort
    assert client.get("/learn/").status_code == 200


def test_a_bad_file_lists_every_row_offers_no_import_and_writes_nothing(
    admin_client, cohort, trust_b, participant
):
    EnrolmentFactory(person=participant, cohort=cohort)
    cohort_b = CohortFactory(host_trust=trust_b, name="Southvale cohort")
    rows = [
        row("bad-email", cohort),
        row("x@northshire.nhs.uk", cohort_b),
        row(participant.email, cohort, group="Medical"),
    ]
    response = admin_client.post(URL, {"file": xlsx_upload(rows), "action": "check"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "3 of 3 rows need fixing. Nothing has been imported." in html
    assert "This is not a valid email address." in html
    assert f"Unknown cohort “{cohort_b.pk}”" in html
    assert "Southvale cohort" not in html
    assert "already has a place or an application in this cohort" in html
    assert token_of(response) == ""
    assert Enrolment.objects.count() == 1


def test_the_file_is_refused_for_its_type_size_or_columns(admin_client, cohort):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programmes.services import import_file as imports

    response = admin_client.post(
        URL, {"file": SimpleUploadedFile("people.exe", b"x"), "action": "check"}
    )
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    big = SimpleUploadedFile("people.csv", b"x" * (imports.MAX_FILE_BYTES + 1))
    response = admin_client.post(URL, {"file": big, "action": "check"})
    assert "The file is larger than 2 MB." in response.content.decode()
    response = admin_client.post(
        URL, {"file": csv_upload([["a"]], header=["mail"]), "action": "check"}
    )
    assert response.status_code == 400
    assert "missing: email, first name" in response.content.decode()
    response = admin_client.post(URL, {"action": "check"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_change_between_check_and_confirm_is_caught_and_nothing_is_written(
    admin_client, administrator, cohort
):
    rows = [row("a@northshire.nhs.uk", cohort), row("b@northshire.nhs.uk", cohort)]
    token = token_of(admin_client.post(URL, {"file": csv_upload(rows), "action": "check"}))
    UserFactory(email="b@northshire.nhs.uk", trust=administrator.trust)
    EnrolmentFactory(person=User.objects.get(email="b@northshire.nhs.uk"), cohort=cohort)

    response = admin_client.post(URL, {"token": token, "action": "import"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "1 of 2 rows need fixing. Nothing has been imported." in html
    assert not User.objects.filter(email="a@northshire.nhs.uk").exists()
    assert Enrolment.objects.count() == 1


def test_another_administrators_token_imports_nothing(client, administrator, cohort, trust_b):
    signed_in(client, administrator)
    token = token_of(
        client.post(
            URL, {"file": csv_upload([row("a@northshire.nhs.uk", cohort)]), "action": "check"}
        )
    )
    assert token
    admin_b = UserFactory(
        email="admin.b@southvale.nhs.uk", trust=trust_b, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]
    )
    client.logout()
    signed_in(client, admin_b)
    response = client.post(URL, {"token": token, "action": "import"})
    assert response.status_code == 400
    assert "no longer held" in response.content.decode()
    assert not User.objects.filter(email="a@northshire.nhs.uk").exists()


def test_another_trusts_administrator_cannot_import_into_our_cohort(client, cohort, trust_b):
    admin_b = UserFactory(
        email="admin.b@southvale.nhs.uk", trust=trust_b, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]
    )
    signed_in(client, admin_b)
    response = client.get(URL)
    assert response.status_code == 200
    assert cohort.name not in response.content.decode()  # not among their cohorts
    response = client.post(
        URL,
        {"file": csv_upload([row("x@southvale.nhs.uk", cohort, trust="RSV")]), "action": "check"},
    )
    assert response.status_code == 400
    assert f"Unknown cohort “{cohort.pk}”" in response.content.decode()
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    "roles",
    [
        [AccessRole.TRUST_REPORTING_LEAD],
        [AccessRole.EDITOR],
        [AccessRole.REGIONAL_LEAD],
        [AccessRole.FACILITATOR],
        [AccessRole.PARTICIPANT],
    ],
    ids=lambda roles: roles[0].label,
)
def test_only_administrators_and_superusers_may_open_it(client, trust_a, cohort, roles):
    person = UserFactory(email="someone@northshire.nhs.uk", trust=trust_a, roles=roles)
    if person.holds_staff_role:
        signed_in(client, person)
    else:
        client.force_login(person)
    upload = csv_upload([row("x@northshire.nhs.uk", cohort)])
    for response in (client.get(URL), client.post(URL, {"file": upload, "action": "check"})):
        # Wagtail answers a staff member's PermissionDenied with its "Sorry, you do not have
        # permission" redirect to the dashboard; anyone else gets the 403 page.
        assert response.status_code == 403 or (
            person.holds_staff_role
            and (response.status_code, response["Location"]) == (302, "/admin/")
        )
    assert not User.objects.filter(email="x@northshire.nhs.uk").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_menu_offers_the_import_only_to_those_who_may_use_it(client, administrator, trust_a):
    reporting_lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    signed_in(client, reporting_lead)
    assert "Import participants" not in client.get("/admin/").content.decode()
    signed_in(client, administrator)
    assert "Import participants" in client.get("/admin/").content.decode()


def test_the_page_lists_the_cohorts_to_import_into_in_fixed_queries(
    admin_client, administrator, trust_b, django_assert_max_num_queries
):
    for n in range(15):
        CohortFactory(host_trust=administrator.trust, name=f"Ours {n}")
    CohortFactory(host_trust=trust_b, name="Theirs")
    CohortFactory(host_trust=administrator.trust, name="Gone", status="cancelled")
    # Session, user, two-factor and Wagtail's admin frame (menu, user's permissions) take
    # most of them; the page's own are the administrator's grants and one for the cohorts.
    with django_assert_max_num_queries(20):
        response = admin_client.get(URL)
    html = response.content.decode()
    assert html.count("Ours ") == 15
    assert "Theirs" not in html and "Gone" not in html
    assert "Import participants" in html


def test_superusers_may_import(client, superuser, trust_b):
    cohort_b = CohortFactory(host_trust=trust_b)
    signed_in(client, superuser)
    upload = csv_upload([row("x@southvale.nhs.uk", cohort_b, trust="RSV")])
    response = client.post(URL, {"file": upload, "action": "check"})
    assert response.status_code == 200
    response = client.post(URL, {"token": token_of(response), "action": "import"})
    assert response.status_code == 302
    assert Enrolment.objects.get().person.trust == trust_b


def test_the_refusal_matrix_probes_the_import_page():
    """tests/test_access_matrix.py walks every URL pattern: the import page is among them
    (it has no id parameter, so no trust B id is needed; its POST without a file is a 400)."""
    from django.urls import get_resolver

    from tests.security.matrix import fill, walk

    paths = {fill(route, {}) for route, _ in walk(get_resolver().url_patterns) if "<" not in route}
    assert URL in paths
