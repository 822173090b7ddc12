"""The dashboard's outcome tables, at the foot of the page: how participants see the
clinician and manager relationship when they enrolled, at completion and 12 months after
(beside the policy paper's figures); whether they expect it to get better, stay the same or
get worse; and their leadership self-assessment before and after the programme, per
dimension of the Healthcare Leadership Model.

The counts come from outcomes.selectors over the dashboard's own enrolments
(reports.selectors.enrolments), so the trust, the programme, the cohort and the dates mean
here what they mean in every other table of the page; the answers when they enrolled are
the very counts of the relationship table above (reports.selectors.enrolment_counts), so the
two tables cannot differ. Each set of counts is disclosed once, through reports.disclosure;
shares and sums are made from the disclosed figures, never from raw counts.
"""

from __future__ import annotations

from outcomes.dimensions import Level
from outcomes.models import Question, SurveyKind
from outcomes.selectors import OUTLOOKS, RELATIONSHIPS, follow_up_counts, self_assessment_counts
from programmes.models import Outlook, Relationship

from . import selectors
from .dashboard import PAPER_PERSISTENT, PAPER_TENSIONS, TENSION_ANSWERS, Row, Table, _sum
from .disclosure import (
    SECONDARY_TEXT,
    Disclosed,
    Figure,
    Hidden,
    disclose,
    hide_totals_together,
    percentage,
)
from .selectors import ReportFilter

# PRODUCT.md §1: 73% of the managers surveyed expect the relationship to stay the same or
# get worse over five years.
PAPER_SAME_OR_WORSE = 73
SAME_OR_WORSE = (Outlook.SAME, Outlook.WORSE)

# When the question was asked: the application's baseline, then the two follow-up surveys.
WHEN = (
    ("baseline", "When they enrolled"),
    (SurveyKind.COMPLETION, "At completion"),
    (SurveyKind.TWELVE_MONTHS, "12 months after"),
)
STRONG_OR_EXEMPLARY = (Level.STRONG, Level.EXEMPLARY)


def _answer_sets(values, baseline: dict, follow_ups: dict, question: str) -> dict:
    """One disclosed set per time the question was asked: {when: Disclosed}."""
    counts = {"baseline": {value: baseline[value] for value in values}}
    for kind in SurveyKind.values:
        counts[kind] = dict(zip(values, follow_ups[kind][question], strict=True))
    return {when: disclose(counts[when]) for when, _ in WHEN}


def _linked(first: dict, second: dict) -> None:
    """The relationship and outlook answers given at one time are the same people (the
    application form asks both, and a survey answer is both questions or neither): their
    totals are one figure, hidden together."""
    for when, _ in WHEN:
        first[when], second[when] = hide_totals_together(first[when], second[when])


def _answers_table(slug, title, values, words, sets) -> Table:
    columns = []
    for _, heading in WHEN:
        columns += [heading, f"Share {heading[0].lower()}{heading[1:]}"]
    table = Table(slug, title, columns, label_heading="Answer")
    for value in values:
        cells = []
        for when, _ in WHEN:
            cells += [sets[when][value], sets[when].share(value)]
        table.rows.append(Row(words[value], cells))
    total = []
    for when, _ in WHEN:
        total += [sets[when].total, Figure(100, "100%")]
    table.rows.append(Row("All answers", total, is_total=True))
    return table


def _comparison(rows: list[tuple[str, list[Figure], int]], caption: str) -> Table:
    """The trust's shares at each time beside the paper's figure."""
    table = Table(
        "paper",
        caption,
        [heading for _, heading in WHEN] + ["The paper"],
        label_heading="Answer",
    )
    for label, figures, paper in rows:
        table.rows.append(Row(label, [*figures, Figure(paper, f"{paper}%")]))
    return table


def _share_of(answers: tuple, disclosed: Disclosed) -> Figure:
    return percentage(_sum(*(disclosed[a.value] for a in answers)), disclosed.total)


def relationship_after_table(relationship: dict, words: dict) -> Table:
    table = _answers_table(
        "relationship_after",
        "The clinician and manager relationship when they enrolled, at completion and "
        "12 months after",
        RELATIONSHIPS,
        words,
        relationship,
    )
    table.comparison = _comparison(
        [
            (
                "A partnership with areas of tension, or tolerance with frequent tensions",
                [_share_of(TENSION_ANSWERS, relationship[when]) for when, _ in WHEN],
                PAPER_TENSIONS,
            ),
            (
                "Persistent and unresolved tensions",
                [relationship[when].share(Relationship.PERSISTENT_TENSIONS) for when, _ in WHEN],
                PAPER_PERSISTENT,
            ),
        ],
        "This trust's participants beside the paper's managers",
    )
    table.notes += [
        "When they enrolled: the answer given when applying (the same answers as the table "
        "above). At completion and 12 months after: the answers to the follow-up surveys "
        "emailed then, of those who answered. The people answering differ from one column "
        "to the next (not everyone answers, and the 12-month survey comes a year later).",
        "The paper's figures are from its survey of healthcare managers: 74% called the "
        "relationship a partnership with areas of tension or tolerance with frequent "
        "tensions, and a further 14% persistent and unresolved tensions.",
    ]
    return table


def outlook_table(outlook: dict, words: dict) -> Table:
    table = _answers_table(
        "outlook",
        "Whether they expect the relationship to get better, stay the same or get worse",
        OUTLOOKS,
        words,
        outlook,
    )
    table.comparison = _comparison(
        [
            (
                "Expect it to stay the same or get worse",
                [_share_of(SAME_OR_WORSE, outlook[when]) for when, _ in WHEN],
                PAPER_SAME_OR_WORSE,
            )
        ],
        "This trust's participants beside the paper's managers",
    )
    table.notes.append(
        "When they enrolled they were asked about the next five years, as the paper's "
        "managers were (73% of whom expected it to stay the same or get worse); the "
        "follow-up surveys ask about the next year."
    )
    return table


# --- the leadership self-assessment ---------------------------------------------------------


def _stage_sets(rows: list[dict]) -> dict:
    """{(dimension, stage): Disclosed} of the four levels. Every set of one stage counts the
    same people (each rates all nine dimensions), and before and after are the same people
    (paired), so all the totals are one figure, hidden together."""
    keys, sets = [], []
    for row in rows:
        for stage in ("before", "after"):
            keys.append((row["dimension"], stage))
            sets.append(disclose(dict(zip(Level.values, row[stage], strict=True))))
    return dict(zip(keys, hide_totals_together(*sets), strict=True))


def _change(before: Figure, after: Figure) -> Figure:
    """After's share less before's, in percentage points (hidden with either)."""
    if not (before.shown and after.shown):
        if before.hidden or after.hidden:
            return Figure(value=None, text=SECONDARY_TEXT, hidden=Hidden.SECONDARY)
        return Figure(value=None, text="—")
    points = after.value - before.value
    return Figure(value=points, text=f"{points:+d}")


def self_assessment_tables(rows: list[dict]) -> tuple[Table, Table]:
    sets = _stage_sets(rows)
    summary = Table(
        "self_assessment",
        "Leadership self-assessment before and after: rated strong or exemplary",
        [
            "People",
            "Strong or exemplary before",
            "Share before",
            "Strong or exemplary after",
            "Share after",
            "Change (percentage points)",
        ],
        label_heading="Dimension",
    )
    levels = Table(
        "self_assessment_levels",
        "Leadership self-assessment before and after: every level",
        [
            f"{stage}: {level.lower()}"
            for stage in ("Before", "After")
            for level in [*Level.labels, "All"]
        ],
        label_heading="Dimension",
    )
    for row in rows:
        before, after = sets[(row["dimension"], "before")], sets[(row["dimension"], "after")]
        shares = [_share_of(STRONG_OR_EXEMPLARY, before), _share_of(STRONG_OR_EXEMPLARY, after)]
        summary.rows.append(
            Row(
                row["name"],
                [
                    before.total,
                    _sum(*(before[level] for level in STRONG_OR_EXEMPLARY)),
                    shares[0],
                    _sum(*(after[level] for level in STRONG_OR_EXEMPLARY)),
                    shares[1],
                    _change(*shares),
                ],
            )
        )
        levels.rows.append(
            Row(
                row["name"],
                [
                    *(before[v] for v in Level.values),
                    before.total,
                    *(after[v] for v in Level.values),
                    after.total,
                ],
            )
        )
    summary.notes += [
        "Participants who rated themselves on the NHS Healthcare Leadership Model both "
        "before the programme and after it, so that before and after are the same people. "
        "Each dimension is rated essential, proficient, strong or exemplary.",
        "People: how many rated themselves on the dimension (the same people after). "
        "Change: the share after less the share before.",
    ]
    levels.notes.append(
        "The same participants as the table above: how many rated themselves at each level, "
        "before and after."
    )
    return summary, levels


def outcome_tables(f: ReportFilter, counts: dict, words: dict) -> tuple[list[Table], Disclosed]:
    """The four tables, and the baseline relationship answers as disclosed here (for the
    relationship table above, which must show them the same way): two queries (the
    follow-up answers, the ratings) over the page's enrolments. ``counts`` is the page's
    enrolment counts (its baseline answers), ``words`` the answers' wording
    (outcomes.labels)."""
    enrolments = selectors.enrolments(f)
    follow_ups = follow_up_counts(enrolments=enrolments)
    relationship = _answer_sets(RELATIONSHIPS, counts["relationship"], follow_ups, "relationship")
    outlook = _answer_sets(OUTLOOKS, counts["outlook"], follow_ups, "outlook")
    _linked(relationship, outlook)
    summary, levels = self_assessment_tables(
        self_assessment_counts(enrolments=enrolments, paired=True)
    )
    tables = [
        relationship_after_table(relationship, words[Question.RELATIONSHIP]),
        outlook_table(outlook, words[Question.OUTLOOK]),
        summary,
        levels,
    ]
    return tables, relationship["baseline"]
