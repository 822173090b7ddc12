"""CSV writing shared by the audit export and subject-access archives.

Cells are defused against spreadsheet formula injection: a user agent, a name or a free-text
answer starting with = + - @ (or a tab/carriage return) would otherwise run as a formula when
an administrator opens the file in Excel. Such cells get a leading apostrophe, as OWASP
recommends; the JSON files beside CSVs keep the exact values.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.core.serializers.json import DjangoJSONEncoder

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        # Negative numbers are data, not formulas: leave "-3" alone.
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def csv_line(values: Sequence) -> str:
    """One CSV line (with its line ending), each value defused."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(v) for v in values])
    return buffer.getvalue()


def rows_to_csv(rows: Iterable[dict]) -> str:
    """A whole CSV document from dicts; the header is the union of keys, in first-seen order."""
    rows = list(rows)
    fieldnames: list[str] = []
    for row in rows:
        for key in row:
            if key not in fieldnames:
                fieldnames.append(key)
    lines = [csv_line(fieldnames)]
    lines += [csv_line([row.get(name) for name in fieldnames]) for row in rows]
    return "".join(lines)
