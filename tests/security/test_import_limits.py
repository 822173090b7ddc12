"""The invitation import bounds a file before and while it reads it, never after: a million-row
XLSX is refused at row 2,001 without building the table, whatever dimensions it declares."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name\n"

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
OOXML = "http://schemas.openxmlformats.org"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELATIONSHIPS = f"{OOXML}/officeDocument/2006/relationships"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{SPREADSHEET}.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML}<workbook xmlns="{OOXML}/spreadsheetml/2006/main" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_OPEN = (
    f'{XML}<worksheet xmlns="{OOXML}/spreadsheetml/2006/main">'
    '<dimension ref="{dimension}"/><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"


def inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + "".join(inline(c) for c in ("email", "first_name", "last_name"))


def xlsx(rows, *, dimension="A1:C2", extra_parts=None) -> SimpleUploadedFile:
    """An XLSX written by hand, so a test can build a million rows in a few hundred KB
    (and declare whatever dimensions it likes), the way a hostile file would."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, chunks in (extra_parts or {}).items():
            with archive.open(name, "w") as part:
                for chunk in chunks:
                    part.write(chunk.encode())
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_OPEN.format(dimension=dimension).encode())
            for row in rows:
                sheet.write(row.encode())
            sheet.write(SHEET_CLOSE.encode())
    return SimpleUploadedFile("people.xlsx", buffer.getvalue())


def million_rows():
    yield HEADER_ROW + "</row>"
    # No r= attributes: as valid as numbered rows, and they compress to almost nothing.
    person = "<row>" + "".join(inline(c) for c in ("x@northshire.nhs.uk", "X", "Ray")) + "</row>"
    for _ in range(1_000_000 // 1000):
        yield person * 1000


@pytest.fixture
def rows_parsed(monkeypatch):
    """How many <row> elements openpyxl parsed."""
    from openpyxl.worksheet._reader import WorkSheetParser

    counter = {"rows": 0}
    parse_row = WorkSheetParser.parse_row

    def counting(self, row):
        counter["rows"] += 1
        return parse_row(self, row)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    return counter


def checked_within_memory(upload):
    tracemalloc.start()
    try:
        check = services.invitees_check(upload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return check, peak


def test_a_million_row_xlsx_is_refused_at_the_cap_without_building_the_table(rows_parsed):
    upload = xlsx(million_rows(), dimension="A1:C1000001")
    assert upload.size < 1024 * 1024  # small enough to pass the 2 MB upload limit
    check, peak = checked_within_memory(upload)
    assert check.file_errors == ["Upload at most 2000 people at a time."]
    assert check.rows == []
    # Header plus 2,001 people, give or take one row of look-ahead, of a million.
    assert rows_parsed["rows"] <= 2_003
    # Before, the whole table was built: +200 MB. Streaming holds a few thousand rows.
    assert peak < 25 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_declared_dimensions_are_not_trusted(rows_parsed):
    """A row numbered 1,048,576 after the header would make openpyxl yield a million blank
    rows in between; they are counted, and refused, long before."""
    rows = [HEADER_ROW + "</row>", '<row r="1048576">' + inline("x@northshire.nhs.uk") + "</row>"]
    check, peak = checked_within_memory(xlsx(rows, dimension="A1:XFD1048576"))
    assert len(check.file_errors) == 1
    assert "at most 2000 people" in check.file_errors[0]
    assert "counting blank ones" in check.file_errors[0]
    assert peak < 25 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_only_the_first_columns_are_read():
    wide = "".join(inline("filler") for _ in range(5_000))
    rows = [
        HEADER_ROW + "</row>",
        "<row>" + "".join(inline(c) for c in ("y@northshire.nhs.uk", "Y", "Why")) + wide + "</row>",
    ]
    check = services.invitees_check(xlsx(rows, dimension="A1:GJH2"))
    assert check.ok, check.file_errors
    assert check.rows[0].email == "y@northshire.nhs.uk"


def test_an_over_long_cell_refuses_the_file_naming_its_row():
    long_name = "A" * (services.MAX_INVITEE_CELL_CHARACTERS + 1)
    text = HEADER + "a@northshire.nhs.uk,A,One\n" + f"b@northshire.nhs.uk,{long_name},Two\n"
    check = services.invitees_check(SimpleUploadedFile("people.csv", text.encode()))
    assert check.file_errors == [
        "Row 3 has a cell longer than 1000 characters. Check that row, then upload the file again."
    ]
    rows = [
        HEADER_ROW + "</row>",
        "<row>" + "".join(inline(c) for c in ("c@northshire.nhs.uk", long_name, "C")) + "</row>",
    ]
    check = services.invitees_check(xlsx(rows))
    assert check.file_errors and check.file_errors[0].startswith("Row 2 has a cell longer")


def test_a_csv_cell_beyond_the_csv_modules_own_limit_is_refused_the_same_way():
    text = (
        HEADER + "a@northshire.nhs.uk,A,One\n" + "b@northshire.nhs.uk," + "B" * 200_000 + ",Two\n"
    )
    check = services.invitees_check(SimpleUploadedFile("people.csv", text.encode()))
    assert check.file_errors and check.file_errors[0].startswith("Row 3 has a cell longer")


def test_a_csv_over_the_cap_is_refused_before_the_end_of_the_file_is_read():
    people = "".join(f"p{n}@northshire.nhs.uk,P,Person\n" for n in range(40_000))
    upload = SimpleUploadedFile("people.csv", (HEADER + people).encode())
    check = services.invitees_check(upload)
    assert check.file_errors == ["Upload at most 2000 people at a time."]
    # Read in chunks as the rows were wanted: stopped near row 2,002, not at the end.
    assert upload.file.tell() < upload.size / 5


def test_an_xlsx_whose_other_parts_unpack_too_large_is_refused_before_openpyxl_opens_it(
    monkeypatch,
):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a file it should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    bomb = {"xl/sharedStrings.xml": (" " * 1024 * 1024 for _ in range(21))}
    upload = xlsx([HEADER_ROW + "</row>"], extra_parts=bomb)
    assert upload.size < 200 * 1024
    check = services.invitees_check(upload)
    assert check.file_errors == [
        "The spreadsheet is too large once unpacked. Save only the sheet of people, as CSV or "
        "XLSX, and upload it again."
    ]


def test_files_over_the_size_limit_are_refused_unopened():
    upload = SimpleUploadedFile("people.csv", b"x" * (services.MAX_INVITEE_FILE_BYTES + 1))
    check = services.invitees_check(upload)
    assert check.file_errors == ["The file is larger than 2 MB. Split it into smaller files."]


def test_a_csv_that_is_not_utf8_is_explained():
    upload = SimpleUploadedFile("people.csv", (HEADER + "zoë@x.nhs.uk,Zoë,Y\n").encode("cp1252"))
    check = services.invitees_check(upload)
    assert check.file_errors == [
        "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
    ]
