"""Reading an uploaded CSV or XLSX table row by row, within bounds fixed before any parse.

A spreadsheet is hostile input: a 253 KB XLSX can hold a million rows (its XML compresses
well), declare any dimensions it likes, or unpack to gigabytes. So nothing here builds the
whole table. Rows are streamed (openpyxl's read-only reader; csv.reader over a text wrapper)
and the caller stops as soon as it has seen enough; only `max_columns` cells of a row are
kept, a cell longer than `max_cell_characters` refuses the file naming its row, and an XLSX
whose non-sheet parts (shared strings, styles, which openpyxl loads whole) unpack to more
than `MAX_XLSX_PARTS_BYTES` is refused before openpyxl opens it. The sizes a file declares
(its `<dimension>`, its row numbers) are never used to size anything.
"""

import csv
import io
import zipfile
from collections.abc import Iterator

# Shared strings, styles and the workbook part are read whole by openpyxl, even read-only;
# 2,000 rows of three short cells need well under 1 MB of them.
MAX_XLSX_PARTS_BYTES = 20 * 1024 * 1024


class TableRefused(ValueError):
    """The file cannot be read within the bounds; `message` says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(value) -> str:
    return "" if value is None else str(value)


def _bounded(number: int, cells, *, max_columns: int, max_cell_characters: int) -> list[str]:
    row = [_text(value) for value in list(cells)[:max_columns]]
    if any(len(cell) > max_cell_characters for cell in row):
        raise TableRefused(
            f"Row {number} has a cell longer than {max_cell_characters} characters. "
            "Check that row, then upload the file again."
        )
    return row


def _csv_rows(uploaded, *, max_columns: int, max_cell_characters: int) -> Iterator[list[str]]:
    uploaded.seek(0)
    # A text wrapper decodes as csv.reader asks for lines, so the upload is never held as
    # one decoded string. Detached afterwards: closing the wrapper would close the upload.
    text = io.TextIOWrapper(uploaded, encoding="utf-8-sig", newline="")
    number = 0
    try:
        for number, cells in enumerate(csv.reader(text), start=1):
            yield _bounded(
                number, cells, max_columns=max_columns, max_cell_characters=max_cell_characters
            )
    except UnicodeDecodeError:
        raise TableRefused(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
        ) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise TableRefused(
                f"Row {number + 1} has a cell longer than {max_cell_characters} characters. "
                "Check that row, then upload the file again."
            ) from None
        raise
    finally:
        text.detach()


def _xlsx_rows(
    uploaded, *, max_rows: int, max_columns: int, max_cell_characters: int
) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    uploaded.seek(0)
    with zipfile.ZipFile(uploaded) as archive:
        # Declared sizes bound what zipfile will unpack (it stops, and fails the CRC, if a
        # member inflates past its declared size), so adding them up is a safe first check.
        parts = sum(
            member.file_size
            for member in archive.infolist()
            if not member.filename.startswith("xl/worksheets/")
        )
    if parts > MAX_XLSX_PARTS_BYTES:
        raise TableRefused(
            "The spreadsheet is too large once unpacked. Save only the sheet of people, as "
            "CSV or XLSX, and upload it again."
        )
    uploaded.seek(0)
    workbook = load_workbook(uploaded, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # Explicit bounds: without them openpyxl would size rows and the loop by the
        # dimensions the file declares.
        rows = sheet.iter_rows(
            min_row=1, max_row=max_rows, min_col=1, max_col=max_columns, values_only=True
        )
        for number, cells in enumerate(rows, start=1):
            yield _bounded(
                number, cells, max_columns=max_columns, max_cell_characters=max_cell_characters
            )
    finally:
        workbook.close()


def table_rows(
    uploaded, *, max_rows: int, max_columns: int, max_cell_characters: int
) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet counts, cells as text) for each row, lazily.

    Stop iterating when you have seen enough; at most `max_rows` rows are read from an XLSX.
    Raises TableRefused with a message for the uploader, or the reader's own error for a
    file that is not what its name says (the caller treats that as unreadable).
    """
    name = (uploaded.name or "").lower()
    bounds = {"max_columns": max_columns, "max_cell_characters": max_cell_characters}
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(uploaded, max_rows=max_rows, **bounds)
    elif name.endswith(".csv"):
        rows = _csv_rows(uploaded, **bounds)
    else:
        raise TableRefused("Upload a .csv or .xlsx file.")
    yield from enumerate(rows, start=1)


def records(
    uploaded,
    *,
    column_index,
    noun: str,
    max_rows: int,
    max_blank_rows: int,
    max_columns: int,
    max_cell_characters: int,
    max_file_bytes: int,
    columns_hint: str = "",
) -> list[tuple[int, dict[str, str]]]:
    """An import file's rows after its header, as (row number, {field: stripped text}), for
    the imports of people (programmes) and of role history (people): the same bounds, the
    same messages. ``column_index(header_cells)`` maps each field to its column (and raises
    the caller's own refusal for a header it cannot use); ``noun`` names the rows ("people",
    "roles"). Every refusal of the file itself is a TableRefused with a message for the
    uploader; a file that is not what its name says is "could not be read", never a 500."""
    if uploaded.size is not None and uploaded.size > max_file_bytes:
        raise TableRefused(
            f"The file is larger than {max_file_bytes // 2**20} MB. Split it into smaller files."
        )
    most_rows = 1 + max_rows + max_blank_rows
    unreadable = TableRefused("The file could not be read. Save it as CSV or XLSX.")
    try:
        # One row and one column more than allowed, to know when there are too many.
        table = iter(
            table_rows(
                uploaded,
                max_rows=most_rows + 1,
                max_columns=max_columns + 1,
                max_cell_characters=max_cell_characters,
            )
        )
    except TableRefused:
        raise
    except Exception:  # noqa: BLE001 - a corrupt file is the uploader's to fix
        raise unreadable from None
    index, found = None, []
    while True:
        try:
            number, cells = next(table)
        except StopIteration:
            break
        except TableRefused:
            raise
        except Exception:  # noqa: BLE001 - a corrupt file is the uploader's to fix
            raise unreadable from None
        if any(cell.strip() for cell in cells[max_columns:]):
            raise TableRefused(f"Row {number} has more than {max_columns} columns.{columns_hint}")
        if index is None:
            if not any(cell.strip() for cell in cells):
                raise TableRefused("The first row must name the columns; it is blank.")
            index = column_index(cells)
            continue
        if number > most_rows:
            raise TableRefused(
                f"The file has more than {most_rows} rows, counting blank ones. Upload at "
                f"most {max_rows} {noun} at a time, without blank rows between them."
            )
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of a spreadsheet are not mistakes
        if len(found) == max_rows:
            raise TableRefused(f"Upload at most {max_rows} {noun} at a time.")
        found.append(
            (
                number,
                {
                    name: (cells[position] if position < len(cells) else "").strip()
                    for name, position in index.items()
                },
            )
        )
    if index is None:
        raise TableRefused("The file is empty.")
    if not found:
        raise TableRefused(f"The file has a header but no {noun}.")
    return found
