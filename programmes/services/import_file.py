"""Reading the participant import's file (programmes.services.imports): its columns, its
rows and the bounds it is read within — the invitation import's (accounts.services), through
the same streaming reader (people.spreadsheets). Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from people.models import ProfessionalGroup

from ..models import EnrolmentStatus

# The header names, as the file must give them (any case; spaces, hyphens or underscores).
COLUMNS = (
    "email",
    "first name",
    "last name",
    "trust code",
    "professional group",
    "job title",
    "registration number",
    "cohort",
)
# Columns a file may add: the sponsor, for cohorts that need the sponsor's approval (an
# existing account's own sponsor is used when the row gives none).
OPTIONAL_COLUMNS = ("sponsor name", "sponsor email")
# Other names a header may use for the same column.
COLUMN_ALIASES = {"cohort id": "cohort", "ods code": "trust code"}
# The invitation import's limits (accounts.services), for the same reasons, but for the number
# of people: each row here costs some 30 queries (an account, its audit record, an invitation
# and its outbox row, an enrolment under its cohort's row lock and its history), and the
# whole file is one transaction, in one request, holding its cohorts' locks to the end —
# meanwhile nobody else can enrol in those cohorts. 2,000 rows took minutes on the 2-core
# development machine; 500 stay within a request's time. Larger lists: split the file.
MAX_ROWS = 500
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_BLANK_ROWS = 1000  # blank rows among or after the people are skipped, up to this many
MAX_COLUMNS = 50
MAX_CELL_CHARACTERS = 1000

_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "trust_code",
    "professional_group",
    "job_title",
    "registration_number",
    "cohort",
    "sponsor_name",
    "sponsor_email",
)
_GROUPS = {
    **{label.lower(): value for value, label in ProfessionalGroup.choices},
    **{value: value for value in ProfessionalGroup.values},
}
COHORT_ID = re.compile(r"^#?(\d{1,12})(?:\.0+)?$")  # an XLSX number cell may read "12.0"


def _header_name(cell: str) -> str:
    name = " ".join(re.sub(r"[_\-]+", " ", cell).split()).lower()
    return COLUMN_ALIASES.get(name, name)


def group_value(text: str) -> str | None:
    key = " ".join(text.replace("&", "and").split()).lower()
    return _GROUPS.get(key) or _GROUPS.get(key.replace(" ", "_"))


@dataclass
class ImportRow:
    number: int  # as a spreadsheet user counts: the header is row 1
    email: str
    first_name: str
    last_name: str
    trust_code: str
    professional_group: str  # as the file gives it
    job_title: str
    registration_number: str
    cohort: str  # the cohort's id, as the file gives it
    sponsor_name: str = ""
    sponsor_email: str = ""
    errors: list[str] = field(default_factory=list)
    # Found by the check (and set again by the import): shown in the report.
    new_account: bool = False
    same_person_as: int | None = None  # the row that creates this new person's account
    outcome: str = ""  # an EnrolmentStatus: predicted by the check, made by the import
    cohort_label: str = ""

    def cells(self) -> dict:
        """What the file said, to check again and import after the administrator confirms."""
        return {"number": self.number, **{name: getattr(self, name) for name in _FIELDS}}

    @property
    def outcome_label(self) -> str:
        return EnrolmentStatus(self.outcome).label if self.outcome else ""


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    file_errors: list[str] = field(default_factory=list)
    imported: bool = False  # set by enrolments_import once everything was written

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.bad_rows

    def cells(self) -> list[dict]:
        return [row.cells() for row in self.rows]

    @property
    def summary(self) -> dict:
        good = [row for row in self.rows if not row.errors]
        outcomes = [row.outcome for row in good]
        return {
            "rows": len(good),
            "new_accounts": sum(1 for row in good if row.new_account and not row.same_person_as),
            "existing_accounts": len({row.email for row in good if not row.new_account}),
            "enrolled": outcomes.count(EnrolmentStatus.ENROLLED),
            "waitlisted": outcomes.count(EnrolmentStatus.WAITLISTED),
            "pending_approval": outcomes.count(EnrolmentStatus.PENDING_APPROVAL),
        }


class FileRefused(Exception):
    """The file cannot be read within the bounds, or lacks the columns: `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reading the file ---------------------------------------------------------------------------


def _column_index(cells: list[str]) -> dict[str, int]:
    header = [_header_name(cell) for cell in cells]
    unknown = [
        cell.strip()
        for cell, name in zip(cells, header, strict=True)
        if name and name not in COLUMNS + OPTIONAL_COLUMNS
    ]
    missing = [column for column in COLUMNS if column not in header]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if unknown:
        problems.append(f"not known: {', '.join(unknown)}")
    if repeated:
        problems.append(f"named twice: {', '.join(repeated)}")
    if problems:
        raise FileRefused(
            f"The first row must name the columns {', '.join(COLUMNS)} (in any order); "
            f"{'; '.join(problems)}."
        )
    return {
        name.replace(" ", "_"): header.index(name)
        for name in COLUMNS + OPTIONAL_COLUMNS
        if name in header
    }


def read_rows(uploaded) -> list[ImportRow]:
    """The rows of the file, read one by one; stops (FileRefused) at the first limit."""
    from people.spreadsheets import TableRefused, records

    try:
        found = records(
            uploaded,
            column_index=_column_index,
            noun="people",
            max_rows=MAX_ROWS,
            max_blank_rows=MAX_BLANK_ROWS,
            max_columns=MAX_COLUMNS,
            max_cell_characters=MAX_CELL_CHARACTERS,
            max_file_bytes=MAX_FILE_BYTES,
            columns_hint=(
                f" Keep only the columns {', '.join(COLUMNS)}, then upload the file again."
            ),
        )
    except TableRefused as refusal:
        raise FileRefused(refusal.message) from None
    return [ImportRow(number=number, **values) for number, values in found]
