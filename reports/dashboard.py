"""The trust dashboard as tables: each measure of reports.selectors disclosed through
reports.disclosure, once, into a Table that the page, its charts and its CSV/XLSX downloads
all read. So a figure is suppressed the same way wherever it appears — nothing downstream
sees a raw count.

Where one table's figure is made from another's (the completion rate from the enrolments by
status), it is derived from the disclosed figures, never disclosed afresh: a count hidden in
one table must not be left to subtraction in the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from outcomes.labels import labels
from outcomes.models import Question
from people.models import ProfessionalGroup
from programmes.models import EnrolmentStatus, Relationship

from . import selectors
from .disclosure import (
    SECONDARY_TEXT,
    Figure,
    Hidden,
    disclose,
    disclose_one,
    hide_if,
    percentage,
)
from .selectors import FOLLOW_UPS, ReportFilter

# The paper's figures (PRODUCT.md §1): of the managers surveyed, 74% called the relationship
# "a partnership with areas of tension" or "a relationship of tolerance with frequent
# tensions", and a further 14% "persistent and unresolved tensions".
PAPER_TENSIONS = 74
PAPER_PERSISTENT = 14
TENSION_ANSWERS = (Relationship.PARTNERSHIP_WITH_TENSIONS, Relationship.TOLERANCE_WITH_TENSIONS)


@dataclass
class Row:
    label: str
    cells: list  # Figure, or plain text/numbers for columns that are not counts (dates)
    is_total: bool = False


@dataclass
class Table:
    slug: str  # its name in download addresses
    title: str
    columns: list[str]  # the headings of the cells (the row label's column is first)
    rows: list[Row] = field(default_factory=list)
    label_heading: str = ""
    notes: list[str] = field(default_factory=list)
    chart: dict | None = None  # set by reports.charts
    # The relationship table's comparison with the paper: (label, this trust, the paper's %).
    paper: list = field(default_factory=list)
    # A second, smaller table shown (and downloaded) after this one: the follow-up tables'
    # comparison with the paper (reports.outcome_tables).
    comparison: Table | None = None

    @property
    def caption(self) -> str:
        return self.title


def _plain(value) -> Figure:
    return Figure(value=value, text=f"{value:,}" if isinstance(value, int) else str(value))


def _sum(*figures: Figure) -> Figure:
    """The sum of disclosed figures: hidden if any of them is (a sum beside a visible part
    gives the hidden part away)."""
    if any(f.hidden for f in figures):
        return Figure(value=None, text=SECONDARY_TEXT, hidden=Hidden.SECONDARY)
    return _plain(sum(f.value for f in figures))


def participants_table(counts: dict) -> Table:
    shown = disclose({group: counts["groups"][group] for group in ProfessionalGroup.values})
    table = Table(
        "participants",
        "Participants by professional group",
        ["People", "Share"],
        label_heading="Professional group",
    )
    for group in ProfessionalGroup:
        table.rows.append(Row(group.label, [shown[group.value], shown.share(group.value)]))
    table.rows.append(Row("All participants", [shown.total, Figure(100, "100%")], is_total=True))
    table.notes.append(
        "People with a place or an application (not withdrawn), by their professional group "
        "when they enrolled; someone in two cohorts is counted once."
    )
    return table


def enrolments_table(counts: dict):
    shown = disclose({status: counts["statuses"][status] for status in EnrolmentStatus.values})
    table = Table(
        "enrolments", "Enrolments by status", ["Enrolments", "Share"], label_heading="Status"
    )
    for status in EnrolmentStatus:
        table.rows.append(Row(status.label, [shown[status.value], shown.share(status.value)]))
    table.rows.append(Row("All enrolments", [shown.total, Figure(100, "100%")], is_total=True))
    return table, shown


def rates_table(attendance: dict, statuses) -> Table:
    marks = attendance["marks"]
    attended = disclose({"attended": attendance["attended"], "not": marks - attendance["attended"]})
    completed = statuses[EnrolmentStatus.COMPLETED]
    decided = _sum(completed, statuses[EnrolmentStatus.NOT_COMPLETED])
    table = Table(
        "rates", "Attendance and completion", ["Number", "Out of", "Rate"], label_heading="Measure"
    )
    table.rows.append(
        Row(
            "Sessions attended, of the marks recorded at sessions held so far",
            [attended["attended"], attended.total, attended.share("attended")],
        )
    )
    table.rows.append(
        Row(
            "Completed, of the enrolments whose outcome is decided",
            [completed, decided, percentage(completed, decided)],
        )
    )
    table.notes.append(
        "Attended: present, late or left early, and excused where the programme counts it. "
        "Decided: completed or did not complete."
    )
    return table


def activity_table(pairs: dict, coffee: dict | None) -> Table:
    by_status = disclose(
        {status: pairs["by_status"].get(status, 0) for status in ("proposed", "active", "ended")}
    )
    projects = pairs["projects"]
    presented = disclose(
        {
            "presented": projects.get("presented", 0),
            "other": sum(projects.values()) - projects.get("presented", 0),
        }
    )
    confirmed = pairs["confirmed_hours"]
    hours = hide_if(Figure(float(confirmed), f"{confirmed:,.1f}"), behind=by_status.total)
    table = Table(
        "activity",
        "Pairs, shadowing, improvement projects and Tandem coffee",
        ["Number"],
        label_heading="Measure",
    )
    table.rows += [
        Row("Pairs (proposed, active or ended)", [by_status.total]),
        Row("Pairs active now", [by_status["active"]]),
        Row("Pairs ended", [by_status["ended"]]),
        Row("Pairs proposed, not yet started", [by_status["proposed"]]),
        Row("Confirmed shadowing hours", [hours]),
        Row("Improvement projects", [presented.total]),
        Row("Projects presented to the executive team", [presented["presented"]]),
    ]
    if coffee is None:
        table.notes.append(
            "Tandem coffee belongs to no programme: choose all programmes to see it."
        )
    else:
        met = disclose({"met": coffee["met"], "not": coffee["matches"] - coffee["met"]})
        table.rows += [
            Row("Tandem coffee rounds", [disclose_one(coffee["rounds"])]),
            Row("Tandem coffee matches made", [met.total]),
            Row("Tandem coffee matches who met", [met["met"]]),
        ]
    table.notes.append(
        "Hours are those the partner confirmed. Pairs in a cohort count where either member "
        "took part for this trust; pairs in a trust-wide scheme, for the scheme's trust."
    )
    return table


def leadership_table(counts: dict) -> Table:
    table = Table(
        "leadership",
        "Clinicians in leadership roles, before and after the programme",
        ["Clinicians", "In a leadership role", "Share"],
        label_heading="When",
    )

    def row(label, led, of):
        shown = disclose({"led": led, "not": of - led})
        return Row(label, [shown.total, shown["led"], shown.share("led")])

    table.rows.append(row("When they enrolled", counts["led_at_enrolment"], counts["completed"]))
    for months in FOLLOW_UPS:
        table.rows.append(
            row(
                f"{months} months after completing",
                counts[f"led_{months}"],
                counts[f"followed_{months}"],
            )
        )
    table.notes += [
        "Clinicians who completed a programme, counted once each. A leadership role is a "
        "clinical leadership, management or board appointment in their role history.",
        "When they enrolled: a role begun before the day they applied and not ended by it. "
        "12 and 24 months: a role held on that day, counted only for those whose day has come "
        "(the others are still being followed, so each row has its own number of clinicians).",
    ]
    return table


def board_table(snapshots: list[dict]) -> Table:
    table = Table(
        "board",
        "Clinicians on the trust board",
        ["Board members", "Clinicians", "Clinician share"],
        label_heading="Recorded on",
    )
    for snap in snapshots:
        members, clinicians = _plain(snap["members"]), _plain(snap["clinician_members"])
        table.rows.append(
            Row(
                f"{snap['recorded_on']:%-d %B %Y}",
                [members, clinicians, percentage(clinicians, members)],
            )
        )
    table.notes.append(
        "Board composition is what the trust publishes about its board, not a count of "
        "programme participants, so it is shown as recorded, without suppression."
    )
    return table


def relationship_table(counts: dict, words: dict | None = None, shown=None) -> Table:
    """``shown``: the answers as already disclosed (with the outlook answers of the same
    people, reports.outcome_tables), else disclosed here."""
    if shown is None:
        shown = disclose({a: counts["relationship"][a] for a in Relationship.values})
    table = Table(
        "relationship",
        "How participants saw the clinician and manager relationship when they enrolled",
        ["Answers", "Share"],
        label_heading="Answer",
    )
    words = words or dict(Relationship.choices)
    for answer in Relationship:
        table.rows.append(
            Row(words[answer.value], [shown[answer.value], shown.share(answer.value)])
        )
    table.rows.append(Row("All answers", [shown.total, Figure(100, "100%")], is_total=True))
    tensions = _sum(*(shown[a.value] for a in TENSION_ANSWERS))
    table.paper = [
        (
            "A partnership with areas of tension, or tolerance with frequent tensions",
            percentage(tensions, shown.total),
            PAPER_TENSIONS,
        ),
        (
            "Persistent and unresolved tensions",
            shown.share(Relationship.PERSISTENT_TENSIONS),
            PAPER_PERSISTENT,
        ),
    ]
    table.notes.append(
        "The baseline question, answered when applying (not asked of enrolments made by "
        "import). The paper's figures are from its survey of healthcare managers."
    )
    return table


@dataclass
class Dashboard:
    filter: ReportFilter
    tables: dict[str, Table]

    def __getitem__(self, slug: str) -> Table:
        return self.tables[slug]


def build(f: ReportFilter) -> Dashboard:
    """Every table of the trust's dashboard: thirteen queries, whatever the trust's size
    (enrolments 1, the cohorts taken part in 1, attendance 1, pairs 2 — the trust's schemes,
    then the pairs' statuses, hours and projects in one —, coffee 2, leadership 1,
    board 1 — coffee's none when filtered by programme —, and the outcome tables' 3: the answers'
    wording, the follow-up answers, the self-assessment ratings)."""
    # The outcome tables are built from this module's Table and Row, so imported here.
    from .outcome_tables import outcome_tables

    counts = selectors.enrolment_counts(f)
    words = labels()  # the answers' wording, as an administrator may have changed it
    outcomes, baseline = outcome_tables(f, counts, words)
    enrolments, statuses = enrolments_table(counts)
    taken = selectors.taken_part(f)  # for attendance and pairs alike
    tables = [
        participants_table(counts),
        enrolments,
        rates_table(selectors.attendance_counts(f, taken=taken), statuses),
        activity_table(selectors.pairing_counts(f, taken=taken), selectors.coffee_counts(f)),
        leadership_table(selectors.leadership_counts(f)),
        board_table(selectors.board_snapshots(f)),
        relationship_table(counts, words[Question.RELATIONSHIP], shown=baseline),
        *outcomes,
    ]
    return Dashboard(filter=f, tables={table.slug: table for table in tables})
