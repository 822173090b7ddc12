"""The regional and national comparison as tables: every trust's measures
(reports.comparison_selectors), the region's and the nation's as sums of them, all disclosed
at once through reports.disclosure.disclose_linked — so a trust's small count is hidden, and
hidden in a way that its region's figure and England's cannot give back.

**One suppression for every view.** The figures are disclosed for the whole country, every
trust and region together, whoever is looking; a page then shows the rows its reader may see
(a region's trusts, or one trust's) beside their region's and the national figure. So the
regional page, the national page and a trust's own view hide the same cells, and comparing
them gives nothing more away than any one of them.

**The sets that add up** (each checked by disclose_linked, the same rules as the dashboard's):

- in each row (a trust, a region, England): completed + did not complete + the rest =
  enrolments; attended + not attended = attendance marks; for 12 and 24 months, in a
  leadership role + not = clinicians followed that long; and the four baseline relationship
  answers = those answering; proposed + active + ended pairs = pairs; presented + other
  projects = projects; coffee matches who met + who did not = matches made;
- in each column: the trusts of a region add up to the region's figure, and the regions to
  England's — for every count, the ones not shown as columns included (they are the
  difference of two that are).

Participants and clinicians who completed are per trust: someone who took part for two
trusts counts in each, so the region's figure is the sum of its trusts'. Board composition
is what trusts publish, so its share is shown as recorded (the latest snapshot in the dates;
a region's share is of all the seats on its trusts' latest boards). A pair counts for each
trust a member was there for, as on the dashboard — so a pair across two trusts of a region
counts twice in the region's figure, once for each. Confirmed shadowing hours are not a count
of people: shown as recorded, hidden wherever the pairs behind them are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from outcomes.labels import labels
from outcomes.models import Question
from people.models import Region, Trust
from programmes.models import Relationship

from . import comparison_selectors as selectors
from .dashboard import PAPER_PERSISTENT, PAPER_TENSIONS, TENSION_ANSWERS, Row, Table, _plain, _sum
from .disclosure import Figure, disclose_linked, hide_if, percentage
from .selectors import FOLLOW_UPS

NATIONAL = ("national", None)
NO_REGION = "No region"

# The baseline relationship answers, one count each (1 is a strong partnership).
ANSWERS = tuple(f"relationship_{answer}" for answer in Relationship.values)
# Every count a row holds; the row sets say which add up to which.
COUNTS = (
    "participants",
    "enrolments",
    "completed",
    "not_completed",
    "other",
    "marks",
    "attended",
    "not_attended",
    "clinicians",
    *(f"{kind}_{m}" for m in FOLLOW_UPS for kind in ("followed", "led", "not_led")),
    *ANSWERS,
    "answered",
    *(f"pairs_{status}" for status in selectors.PAIR_STATUSES),
    "pairs",
    "projects",
    "presented",
    "projects_other",
    "coffee_rounds",
    "coffee_matches",
    "coffee_met",
    "coffee_not_met",
)
ROW_SETS = (
    (("completed", "not_completed", "other"), "enrolments"),
    (("attended", "not_attended"), "marks"),
    *(((f"led_{m}", f"not_led_{m}"), f"followed_{m}") for m in FOLLOW_UPS),
    (ANSWERS, "answered"),
    (tuple(f"pairs_{status}" for status in selectors.PAIR_STATUSES), "pairs"),
    (("presented", "projects_other"), "projects"),
    (("coffee_met", "coffee_not_met"), "coffee_matches"),
)


@dataclass
class Unit:
    key: tuple  # ("trust", id), ("region", id or None), NATIONAL
    label: str
    region_key: tuple | None = None  # a trust's region
    counts: dict = field(default_factory=dict)
    board: tuple[int, int] | None = None  # (members, clinicians) of the latest boards
    hours: Decimal = Decimal(0)  # confirmed shadowing hours of the pairs counted

    @property
    def is_trust(self) -> bool:
        return self.key[0] == "trust"


def _trust_counts(
    enrolments: dict, attendance: dict, leadership: dict, pairs: dict, coffee: dict
) -> dict:
    counts = dict.fromkeys(COUNTS, 0)
    counts.update(enrolments)
    counts["other"] = counts["enrolments"] - counts["completed"] - counts["not_completed"]
    counts.update(attendance)
    counts["not_attended"] = counts["marks"] - counts["attended"]
    counts.update(leadership)
    for m in FOLLOW_UPS:
        counts[f"not_led_{m}"] = counts[f"followed_{m}"] - counts[f"led_{m}"]
    counts["answered"] = sum(counts[answer] for answer in ANSWERS)
    counts.update({key: value for key, value in pairs.items() if key != "hours"})
    counts["pairs"] = sum(counts[f"pairs_{status}"] for status in selectors.PAIR_STATUSES)
    counts["projects_other"] = counts["projects"] - counts["presented"]
    counts.update(coffee)
    counts["coffee_not_met"] = counts["coffee_matches"] - counts["coffee_met"]
    return counts


@dataclass
class Comparison:
    units: dict[tuple, Unit]  # every trust, region and England, in the order shown
    figures: dict[tuple, Figure]  # (unit key, count) -> its disclosed figure
    filter: selectors.ComparisonFilter
    with_coffee: bool = True  # False when a programme is chosen: coffee belongs to none

    def regions(self) -> list[Unit]:
        return [u for u in self.units.values() if u.key[0] == "region"]

    def trusts_of(self, region_key) -> list[Unit]:
        return [u for u in self.units.values() if u.is_trust and u.region_key == region_key]

    def figure(self, unit: Unit, count: str) -> Figure:
        return self.figures[(unit.key, count)]


def build(f: selectors.ComparisonFilter, *, today=None, now=None) -> Comparison:
    """Every trust, region and England, disclosed together: eight queries (the trusts with
    their regions, enrolments and their baseline answers, attendance, leadership, boards,
    pairs, coffee rounds and their matches), whatever the number of trusts; six with a
    programme (no coffee)."""
    trusts = list(Trust.objects.select_related("region").order_by("region__name", "name"))
    enrolments = selectors.enrolment_counts(f)
    attendance = selectors.attendance_counts(f, now=now)
    leadership = selectors.leadership_counts(f, today=today)
    boards = selectors.latest_boards(f)
    pairs = selectors.pair_counts(f)
    coffee = selectors.coffee_counts(f)

    units: dict[tuple, Unit] = {}
    regions: dict[tuple, Unit] = {}
    for trust in trusts:
        region_key = ("region", trust.region_id)
        if region_key not in regions:
            label = trust.region.name if trust.region else NO_REGION
            regions[region_key] = Unit(region_key, label, counts=dict.fromkeys(COUNTS, 0))
        unit = Unit(
            ("trust", trust.pk),
            trust.name,
            region_key=region_key,
            counts=_trust_counts(
                enrolments.get(trust.pk, {}),
                attendance.get(trust.pk, {}),
                leadership.get(trust.pk, {}),
                pairs.get(trust.pk, {}),
                (coffee or {}).get(trust.pk, {}),
            ),
            hours=pairs.get(trust.pk, {}).get("hours") or Decimal(0),
        )
        board = boards.get(trust.pk)
        if board is not None:
            unit.board = (board["members"], board["clinician_members"])
        units[unit.key] = unit
    national = Unit(NATIONAL, "England", counts=dict.fromkeys(COUNTS, 0))
    # The regions' and England's figures: sums of the trusts' rows (already aggregated by
    # the database, one row per trust).
    for unit in list(units.values()):
        for parent in (regions[unit.region_key], national):
            for count in COUNTS:
                parent.counts[count] += unit.counts[count]
            parent.hours += unit.hours
            if unit.board is not None:
                members, clinicians = parent.board or (0, 0)
                parent.board = (members + unit.board[0], clinicians + unit.board[1])
    units.update(regions)
    units[NATIONAL] = national

    counts = {(key, count): unit.counts[count] for key, unit in units.items() for count in COUNTS}
    sets = []
    for key in units:
        sets += [([(key, part) for part in parts], (key, total)) for parts, total in ROW_SETS]
    members = {region_key: [] for region_key in regions}
    for unit in units.values():
        if unit.is_trust:
            members[unit.region_key].append(unit.key)
    for count in COUNTS:
        for region_key, trust_keys in members.items():
            sets.append(([(k, count) for k in trust_keys], (region_key, count)))
        sets.append(([(k, count) for k in regions], (NATIONAL, count)))
    return Comparison(
        units=units,
        figures=disclose_linked(counts, sets),
        filter=f,
        with_coffee=coffee is not None,
    )


# --- the tables a page shows --------------------------------------------------------------


def _board_share(unit: Unit) -> Figure:
    if unit.board is None:
        return Figure(value=None, text="—")
    members, clinicians = unit.board
    return percentage(_plain(clinicians), _plain(members))


def _participation(c: Comparison, unit: Unit) -> list[Figure]:
    fig = c.figures
    completed = fig[(unit.key, "completed")]
    decided = _sum(completed, fig[(unit.key, "not_completed")])
    marks = fig[(unit.key, "marks")]
    return [
        fig[(unit.key, "participants")],
        fig[(unit.key, "enrolments")],
        completed,
        percentage(completed, decided),
        marks,
        percentage(fig[(unit.key, "attended")], marks),
    ]


def _leadership(c: Comparison, unit: Unit) -> list[Figure]:
    fig = c.figures
    cells = [fig[(unit.key, "clinicians")]]
    for m in FOLLOW_UPS:
        followed, led = fig[(unit.key, f"followed_{m}")], fig[(unit.key, f"led_{m}")]
        cells += [followed, led, percentage(led, followed)]
    return [*cells, _board_share(unit)]


def _relationship(c: Comparison, unit: Unit) -> list[Figure]:
    fig = c.figures
    answers = [fig[(unit.key, answer)] for answer in ANSWERS]
    answered = fig[(unit.key, "answered")]
    tensions = _sum(*(fig[(unit.key, f"relationship_{a.value}")] for a in TENSION_ANSWERS))
    persistent = fig[(unit.key, f"relationship_{Relationship.PERSISTENT_TENSIONS.value}")]
    return [
        *answers,
        answered,
        percentage(tensions, answered),
        percentage(persistent, answered),
    ]


def _activity(c: Comparison, unit: Unit) -> list[Figure]:
    fig = c.figures
    pairs = fig[(unit.key, "pairs")]
    hours = hide_if(Figure(float(unit.hours), f"{unit.hours:,.1f}"), behind=pairs)
    cells = [
        pairs,
        fig[(unit.key, "pairs_active")],
        fig[(unit.key, "pairs_ended")],
        hours,
        fig[(unit.key, "projects")],
        fig[(unit.key, "presented")],
    ]
    if not c.with_coffee:
        return [*cells, *[Figure(value=None, text="—")] * 4]
    matches, met = fig[(unit.key, "coffee_matches")], fig[(unit.key, "coffee_met")]
    return [*cells, fig[(unit.key, "coffee_rounds")], matches, met, percentage(met, matches)]


ACTIVITY_COLUMNS = [
    "Pairs",
    "Pairs active now",
    "Pairs ended",
    "Confirmed shadowing hours",
    "Improvement projects",
    "Projects presented to the executive team",
    "Tandem coffee rounds",
    "Coffee matches made",
    "Matches who met",
    "Share who met",
]
PARTICIPATION_COLUMNS = [
    "Participants",
    "Enrolments",
    "Completed",
    "Completion rate",
    "Attendance marks",
    "Attendance rate",
]
LEADERSHIP_COLUMNS = [
    "Clinicians who completed",
    *(
        heading
        for m in FOLLOW_UPS
        for heading in (
            f"Followed {m} months",
            f"In a leadership role at {m} months",
            f"Share at {m} months",
        )
    ),
    "Board clinician share",
]
TABLES = ("participation", "leadership", "relationship", "activity")


def _row_label(unit: Unit) -> str:
    if unit.key == NATIONAL:
        return "England (all trusts)"
    if unit.key[0] == "region":
        return f"{unit.label} (all its trusts)"
    return unit.label


def tables(c: Comparison, shown: list[Unit]) -> dict[str, Table]:
    """The four tables, with a row for each unit in ``shown`` (trusts, then their region and
    England, in the page's order); the answers' wording is one query."""
    participation = Table(
        "participation",
        "Taking part: participants, enrolments, completion and attendance",
        PARTICIPATION_COLUMNS,
        label_heading="Trust",
    )
    leadership = Table(
        "leadership",
        "Clinicians in leadership roles after completing, and the board",
        LEADERSHIP_COLUMNS,
        label_heading="Trust",
    )
    words = labels()[Question.RELATIONSHIP]  # as an administrator may have worded them
    relationship = Table(
        "relationship",
        "How participants saw the clinician and manager relationship when they enrolled",
        [
            *(words[answer] for answer in Relationship.values),
            "Answered",
            f"With tensions (the paper: {PAPER_TENSIONS}%)",
            f"Persistent tensions (the paper: {PAPER_PERSISTENT}%)",
        ],
        label_heading="Trust",
    )
    activity = Table(
        "activity",
        "Pairs, shadowing, improvement projects and Tandem coffee",
        ACTIVITY_COLUMNS,
        label_heading="Trust",
    )
    for unit in shown:
        total = not unit.is_trust
        activity.rows.append(Row(_row_label(unit), _activity(c, unit), is_total=total))
        participation.rows.append(Row(_row_label(unit), _participation(c, unit), is_total=total))
        leadership.rows.append(Row(_row_label(unit), _leadership(c, unit), is_total=total))
        relationship.rows.append(Row(_row_label(unit), _relationship(c, unit), is_total=total))
    participation.notes += [
        "Participants: people with a place or an application (not withdrawn), once each per "
        "trust. Completion rate: completed, of the enrolments whose outcome is decided. "
        "Attendance rate: sessions attended, of the marks recorded at sessions held so far.",
        "A region's and England's figures are the sums of their trusts' (someone who took part "
        "for two trusts counts in each).",
    ]
    leadership.notes += [
        "Clinicians who completed a programme, counted once each per trust. In a leadership "
        "role: a clinical leadership, management or board appointment held on the day 12 or 24 "
        "months after completing, counted only for those whose day has come.",
        "Board clinician share: the latest board snapshot in the dates, as the trust recorded "
        "it; a region's and England's are of all the seats on their trusts' latest boards.",
    ]
    relationship.notes += [
        "The baseline question, answered when applying (not asked of enrolments made by "
        "import), by participants not withdrawn. With tensions: a partnership with areas of "
        f"tension, or tolerance with frequent tensions — the paper's {PAPER_TENSIONS}% of "
        f"healthcare managers; persistent and unresolved tensions: its further "
        f"{PAPER_PERSISTENT}%.",
        "A region's and England's figures are the sums of their trusts'.",
    ]
    activity.notes += [
        "Pairs: proposed, active or ended. A pair in a cohort counts for each trust either "
        "member took part for (a pair across two trusts counts for both, and so twice in a "
        "region that holds both); a pair in a trust-wide scheme, for the scheme's trust. "
        "Hours are those the partner confirmed.",
        "Tandem coffee: the trust's rounds in the dates, the matches made (pairs and trios) "
        "and those where a member said they met."
        + (
            ""
            if c.with_coffee
            else " Coffee belongs to no programme: choose all programmes to see it."
        ),
    ]
    return {
        "participation": participation,
        "leadership": leadership,
        "relationship": relationship,
        "activity": activity,
    }


def visible_units(c: Comparison, *, region_key=None, trust_ids=None) -> list[Unit]:
    """The rows of one page: a region's trusts (those in ``trust_ids``, None for all) and the
    region, then England; or, with no region, every region's trusts and the region, then
    England."""
    region_keys = [region_key] if region_key is not None else [u.key for u in c.regions()]
    shown: list[Unit] = []
    for key in region_keys:
        shown += [
            unit for unit in c.trusts_of(key) if trust_ids is None or unit.key[1] in trust_ids
        ]
        shown.append(c.units[key])
    shown.append(c.units[NATIONAL])
    return shown


def region_key_of(region: Region) -> tuple:
    return ("region", region.pk)
