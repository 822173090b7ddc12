"""Files for the participant import's tests (tests/programmes/test_import*.py)."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = [
    "email",
    "first name",
    "last name",
    "trust code",
    "professional group",
    "job title",
    "registration number",
    "cohort",
]


def row(
    email,
    cohort,
    *,
    trust="RNS",
    group="Management and administration",
    first="Ada",
    last="Lovelace",
    job="Service manager",
    registration="",
):
    return [email, first, last, trust, group, job, registration, str(getattr(cohort, "pk", cohort))]


def csv_upload(rows, *, header=HEADER, name="participants.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def xlsx_upload(rows, *, header=HEADER, name="participants.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for cells in rows:
        # Numbers as a spreadsheet stores them: the cohort id and a GMC number are numbers.
        sheet.append([int(c) if c.isdigit() else c for c in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())
