"""The participant import's bounds, measured as the invitation import's are
(tests/security/test_import_limits.py): an oversized file is refused unopened, a huge one at
the row cap without reading the rest, a too-wide one at its first wide row."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programmes import services
from programmes.services import import_file as imports
from tests.programmes.import_files import HEADER, csv_upload, row
from tests.security.test_import_limits import inline, xlsx

pytestmark = pytest.mark.django_db

HEADER_ROW = "<row>" + "".join(inline(c) for c in HEADER) + "</row>"


def check(by, upload):
    return services.enrolments_import_check(by=by, uploaded=upload)


def test_a_file_over_the_size_limit_is_refused_unopened(administrator, monkeypatch):
    import people.spreadsheets

    def never(*args, **kwargs):
        raise AssertionError("the reader opened a file it should have refused")

    monkeypatch.setattr(people.spreadsheets, "table_rows", never)
    upload = SimpleUploadedFile("people.csv", b"x" * (imports.MAX_FILE_BYTES + 1))
    result = check(administrator, upload)
    assert result.file_errors == ["The file is larger than 2 MB. Split it into smaller files."]
    assert not services.enrolments_import(by=administrator, uploaded=upload).imported


def test_a_million_row_xlsx_is_refused_at_the_cap_quickly_without_reading_it_all(
    administrator, cohort, monkeypatch
):
    from openpyxl.worksheet._reader import WorkSheetParser

    parsed = {"rows": 0}
    parse_row = WorkSheetParser.parse_row

    def counting(self, element):
        parsed["rows"] += 1
        return parse_row(self, element)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    person = "<row>" + "".join(inline(c) for c in row("x@northshire.nhs.uk", cohort)) + "</row>"

    def million_rows():
        yield HEADER_ROW
        for _ in range(1000):
            yield person * 1000

    upload = xlsx(million_rows(), dimension="A1:H1000001")
    assert upload.size < imports.MAX_FILE_BYTES
    started = time.monotonic()
    result = check(administrator, upload)
    assert result.file_errors == ["Upload at most 500 people at a time."]
    assert parsed["rows"] <= 503  # the header and 501 people, of a million
    assert time.monotonic() - started < 10


def test_a_csv_over_the_cap_is_refused_before_the_end_of_the_file_is_read(administrator, cohort):
    rows = [row(f"p{n}@northshire.nhs.uk", cohort) for n in range(6_000)]
    upload = csv_upload(rows)
    assert upload.size < imports.MAX_FILE_BYTES
    result = check(administrator, upload)
    assert result.file_errors == ["Upload at most 500 people at a time."]
    assert upload.file.tell() < upload.size / 4


def test_blank_rows_count_towards_a_bound_too(administrator, cohort):
    upload = csv_upload([row("a@northshire.nhs.uk", cohort)] + [[""]] * 1_600)
    result = check(administrator, upload)
    assert result.file_errors == [
        "The file has more than 1501 rows, counting blank ones. Upload at most 500 people at "
        "a time, without blank rows between them."
    ]


def test_too_many_columns_are_refused_naming_the_row(administrator, cohort):
    wide = row("a@northshire.nhs.uk", cohort) + ["note"] * 60
    upload = csv_upload([row("b@northshire.nhs.uk", cohort), wide])
    result = check(administrator, upload)
    assert result.file_errors == [
        "Row 3 has more than 50 columns. Keep only the columns email, first name, last name, "
        "trust code, professional group, job title, registration number, cohort, then upload "
        "the file again."
    ]
    # Blank cells beyond the columns (spreadsheets keep them) are not a reason to refuse.
    upload = csv_upload([row("b@northshire.nhs.uk", cohort) + [""] * 80])
    assert check(administrator, upload).ok


def test_an_over_long_cell_or_a_file_that_is_not_a_spreadsheet_is_explained(administrator, cohort):
    long = row("a@northshire.nhs.uk", cohort, job="J" * 1001)
    assert check(administrator, csv_upload([long])).file_errors == [
        "Row 2 has a cell longer than 1000 characters. Check that row, then upload the file again."
    ]
    not_xlsx = SimpleUploadedFile("people.xlsx", b"this is not a zip file")
    assert check(administrator, not_xlsx).file_errors == [
        "The file could not be read. Save it as CSV or XLSX."
    ]
    latin1 = SimpleUploadedFile("people.csv", (",".join(HEADER) + "\nzoë\n").encode("cp1252"))
    assert check(administrator, latin1).file_errors == [
        "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
    ]
    assert check(administrator, SimpleUploadedFile("people.csv", b"")).file_errors == [
        "The file is empty."
    ]
    assert check(administrator, csv_upload([])).file_errors == [
        "The file has a header but no people."
    ]


def test_a_cell_too_long_for_the_account_is_a_row_problem_not_a_crash(administrator, cohort):
    result = check(administrator, csv_upload([row("a@northshire.nhs.uk", cohort, job="J" * 201)]))
    assert result.bad_rows[0].errors == [
        "The job title is too long: at most 200 characters (it has 201)."
    ]
