"""Importing role history from an HR extract (people.role_import, /admin/people/role-import/):
the dry run, the atomic apply, bad rows named, an idempotent re-import, and other trusts'
people rejected as "not found" without saying whether they exist."""

import csv
import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from people import role_import
from people.access import AccessRole
from people.models import RoleAppointment, RoleCategory, RoleSource
from tests.factories import ClinicianFactory, RoleAppointmentFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db

URL = "/admin/people/role-import/"
HEADER = ["Staff number", "Email", "Title", "Category", "Start", "End"]


def csv_upload(rows, *, header=HEADER, name="hr-extract.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def xlsx_upload(rows, *, header=HEADER):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("hr-extract.xlsx", buffer.getvalue())


@pytest.fixture
def nurse(trust_a):
    return ClinicianFactory(email="grace.nurse@northshire.nhs.uk", trust=trust_a,
                            staff_number="10001")  # fmt: skip


@pytest.fixture
def doctor(trust_a):
    return ClinicianFactory(email="ada.doctor@northshire.nhs.uk", trust=trust_a,
                            staff_number="10002")  # fmt: skip


@pytest.fixture
def stranger(trust_b):
    """Trust B's clinician, whose staff number trust A's file happens to use too."""
    return ClinicianFactory(email="sam.other@southvale.nhs.uk", trust=trust_b,
                            staff_number="20001")  # fmt: skip


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    session = client.session
    session["_tandem_last_seen"] = int(timezone.now().timestamp())
    session.save()
    return client


def good_rows():
    return [
        ["10001", "", "Ward manager", "Management", "2023-04-01", "2025-03-31"],
        ["", "Grace.Nurse@northshire.nhs.uk", "Matron", "Clinical leadership", "01/04/2025", ""],
        ["10002", "ada.doctor@northshire.nhs.uk", "Clinical director", "clinical_leadership",
         "1 September 2025", ""],
    ]  # fmt: skip


def check(by, trust, upload):
    return role_import.role_import_check(by=by, trust=trust, uploaded=upload)


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    return match.group(1) if match else ""


# --- the service -------------------------------------------------------------------------------


def test_the_dry_run_says_what_each_row_would_do_and_writes_nothing(administrator, trust_a,
                                                                    nurse, doctor):  # fmt: skip
    RoleAppointmentFactory(person=nurse, title="Ward manager",
                           starts_on=datetime.date(2023, 4, 1))  # fmt: skip
    result = check(administrator, trust_a, csv_upload(good_rows()))
    assert result.ok
    assert [(row.person, row.outcome) for row in result.rows] == [
        (nurse, "end_set"),
        (nurse, "new"),
        (doctor, "new"),
    ]
    assert result.summary == {"new": 2, "end_set": 1, "unchanged": 0}
    assert RoleAppointment.objects.count() == 1
    assert RoleAppointment.objects.get().ends_on is None


def test_apply_writes_every_row_and_a_reimport_changes_nothing(administrator, trust_a, nurse,
                                                               doctor):  # fmt: skip
    cells = check(administrator, trust_a, csv_upload(good_rows())).cells()
    applied = role_import.role_import_apply(by=administrator, trust=trust_a, cells=cells)
    assert applied.imported
    roles = RoleAppointment.objects.order_by("starts_on")
    assert [(r.person, r.title, r.category, r.starts_on, r.ends_on, r.source) for r in roles] == [
        (nurse, "Ward manager", RoleCategory.MANAGEMENT, datetime.date(2023, 4, 1),
         datetime.date(2025, 3, 31), RoleSource.HR_IMPORT),
        (nurse, "Matron", RoleCategory.CLINICAL_LEADERSHIP, datetime.date(2025, 4, 1), None,
         RoleSource.HR_IMPORT),
        (doctor, "Clinical director", RoleCategory.CLINICAL_LEADERSHIP,
         datetime.date(2025, 9, 1), None, RoleSource.HR_IMPORT),
    ]  # fmt: skip
    assert {r.recorded_by for r in roles} == {administrator}
    before = list(RoleAppointment.objects.values_list())
    again = check(administrator, trust_a, csv_upload(good_rows()))
    assert again.ok and again.changes == 0
    assert again.summary == {"new": 0, "end_set": 0, "unchanged": 3}
    assert role_import.role_import_apply(by=administrator, trust=trust_a, cells=again.cells())
    assert list(RoleAppointment.objects.values_list()) == before


def test_a_blank_end_never_removes_a_recorded_one(administrator, trust_a, nurse):
    RoleAppointmentFactory(person=nurse, title="Matron", starts_on=datetime.date(2025, 4, 1),
                           ends_on=datetime.date(2025, 10, 31))  # fmt: skip
    rows = [["10001", "", "Matron", "Clinical leadership", "2025-04-01", ""]]
    assert check(administrator, trust_a, csv_upload(rows)).rows[0].outcome == "unchanged"


def test_bad_rows_are_named_with_reasons_and_nothing_is_written(administrator, trust_a, nurse,
                                                                stranger):  # fmt: skip
    future = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    rows = [
        ["10001", "", "Ward manager", "Management", "2023-04-01", ""],  # good
        ["10001", "", "Matron", "Chief wizard", "2025-04-01", ""],
        ["10001", "", "Matron", "Management", "31/02/2025", ""],
        ["10001", "", "Matron", "Management", "2025-04-01", "2025-01-01"],
        ["10001", "", "Deputy", "Management", future, future],
        ["", "", "Matron", "Management", "2025-04-01", ""],
        ["20001", "", "Matron", "Management", "2025-04-01", ""],  # trust B's staff number
        ["", "sam.other@southvale.nhs.uk", "Matron", "Management", "2025-04-01", ""],
        ["99999", "", "Matron", "Management", "2025-04-01", ""],  # nobody's
        ["10001", "", "Ward manager", "Management", "2023-04-01", ""],  # row 2 again
    ]
    result = check(administrator, trust_a, csv_upload(rows))
    assert not result.ok
    errors = {row.number: row.errors for row in result.bad_rows}
    not_found = ["No one at Northshire Hospitals NHS Foundation Trust has this staff number or "
                 "email address."]  # fmt: skip
    assert errors == {
        3: ["The category “Chief wizard” is not one of: Clinical, Clinical leadership, "
            "Management, Board (executive), Board (non-executive)."],
        4: ["The start “31/02/2025” is not a date: write it as 2025-04-01."],
        5: ["The role ends before it starts."],
        6: ["The role has not started yet, so it cannot have an end date."],
        7: ["Give the person's staff number or email address."],
        8: not_found,
        9: not_found,
        10: not_found,
        11: ["Row 2 already gives this person's role with this title and start."],
    }  # fmt: skip
    applied = role_import.role_import_apply(by=administrator, trust=trust_a, cells=result.cells())
    assert not applied.imported
    assert not RoleAppointment.objects.exists()


def test_a_staff_number_and_email_must_name_the_same_person(administrator, trust_a, nurse,
                                                            doctor):  # fmt: skip
    rows = [["10001", "ada.doctor@northshire.nhs.uk", "Matron", "Management", "2025-04-01", ""]]
    result = check(administrator, trust_a, csv_upload(rows))
    assert result.rows[0].errors == [
        "The staff number and the email address belong to different people."
    ]


def test_apply_checks_again_and_writes_nothing_if_a_row_went_bad(administrator, trust_a, trust_b,
                                                                 nurse, doctor):  # fmt: skip
    cells = check(administrator, trust_a, csv_upload(good_rows())).cells()
    doctor.trust = trust_b  # moved since the check
    doctor.save()
    applied = role_import.role_import_apply(by=administrator, trust=trust_a, cells=cells)
    assert not applied.imported
    assert [row.number for row in applied.bad_rows] == [4]
    assert not RoleAppointment.objects.exists()


def test_a_refusal_halfway_through_the_writes_undoes_them_all(
    administrator, trust_a, nurse, doctor, monkeypatch
):
    from people import services

    cells = check(administrator, trust_a, csv_upload(good_rows())).cells()
    real, calls = services.role_appointment_create, []

    def second_fails(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError("Something changed meanwhile.")
        return real(**kwargs)

    monkeypatch.setattr(services, "role_appointment_create", second_fails)
    applied = role_import.role_import_apply(by=administrator, trust=trust_a, cells=cells)
    assert not applied.imported
    assert [(row.number, row.errors) for row in applied.bad_rows] == [
        (3, ["Something changed meanwhile."])
    ]
    assert not RoleAppointment.objects.exists()


def test_an_xlsx_extract_with_date_and_number_cells(administrator, trust_a, nurse):
    rows = [[10001, "", "Matron", "Clinical leadership", datetime.date(2025, 4, 1), None]]
    result = check(administrator, trust_a, xlsx_upload(rows))
    assert result.ok, [row.errors for row in result.rows]
    assert result.rows[0].starts_on == datetime.date(2025, 4, 1)


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (
            csv_upload([], header=["Name", "Title"]),
            "missing: staff number or email, category, start",
        ),
        (csv_upload([]), "The file has a header but no roles."),
        (SimpleUploadedFile("x.csv", b""), "The file is empty."),
        (SimpleUploadedFile("x.xlsx", b"not a zip"), "could not be read"),
        (SimpleUploadedFile("x.csv", "é".encode("latin-1")), "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_whole(administrator, trust_a, upload, words):
    result = check(administrator, trust_a, upload)
    assert not result.ok
    assert words in " ".join(result.file_errors)


# --- the admin page ----------------------------------------------------------------------------


def test_check_then_import_in_the_admin(admin_client, trust_a, nurse, doctor):
    response = admin_client.post(URL, {"trust": trust_a.pk, "file": csv_upload(good_rows()),
                                       "action": "check"})  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "All 3 rows are good." in html
    assert "3 new roles, 0 end dates changed, 0 unchanged" in html
    assert not RoleAppointment.objects.exists()
    response = admin_client.post(URL, {"action": "import", "token": token_of(response)})
    assert response.status_code == 302
    assert RoleAppointment.objects.count() == 3
    # The same file again: nothing to import, no button.
    response = admin_client.post(URL, {"trust": trust_a.pk, "file": csv_upload(good_rows()),
                                       "action": "check"})  # fmt: skip
    assert "There is nothing to import" in response.content.decode()
    assert token_of(response) == ""


def test_a_used_or_unknown_token_imports_nothing(admin_client):
    response = admin_client.post(URL, {"action": "import", "token": "made-up"})
    assert response.status_code == 400
    assert "no longer held" in response.content.decode()


def test_bad_rows_are_listed_in_the_admin(admin_client, trust_a, nurse):
    rows = [["10001", "", "Matron", "Wizard", "2025-04-01", ""]]
    response = admin_client.post(URL, {"trust": trust_a.pk, "file": csv_upload(rows),
                                       "action": "check"})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 of 1 rows need fixing. Nothing has been imported." in html
    assert "is not one of" in html
    assert token_of(response) == ""


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("roles.pdf", b"%PDF"), "Upload a .csv or .xlsx file."),
        (SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1)), "larger than 2 MB"),
    ],
)
def test_wrong_or_too_big_files_are_refused(admin_client, trust_a, upload, words):
    response = admin_client.post(URL, {"trust": trust_a.pk, "file": upload, "action": "check"})
    assert response.status_code == 400
    assert words in response.content.decode()


def test_another_trust_cannot_be_chosen(admin_client, trust_b, stranger):
    rows = [["20001", "", "Matron", "Management", "2025-04-01", ""]]
    response = admin_client.post(URL, {"trust": trust_b.pk, "file": csv_upload(rows),
                                       "action": "check"})  # fmt: skip
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert trust_b.name not in response.content.decode()
    assert not RoleAppointment.objects.exists()


def test_only_administrators_and_superusers_may_import(client, trust_a, other_trust_lead):
    for person in (
        UserFactory(trust=trust_a, roles=[AccessRole.FACILITATOR], is_staff=True),
        other_trust_lead,
    ):
        give_totp(person)
        client.force_login(person)
        response = client.get(URL)
        assert response.status_code in (302, 403)
        response = client.post(URL, {"trust": trust_a.pk, "action": "check",
                                     "file": csv_upload(good_rows())})  # fmt: skip
        assert response.status_code in (302, 403)
    assert not RoleAppointment.objects.exists()
