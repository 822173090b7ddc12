"""Each dashboard table as CSV or XLSX: the table as the page shows it — the same disclosed
figures (reports.dashboard), so "<5" and "*" are exported as text and nothing hidden on the
page is in the file — under a few lines saying whose figures they are and how filtered.
The effect estimate's tables (reports.effect_exports) are written by the same functions.

Formula-safe: every text cell passes through audit.csv_export.safe_cell (a cell starting
with = + - @, a tab or a carriage return gets a leading apostrophe, as OWASP advises), and
XLSX cells openpyxl would take for formulas are written as text. Counts go into XLSX as
numbers, so a spreadsheet can add them up."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.text import slugify

from audit.csv_export import csv_line, safe_cell

from .disclosure import Figure, small_text, threshold

FORMATS = ("csv", "xlsx")
TABLES = (
    *("participants", "enrolments", "rates", "activity", "leadership", "board", "relationship"),
    # The outcome tables (reports.outcome_tables).
    *("relationship_after", "outlook", "self_assessment", "self_assessment_levels"),
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters_text(f) -> str:
    parts = []
    if f.programme is not None:
        parts.append(f"programme {f.programme.title}")
    if f.cohort is not None:
        parts.append(f"cohort {f.cohort.name}")
    if f.since is not None:
        parts.append(f"from {f.since:%-d %B %Y}")
    if f.until is not None:
        parts.append(f"to {f.until:%-d %B %Y}")
    return ", ".join(parts) or "all programmes, all dates"


def trust_text(trust) -> str:
    return f"{trust.name} ({trust.ods_code})"


def suppression_text() -> str:
    """What "<5" and "*" mean, for a file's heading lines."""
    return (
        f"{small_text()}: between 1 and {threshold() - 1}. *: hidden so that a small "
        "number cannot be worked out from the others."
    )


def sheet_rows(table, report_filter) -> list[list]:
    """The rows of the file: a short heading, the column headings, the table's rows."""
    rows = [
        [table.title],
        [trust_text(report_filter.trust)],
        [f"Filters: {_filters_text(report_filter)}"],
        [suppression_text()],
        *([note] for note in table.notes),
        [],
        [table.label_heading, *table.columns],
    ]
    rows += [[row.label, *row.cells] for row in table.rows]
    if table.paper:
        rows += [[], ["Compared with the paper", "This trust", "The paper"]]
        rows += [[label, figure, f"{paper}%"] for label, figure, paper in table.paper]
    if table.comparison is not None:
        comparison = table.comparison
        rows += [[], [comparison.title], [comparison.label_heading, *comparison.columns]]
        rows += [[row.label, *row.cells] for row in comparison.rows]
    return rows


def _csv_value(value):
    return value.text if isinstance(value, Figure) else value


def _xlsx_value(value):
    if isinstance(value, Figure):
        if value.shown and not value.text.endswith("%"):
            return value.value
        return safe_cell(value.text)
    return safe_cell(value) if isinstance(value, str) else value


def as_csv(rows) -> bytes:
    # A byte-order mark, so Excel reads the en dashes and apostrophes as UTF-8.
    return ("\ufeff" + "".join(csv_line([_csv_value(v) for v in row]) for row in rows)).encode()


def as_xlsx(rows, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, _xlsx_value(value))
            if cell.data_type == "f":  # never a formula, whatever openpyxl makes of it
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def file_response(rows, *, name: str, sheet: str, export_format: str) -> HttpResponse:
    """`rows` as an attachment called `name`.csv or .xlsx (`sheet`: the XLSX sheet's title).
    `name` must already be safe in a header (a slug)."""
    if export_format == "csv":
        response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(as_xlsx(rows, sheet), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{export_format}"'
    return response


def download(request, table, report_filter, export_format: str) -> HttpResponse:
    rows = sheet_rows(table, report_filter)
    name = f"{slugify(report_filter.trust.ods_code)}-{table.slug}"
    return file_response(rows, name=name, sheet=table.slug, export_format=export_format)
