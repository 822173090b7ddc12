"""The comparison's chart: each row's rate as a horizontal bar, with the region's and
England's rates drawn as lines down the whole chart (server-rendered SVG,
templates/reports/_comparison_chart.svg.html). Drawn from disclosed figures only, so a hidden
rate has no bar, only its "*"; the numbers are in the table beside it."""

from __future__ import annotations

from .charts import BAR_AREA, BAR_HEIGHT, LABEL_WIDTH, ROW_HEIGHT, TOP, WIDTH
from .disclosure import Figure

LINE_STYLES = ("6 3", "2 3")  # the region's dashed, England's dotted
LEGEND_HEIGHT = 24


def _x(value: float) -> float:
    return round(LABEL_WIDTH + BAR_AREA * max(0, min(value, 100)) / 100, 1)


def comparison_chart(slug: str, title: str, bars: list[tuple[str, Figure]], lines) -> dict:
    """``bars``: (label, a percentage Figure) per row; ``lines``: (label, a percentage Figure)
    for the region and England, drawn where they are shown."""
    height = TOP * 2 + ROW_HEIGHT * len(bars)
    drawn = []
    for index, (label, figure) in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        width = round(_x(figure.value) - LABEL_WIDTH, 1) if figure.shown else 0
        drawn.append({
            "label": label, "text": figure.text, "hidden": not figure.shown, "width": width,
            "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) / 2, "text_y": y + ROW_HEIGHT / 2 + 5,
            "text_x": LABEL_WIDTH + width + 6,
        })  # fmt: skip
    marks = []
    for index, (label, figure) in enumerate(lines):
        marks.append({
            "label": label, "text": figure.text, "shown": figure.shown,
            "x": _x(figure.value) if figure.shown else None,
            "dash": LINE_STYLES[index % len(LINE_STYLES)],
            "key_y": height + 16 + index * LEGEND_HEIGHT,
        })  # fmt: skip
    return {
        "id": f"chart-{slug}",
        "title": title,
        "width": WIDTH,
        "plot_height": height,
        "height": height + 8 + LEGEND_HEIGHT * len(lines),
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "axis_end": LABEL_WIDTH + BAR_AREA,
        "bar_height": BAR_HEIGHT,
        "bars": drawn,
        "lines": marks,
    }
