"""The before/after profile as a server-rendered SVG bar chart: geometry computed here, the
markup in templates/outcomes/_profile.html (no script, nothing inline for the CSP to refuse;
the numbers are in the table beside it)."""

from __future__ import annotations

from .dimensions import Level

LABEL_WIDTH = 210  # room for "Influencing for results" at the chart's font size
PLOT_WIDTH = 360
BAR_HEIGHT = 10
ROW_HEIGHT = 34
TOP = 24  # the level scale above the bars


def profile_chart(profile) -> dict:
    rows = []
    for index, row in enumerate(profile.rows):
        y = TOP + index * ROW_HEIGHT
        bars = []
        for offset, stage in ((4, "before"), (4 + BAR_HEIGHT + 2, "after")):
            level = row[stage]
            if level:
                bars.append(
                    {
                        "stage": stage,
                        "y": y + offset,
                        "width": round(PLOT_WIDTH * level / len(Level)),
                        "label": Level(level).label,
                    }
                )
        rows.append({"name": row["name"], "text_y": y + 20, "bars": bars})
    ticks = [
        {"x": LABEL_WIDTH + round(PLOT_WIDTH * value / len(Level)), "label": label}
        for value, label in Level.choices
    ]
    height = TOP + len(rows) * ROW_HEIGHT + 4
    return {
        "rows": rows,
        "ticks": ticks,
        "label_width": LABEL_WIDTH,
        "plot_width": PLOT_WIDTH,
        "width": LABEL_WIDTH + PLOT_WIDTH + 10,
        "height": height,
        "bar_height": BAR_HEIGHT,
    }
