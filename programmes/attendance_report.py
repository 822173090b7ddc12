"""Reads of attendance for people to look at: a cohort's attendance matrix (everyone on its
registers against every session), one person's own attendance, and the counts "My learning"
shows beside each enrolment. Pure reads: nothing here writes, and nothing here checks who is
asking (the views scope through programmes.permissions first).

**Who is expected where.** The rule is completion's (programmes.services.completion,
``attendance_counts``): a session that ended before the person got their place
(``Enrolment.seated_at``) is not expected of them. Beyond it, a person who withdrew is not
expected at sessions that started after they left (``status_changed_at``): their row stays,
with the marks they had, but the sessions after are not held against them.

**What counts.** Present, late and left early are attended; excused counts too only where
the programme says so (``Programme.excused_counts_as_attended``), and is otherwise an
expected session not attended. Rates count held sessions only (scheduled, and ended by
``now``): a cancelled session is shown as such and counts for no one; a future one is "not
marked yet". So the rate here is "so far"; completion's rule also counts the sessions still
to come (nobody completes after the first session), which is why the minimum is shown beside
it rather than compared with it.

**Queries.** The matrix is three queries whatever its size: the sessions, the enrolments with
their people and trusts, and the marks (one ``values_list`` of (enrolment, session, mark)).
The marks are fetched rather than counted in the database because every cell shows one: the
counts are sums over rows the page needs anyway, so a Count() query would be a fourth query
repeating them. "My learning", which shows no cells, counts in the database instead
(``with_attendance_counts``: two correlated subqueries on its one enrolments query).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    ATTENDED,
    SEATED,
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Mark,
    Session,
    SessionStatus,
)

# How each mark is shown in the matrix: a short form in each cell (with the full word beside
# it for screen readers, and in a key above the table), never colour alone.
ABBREVIATIONS = {
    Mark.PRESENT: "P",
    Mark.LATE: "L",
    Mark.LEFT_EARLY: "LE",
    Mark.ABSENT: "A",
    Mark.EXCUSED: "E",
}


class CellState(StrEnum):
    MARKED = "marked"  # expected, held (or under way) and marked
    NOT_MARKED = "not_marked"  # expected and held, with no mark: counted as not attended
    NOT_YET = "not_yet"  # expected, still to come (or under way), no mark yet
    NOT_EXPECTED = "not_expected"  # ended before they had their place, or after they left
    CANCELLED = "cancelled"


STATE_LABELS = {
    CellState.NOT_MARKED: "Not marked",
    CellState.NOT_YET: "Not marked yet",
    CellState.NOT_EXPECTED: "Not expected",
    CellState.CANCELLED: "Cancelled",
}
STATE_ABBREVIATIONS = {
    CellState.NOT_MARKED: "?",
    CellState.NOT_YET: "—",
    CellState.NOT_EXPECTED: "n/e",
    CellState.CANCELLED: "C",
}


def rate_percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` as a percentage to one decimal place; None when there is no
    whole (nothing expected yet), which is shown as a dash, not as 0%."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def duration_display(duration: datetime.timedelta) -> str:
    """'3 h', '1 h 30 min', '45 min'."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def counted_marks(*, excused_counts: bool) -> frozenset[str]:
    return frozenset(ATTENDED | ({Mark.EXCUSED} if excused_counts else set()))


def left_at(enrolment: Enrolment) -> datetime.datetime | None:
    """When a withdrawn person left the cohort (None for everyone else)."""
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return enrolment.status_changed_at
    return None


def is_expected(enrolment: Enrolment, session: Session) -> bool:
    """Whether ``session`` is one ``enrolment`` is expected at (cancelled or not)."""
    if not enrolment.seated_before(session.ends_at):
        return False
    gone = left_at(enrolment)
    return gone is None or session.starts_at < gone


@dataclass(frozen=True)
class Cell:
    state: CellState
    mark: str | None = None  # the mark recorded, whatever the state
    counted: bool = False  # counts as attended towards the rate

    @property
    def label(self) -> str:
        """The cell in words, as the export writes it."""
        if self.state == CellState.MARKED:
            return Mark(self.mark).label
        label = STATE_LABELS[self.state]
        if self.mark and self.state == CellState.NOT_EXPECTED:
            return f"{label} (marked {Mark(self.mark).label.lower()})"
        return label

    @property
    def abbreviation(self) -> str:
        if self.state == CellState.MARKED:
            return ABBREVIATIONS[Mark(self.mark)]
        return STATE_ABBREVIATIONS[self.state]

    @property
    def css_modifier(self) -> str:
        return self.mark if self.state == CellState.MARKED else self.state.value


@dataclass
class Column:
    """One session of the cohort, with who was expected at it and who attended (held
    sessions only: a cancelled or future session has no rate)."""

    session: Session
    held: bool
    attended: int = 0
    expected: int = 0

    @property
    def is_cancelled(self) -> bool:
        return self.session.is_cancelled

    @property
    def duration(self) -> datetime.timedelta:
        return self.session.duration

    @property
    def duration_display(self) -> str:
        return duration_display(self.session.duration)

    @property
    def starts_at(self) -> datetime.datetime:
        return self.session.starts_at

    @property
    def ends_at(self) -> datetime.datetime:
        return self.session.ends_at

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.attended, self.expected) if self.held else None

    @property
    def heading(self) -> str:
        """'<date time> <title> (<duration>)' in Europe/London time: the export's header."""
        local = timezone.localtime(self.session.starts_at)
        cancelled = " [cancelled]" if self.is_cancelled else ""
        return f"{local:%d %b %Y %H:%M} {self.session.title} ({self.duration_display}){cancelled}"


@dataclass
class Row:
    """One person on the cohort's registers, a cell for each column."""

    enrolment: Enrolment
    cells: list[Cell] = field(default_factory=list)
    attended: int = 0
    expected: int = 0

    @property
    def person(self):
        return self.enrolment.person

    @property
    def name(self) -> str:
        person = self.enrolment.person
        return person.get_full_name() or person.email

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.attended, self.expected)


@dataclass
class AttendanceMatrix:
    cohort: Cohort
    columns: list[Column]
    rows: list[Row]
    excused_counts: bool
    now: datetime.datetime

    @property
    def held_columns(self) -> list[Column]:
        return [c for c in self.columns if c.held]

    @property
    def attended(self) -> int:
        return sum(row.attended for row in self.rows)

    @property
    def expected(self) -> int:
        return sum(row.expected for row in self.rows)

    @property
    def rate(self) -> Decimal | None:
        """Everyone's attendance at every held session they were expected at."""
        return rate_percent(self.attended, self.expected)


def _build(
    cohort: Cohort,
    sessions: list[Session],
    enrolments: list[Enrolment],
    marks: Iterable[tuple[int, int, str]],
    *,
    now: datetime.datetime,
) -> AttendanceMatrix:
    excused_counts = cohort.programme.excused_counts_as_attended
    counted = counted_marks(excused_counts=excused_counts)
    by_pair = {(enrolment_id, session_id): mark for enrolment_id, session_id, mark in marks}
    columns = [Column(session=s, held=not s.is_cancelled and s.ends_at <= now) for s in sessions]
    rows = []
    for enrolment in enrolments:
        row = Row(enrolment=enrolment)
        for column in columns:
            session = column.session
            mark = by_pair.get((enrolment.pk, session.pk))
            if column.is_cancelled:
                cell = Cell(CellState.CANCELLED, mark)
            elif not is_expected(enrolment, session):
                cell = Cell(CellState.NOT_EXPECTED, mark)
            else:
                if mark is not None:
                    cell = Cell(CellState.MARKED, mark, counted=mark in counted)
                elif column.held:
                    cell = Cell(CellState.NOT_MARKED)
                else:
                    cell = Cell(CellState.NOT_YET)
                if column.held:
                    column.expected += 1
                    row.expected += 1
                    if cell.counted:
                        column.attended += 1
                        row.attended += 1
            row.cells.append(cell)
        rows.append(row)
    return AttendanceMatrix(
        cohort=cohort, columns=columns, rows=rows, excused_counts=excused_counts, now=now
    )


def on_cohort_registers(cohort: Cohort) -> QuerySet:
    """The enrolments a cohort's registers list: those holding a place, and anyone marked
    at one of its sessions (who has since withdrawn, say). A subquery, not a join: no
    duplicates to remove."""
    marked = Attendance.objects.filter(session__cohort=cohort).values("enrolment_id")
    return Enrolment.objects.filter(cohort=cohort).filter(Q(status__in=SEATED) | Q(pk__in=marked))


def cohort_attendance(cohort: Cohort, *, now: datetime.datetime | None = None) -> AttendanceMatrix:
    """The attendance matrix of ``cohort`` (its programme loaded with it, as the views
    fetch it): rows are the people on its registers by name, columns its sessions in time
    order, cancelled ones included. Three queries whatever the size (see the module's
    docstring)."""
    now = now or timezone.now()
    sessions = list(Session.objects.filter(cohort=cohort).order_by("starts_at", "pk"))
    enrolments = list(
        on_cohort_registers(cohort)
        .select_related("person", "trust")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    marks = Attendance.objects.filter(session__cohort=cohort).values_list(
        "enrolment_id", "session_id", "mark"
    )
    return _build(cohort, sessions, enrolments, marks, now=now)


def enrolment_attendance(
    enrolment: Enrolment, *, now: datetime.datetime | None = None
) -> tuple[list[Column], Row]:
    """One person's row of their cohort's matrix (``enrolment.cohort.programme`` loaded):
    every session of the cohort with their own mark. Two queries: sessions, their marks.
    The columns' counts are theirs alone (the cohort's are not theirs to see)."""
    now = now or timezone.now()
    cohort = enrolment.cohort
    sessions = list(Session.objects.filter(cohort=cohort).order_by("starts_at", "pk"))
    marks = Attendance.objects.filter(enrolment=enrolment).values_list(
        "enrolment_id", "session_id", "mark"
    )
    matrix = _build(cohort, sessions, [enrolment], marks, now=now)
    return matrix.columns, matrix.rows[0]


# --- counts for "My learning": in the database, on the enrolments query itself ---------------

# Stand-ins for "no time" inside SQL comparisons: seated at the beginning of time (every
# session expected), left at the end of it (never left).
_DAWN = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
_DUSK = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def _count(queryset: QuerySet, group_by: str) -> Coalesce:
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_attendance_counts(queryset: QuerySet, *, now: datetime.datetime | None = None):
    """``queryset`` of enrolments annotated with ``sessions_attended`` and
    ``sessions_expected`` (held sessions of their cohort, by the rules above): two
    correlated subqueries in the same query, so counting adds no query however many
    enrolments there are."""
    now = now or timezone.now()
    queryset = queryset.annotate(
        _seated_from=Coalesce("seated_at", Value(_DAWN, output_field=DateTimeField())),
        _left_at=Case(
            When(status=EnrolmentStatus.WITHDRAWN, then="status_changed_at"),
            default=Value(_DUSK, output_field=DateTimeField()),
            output_field=DateTimeField(),
        ),
    )
    held = Session.objects.filter(status=SessionStatus.SCHEDULED, ends_at__lte=now)
    expected = held.filter(
        cohort_id=OuterRef("cohort_id"),
        ends_at__gt=OuterRef("_seated_from"),
        starts_at__lt=OuterRef("_left_at"),
    )
    attended = Attendance.objects.filter(
        enrolment_id=OuterRef("pk"),
        session__status=SessionStatus.SCHEDULED,
        session__ends_at__lte=now,
        session__ends_at__gt=OuterRef("_seated_from"),
        session__starts_at__lt=OuterRef("_left_at"),
    ).filter(
        Q(mark__in=ATTENDED)
        | Q(mark=Mark.EXCUSED, session__cohort__programme__excused_counts_as_attended=True)
    )
    return queryset.annotate(
        sessions_expected=_count(expected, "cohort_id"),
        sessions_attended=_count(attended, "enrolment_id"),
    )


@dataclass(frozen=True)
class AttendanceSummary:
    """ "Attendance: N of M sessions (P%)" for one enrolment, and its programme's minimum."""

    attended: int
    expected: int
    minimum: int | None  # Programme.min_attendance_percent, if the programme sets one

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.attended, self.expected)

    @property
    def below_minimum(self) -> bool:
        rate = self.rate
        return bool(self.minimum) and rate is not None and rate < self.minimum


def summary_of(enrolment: Enrolment) -> AttendanceSummary | None:
    """The summary of an enrolment fetched through ``with_attendance_counts`` (with its
    cohort's programme), or None for one that holds no place."""
    if enrolment.status not in SEATED:
        return None
    return AttendanceSummary(
        attended=enrolment.sessions_attended,
        expected=enrolment.sessions_expected,
        minimum=enrolment.cohort.programme.min_attendance_percent or None,
    )
