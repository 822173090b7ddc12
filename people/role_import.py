"""Importing role history from an HR extract (CSV or XLSX): one row per role, naming the
person by staff number or email, with the role's title, category, start and (optional) end.

The rules are the enrolment import's (programmes.services.imports): `role_import_check`
reads the file within fixed bounds (people.spreadsheets, the same streaming reader), checks
every row and says what would happen to each, writing nothing; `role_import_apply` checks
the rows again and writes every good row in one transaction, or none.

People are found only among the people of the trust the extract is for, which must be one
the importer administers: a row naming anyone else — at another trust, or nobody — is
refused with the same words, so the report reveals nothing about other trusts.

A role is known by its natural key, person + title + start date (the model's unique
constraint), so importing the same file twice changes nothing: the second check reports
every row "unchanged". A row whose role exists with another end date sets that end date;
a blank end never removes one already recorded (an extract may simply not have it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from . import services
from .models import RoleAppointment, RoleCategory, RoleSource, Trust, User
from .permissions import administered_trust_ids
from .spreadsheets import TableRefused, records

# The header names (any case; spaces, hyphens or underscores), and other names HR systems
# give the same columns.
IDENTITY_COLUMNS = ("staff number", "email")
COLUMNS = ("title", "category", "start")
OPTIONAL_COLUMNS = ("end",)
COLUMN_ALIASES = {
    "job title": "title",
    "role": "title",
    "role title": "title",
    "start date": "start",
    "starts on": "start",
    "end date": "end",
    "ends on": "end",
    "staff no": "staff number",
    "employee number": "staff number",
    "assignment number": "staff number",
    "esr number": "staff number",
    "email address": "email",
}
# An HR row costs a few queries, about a tenth of an enrolment's: the invitation import's
# bounds (accounts.services), for the same reasons.
MAX_ROWS = 2000
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_BLANK_ROWS = 1000
MAX_COLUMNS = 50
MAX_CELL_CHARACTERS = 1000
MAX_TITLE = RoleAppointment._meta.get_field("title").max_length


class Outcome:
    NEW = "new"
    END_SET = "end_set"
    UNCHANGED = "unchanged"

    LABELS = {
        NEW: "New role",
        END_SET: "End date changed",
        UNCHANGED: "Unchanged: already recorded",
    }


@dataclass
class RoleRow:
    number: int  # as a spreadsheet user counts: the header is row 1
    staff_number: str = ""
    email: str = ""
    title: str = ""
    category: str = ""
    start: str = ""
    end: str = ""
    errors: list[str] = field(default_factory=list)
    # Found by the check.
    person: User | None = None
    existing: RoleAppointment | None = None
    outcome: str = ""
    category_value: str = ""
    starts_on: date | None = None
    ends_on: date | None = None

    _CELLS = ("staff_number", "email", "title", "category", "start", "end")

    def cells(self) -> dict:
        return {"number": self.number, **{name: getattr(self, name) for name in self._CELLS}}

    @property
    def outcome_label(self) -> str:
        return Outcome.LABELS.get(self.outcome, "")


@dataclass
class RoleImportCheck:
    trust: Trust | None
    rows: list[RoleRow]
    file_errors: list[str] = field(default_factory=list)
    imported: bool = False

    @property
    def bad_rows(self) -> list[RoleRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.bad_rows

    def cells(self) -> list[dict]:
        return [row.cells() for row in self.rows]

    @property
    def summary(self) -> dict:
        outcomes = [row.outcome for row in self.rows if not row.errors]
        return {
            "new": outcomes.count(Outcome.NEW),
            "end_set": outcomes.count(Outcome.END_SET),
            "unchanged": outcomes.count(Outcome.UNCHANGED),
        }

    @property
    def changes(self) -> int:
        summary = self.summary
        return summary["new"] + summary["end_set"]


class FileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- who may import, and into which trust ------------------------------------------------------


def importing_trusts(user):
    """The trusts whose HR extracts `user` may import: those they administer (all, for a
    superuser)."""
    if services.is_active_superuser(user):
        return Trust.objects.order_by("name")
    if not (user and user.is_authenticated and user.is_active):
        return Trust.objects.none()
    return Trust.objects.filter(pk__in=administered_trust_ids(user)).order_by("name")


def may_import_roles(user) -> bool:
    return services.is_active_superuser(user) or bool(
        user and user.is_authenticated and user.is_active and administered_trust_ids(user)
    )


# --- reading the file --------------------------------------------------------------------------


def _header_name(cell: str) -> str:
    name = " ".join(re.sub(r"[_\-]+", " ", cell).split()).lower()
    return COLUMN_ALIASES.get(name, name)


def _column_index(cells: list[str]) -> dict[str, int]:
    header = [_header_name(cell) for cell in cells]
    known = IDENTITY_COLUMNS + COLUMNS + OPTIONAL_COLUMNS
    unknown = [
        cell.strip() for cell, name in zip(cells, header, strict=True) if name and name not in known
    ]
    missing = [column for column in COLUMNS if column not in header]
    if not any(column in header for column in IDENTITY_COLUMNS):
        missing.insert(0, "staff number or email")
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
            "The first row must name the columns staff number or email (or both), "
            f"{', '.join(COLUMNS)} and optionally end, in any order; {'; '.join(problems)}."
        )
    return {name.replace(" ", "_"): header.index(name) for name in known if name in header}


def read_rows(uploaded) -> list[RoleRow]:
    """The rows of the file; FileRefused at the first bound it passes."""
    try:
        found = records(
            uploaded,
            column_index=_column_index,
            noun="roles",
            max_rows=MAX_ROWS,
            max_blank_rows=MAX_BLANK_ROWS,
            max_columns=MAX_COLUMNS,
            max_cell_characters=MAX_CELL_CHARACTERS,
            max_file_bytes=MAX_FILE_BYTES,
        )
    except TableRefused as refusal:
        raise FileRefused(refusal.message) from None
    return [RoleRow(number=number, **values) for number, values in found]


# --- reading the cells -------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")
_CATEGORIES = {
    **{label.lower(): value for value, label in RoleCategory.choices},
    **{value.replace("_", " "): value for value in RoleCategory.values},
    "board executive": RoleCategory.BOARD_EXECUTIVE,
    "board non executive": RoleCategory.BOARD_NON_EXECUTIVE,
    "executive": RoleCategory.BOARD_EXECUTIVE,
    "non executive": RoleCategory.BOARD_NON_EXECUTIVE,
}


def parse_date(text: str) -> date | None:
    """A date as HR extracts write it: 2025-04-01, 01/04/2025 (day first, as in the UK),
    1 April 2025, or an XLSX date cell ("2025-04-01 00:00:00"). None if it is none of them."""
    text = " ".join(text.split())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", text):
        text = text[:10]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def category_value(text: str) -> str | None:
    key = " ".join(re.sub(r"[_\-()]+", " ", text).split()).lower()
    return _CATEGORIES.get(key)


def _staff_number(text: str) -> str:
    text = "".join(text.split()).upper()
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text  # an XLSX number cell


def _check_cells(row: RoleRow) -> None:
    if not row.staff_number and not row.email:
        row.errors.append("Give the person's staff number or email address.")
    if not row.title:
        row.errors.append("Give the role's title.")
    elif len(row.title) > MAX_TITLE:
        row.errors.append(f"The title is longer than {MAX_TITLE} characters.")
    if not row.category:
        row.errors.append("Give the role's category.")
    elif (value := category_value(row.category)) is None:
        row.errors.append(
            f"The category “{row.category}” is not one of: "
            f"{', '.join(label for _, label in RoleCategory.choices)}."
        )
    else:
        row.category_value = value
    if not row.start:
        row.errors.append("Give the date the role started.")
    elif (starts_on := parse_date(row.start)) is None:
        row.errors.append(f"The start “{row.start}” is not a date: write it as 2025-04-01.")
    else:
        row.starts_on = starts_on
    if row.end:
        if (ends_on := parse_date(row.end)) is None:
            row.errors.append(f"The end “{row.end}” is not a date: write it as 2025-04-01.")
        else:
            row.ends_on = ends_on
    if row.starts_on and row.ends_on:
        if row.ends_on < row.starts_on:
            row.errors.append("The role ends before it starts.")
        elif row.starts_on > timezone.localdate():
            row.errors.append("The role has not started yet, so it cannot have an end date.")


# --- checking --------------------------------------------------------------------------------

NOT_FOUND = "No one at {trust} has this staff number or email address."


def _find_people(trust: Trust, rows: list[RoleRow]) -> None:
    """Match each row to a person of `trust` (one query, whatever the number of rows). A row
    giving both a staff number and an email must match one person by both."""
    numbers = {_staff_number(row.staff_number) for row in rows if row.staff_number}
    emails = {row.email.lower() for row in rows if row.email}
    people = (
        User.objects.filter(trust=trust)
        .annotate(email_lower=Lower("email"))
        .filter(Q(staff_number__in=numbers) | Q(email_lower__in=emails))
        .only("pk", "email", "staff_number", "trust_id", "professional_group")
    )
    by_number, by_email = {}, {}
    for person in people:
        if person.staff_number:
            by_number[person.staff_number] = person
        by_email[person.email_lower] = person
    for row in rows:
        matches = []
        if row.staff_number:
            matches.append(by_number.get(_staff_number(row.staff_number)))
        if row.email:
            matches.append(by_email.get(row.email.lower()))
        if None in matches:
            # One identifier that matches nobody here names someone else: not found, in the
            # same words whether or not they exist at another trust.
            row.errors.append(NOT_FOUND.format(trust=trust.name))
        elif len({person.pk for person in matches}) > 1:
            row.errors.append("The staff number and the email address belong to different people.")
        else:
            row.person = matches[0]


def _compare_with_recorded(rows: list[RoleRow]) -> None:
    """Each good row against the person's recorded roles (one query): new, end date set, or
    unchanged; a second row of the file for the same role is an error."""
    good = [row for row in rows if not row.errors]
    recorded = {
        (role.person_id, role.title, role.starts_on): role
        for role in RoleAppointment.objects.filter(
            person_id__in={row.person.pk for row in good},
            starts_on__in={row.starts_on for row in good},
        )
    }
    seen: dict[tuple, int] = {}
    for row in good:
        key = (row.person.pk, row.title, row.starts_on)
        if key in seen:
            row.errors.append(
                f"Row {seen[key]} already gives this person's role with this title and start."
            )
            continue
        seen[key] = row.number
        row.existing = recorded.get(key)
        if row.existing is None:
            row.outcome = Outcome.NEW
        elif row.ends_on is None or row.ends_on == row.existing.ends_on:
            row.outcome = Outcome.UNCHANGED
        else:
            # Only the end date is taken from a known role: its category and title stay as
            # recorded (an administrator may have corrected them).
            row.outcome = Outcome.END_SET


def _check_rows(trust: Trust, rows: list[RoleRow]) -> None:
    for row in rows:
        _check_cells(row)
    _find_people(trust, [row for row in rows if not row.errors])
    _compare_with_recorded(rows)


def _require_trust(by, trust: Trust) -> None:
    if not importing_trusts(by).filter(pk=trust.pk).exists():
        raise PermissionDenied("You may import roles only for a trust you administer.")


def role_import_check(*, by, trust: Trust, uploaded) -> RoleImportCheck:
    """Read and check the file; write nothing."""
    _require_trust(by, trust)
    try:
        rows = read_rows(uploaded)
    except FileRefused as refusal:
        return RoleImportCheck(trust=trust, rows=[], file_errors=[refusal.message])
    _check_rows(trust, rows)
    return RoleImportCheck(trust=trust, rows=rows)


def role_import_check_cells(*, by, trust: Trust, cells: list[dict]) -> RoleImportCheck:
    """Check rows given as cells (the API's HR feed: no file); write nothing."""
    _require_trust(by, trust)
    rows = [RoleRow(**cell) for cell in cells]
    _check_rows(trust, rows)
    return RoleImportCheck(trust=trust, rows=rows)


def role_import_apply(*, by, trust: Trust, cells: list[dict], request=None) -> RoleImportCheck:
    """Check the held rows again and write every change in one transaction, or nothing."""
    _require_trust(by, trust)
    rows = [RoleRow(**cell) for cell in cells]
    _check_rows(trust, rows)
    check = RoleImportCheck(trust=trust, rows=rows)
    if not check.ok:
        return check
    current = None
    try:
        with transaction.atomic():
            for current in rows:
                _apply_row(current, by=by, trust=trust, request=request)
    except ValidationError as error:  # changed since the check: nothing was written
        current.errors.extend(error.messages)
        return check
    check.imported = True
    return check


def _apply_row(row: RoleRow, *, by, trust: Trust, request) -> None:
    if row.outcome == Outcome.NEW:
        services.role_appointment_create(
            person=row.person,
            title=row.title,
            category=row.category_value,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            source=RoleSource.HR_IMPORT,
            recorded_by=by,
            trust=trust,
            request=request,
        )
    elif row.outcome == Outcome.END_SET:
        services.role_appointment_correct(
            appointment=row.existing, ends_on=row.ends_on, by=by, request=request
        )
