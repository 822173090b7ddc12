"""Charts as server-rendered SVG (templates/reports/_bar_chart.svg.html): no script, no
library, nothing from elsewhere, so the Content-Security-Policy stays as it is. Each chart is
drawn from a table's disclosed figures (reports.dashboard), so a hidden figure has no bar —
only its "<5" or "*" — and its numbers are in the table beside it.

Bars are horizontal, one per row, scaled to 100% (every chart here shows shares): a long
label stays readable on a phone, and the geometry is computed here, not in the template.
"""

from __future__ import annotations

from .disclosure import Figure

WIDTH = 640
LABEL_WIDTH = 300  # the row labels' column
BAR_AREA = 260
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 8


def bar_chart(slug: str, title: str, bars: list[tuple[str, Figure]], *, marks=None) -> dict:
    """``bars``: (label, a percentage Figure). ``marks``: {label: a reference percentage}
    drawn as a line across that bar (the paper's figure beside the trust's)."""
    marks = marks or {}
    drawn = []
    for index, (label, figure) in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        value = figure.value if figure.shown else None
        width = 0 if value is None else round(BAR_AREA * max(0, min(value, 100)) / 100, 1)
        mark = marks.get(label)
        drawn.append(
            {
                "label": label,
                "y": y,
                "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                "text_y": y + ROW_HEIGHT / 2 + 5,
                "width": width,
                "text": figure.text,
                "text_x": LABEL_WIDTH + width + 6,
                "hidden": not figure.shown,
                "mark_x": None if mark is None else LABEL_WIDTH + BAR_AREA * mark / 100,
                "mark": mark,
            }
        )
    return {
        "template": "reports/_bar_chart.svg.html",
        "id": f"chart-{slug}",
        "title": title,
        "width": WIDTH,
        "height": TOP * 2 + ROW_HEIGHT * len(bars),
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "axis_end": LABEL_WIDTH + BAR_AREA,
        "bar_height": BAR_HEIGHT,
        "bars": drawn,
        "has_marks": bool(marks),
    }


GROUP_HEADING = 24  # a group's name, above its bars
SUB_ROW = 24  # one bar of a group
SUB_BAR = 16
GROUP_GAP = 10


def grouped_bar_chart(slug: str, title: str, groups, *, series, marks=None) -> dict:
    """A bar per series in each group (before and after; when they enrolled, at completion
    and 12 months after), each bar named beside it as well as coloured, so colour is not
    the only way to tell them apart. ``groups``: (label, [a percentage Figure per series]);
    ``marks``: {group label: a reference percentage} drawn as a line across the group."""
    marks = marks or {}
    drawn, y = [], TOP
    for label, figures in groups:
        group = {"label": label, "label_y": y + 16, "bars": []}
        y += GROUP_HEADING
        top = y
        for index, (name, figure) in enumerate(zip(series, figures, strict=True)):
            value = figure.value if figure.shown else None
            width = 0 if value is None else round(BAR_AREA * max(0, min(value, 100)) / 100, 1)
            group["bars"].append(
                {
                    "series": name,
                    "series_index": index + 1,
                    "bar_y": y + (SUB_ROW - SUB_BAR) / 2,
                    "text_y": y + SUB_ROW / 2 + 5,
                    "width": width,
                    "text": figure.text,
                    "text_x": LABEL_WIDTH + width + 6,
                    "hidden": not figure.shown,
                }
            )
            y += SUB_ROW
        mark = marks.get(label)
        group |= {
            "mark": mark,
            "mark_x": None if mark is None else LABEL_WIDTH + BAR_AREA * mark / 100,
            "mark_y1": top,
            "mark_y2": y,
        }
        drawn.append(group)
        y += GROUP_GAP
    return {
        "template": "reports/_grouped_bar_chart.svg.html",
        "id": f"chart-{slug}",
        "title": title,
        "width": WIDTH,
        "height": y + TOP,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "axis_end": LABEL_WIDTH + BAR_AREA,
        "bar_height": SUB_BAR,
        "groups": drawn,
        "series": list(series),
        "has_marks": bool(marks),
    }


def _outcome_charts(dashboard) -> None:
    """The outcome tables' charts (reports.outcome_tables): the shares beside the paper's,
    at each time asked, and the share rated strong or exemplary before and after."""
    for slug in ("relationship_after", "outlook"):
        table = dashboard.tables.get(slug)
        if table is None or table.comparison is None:
            continue
        comparison = table.comparison
        table.chart = grouped_bar_chart(
            slug,
            f"{comparison.title}: the share giving each answer, when they enrolled, at "
            "completion and 12 months after",
            [(row.label, row.cells[:-1]) for row in comparison.rows],
            series=comparison.columns[:-1],
            marks={row.label: row.cells[-1].value for row in comparison.rows},
        )
    summary = dashboard.tables.get("self_assessment")
    if summary is not None:
        summary.chart = grouped_bar_chart(
            "self_assessment",
            "Share rating themselves strong or exemplary, before and after the programme",
            [(row.label, [row.cells[2], row.cells[4]]) for row in summary.rows],
            series=["Before", "After"],
        )


def add_charts(dashboard) -> None:
    """Give each table that a picture helps its chart (the activity table has none: its rows
    are of different kinds)."""
    shares = {"participants": 1, "enrolments": 1, "relationship": 1}
    for slug, column in shares.items():
        table = dashboard[slug]
        rows = [row for row in table.rows if not row.is_total]
        table.chart = bar_chart(
            slug, f"{table.title}, as a share of all", [(r.label, r.cells[column]) for r in rows]
        )
    rates = dashboard["rates"]
    short = ("Attendance rate", "Completion rate")  # the rows' own labels are sentences
    rates.chart = bar_chart(
        "rates",
        rates.title,
        [(label, r.cells[2]) for label, r in zip(short, rates.rows, strict=True)],
    )
    leadership = dashboard["leadership"]
    leadership.chart = bar_chart(
        "leadership",
        "Share of clinicians in a leadership role",
        [(r.label, r.cells[2]) for r in leadership.rows],
    )
    board = dashboard["board"]
    if board.rows:
        board.chart = bar_chart(
            "board", "Clinician share of the board", [(r.label, r.cells[2]) for r in board.rows]
        )
    relationship = dashboard["relationship"]
    if relationship.paper:
        relationship.paper_chart = bar_chart(
            "paper",
            "This trust's participants beside the paper's managers",
            [(label, figure) for label, figure, _ in relationship.paper],
            marks={label: paper for label, _, paper in relationship.paper},
        )
    _outcome_charts(dashboard)
