"""The effect page's charts as server-rendered SVG geometry (numbers only, so the template
may print them as they are): Kaplan-Meier step curves and the rates with their intervals.
No JavaScript and no inline styles (CSP): colour and dash pattern are SVG presentation
attributes, and each series differs by dash as well as colour."""

from __future__ import annotations

from .effect import GroupEstimate

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
SERIES = (
    {"colour": "#005eb8", "dash": ""},  # NHS blue, solid: completers
    {"colour": "#425563", "dash": "6 4"},  # dark grey, dashed: comparison
)


def _x(months: float, span: float) -> float:
    return round(LEFT + (WIDTH - LEFT - RIGHT) * months / span, 1)


def _y(value: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value), 1)


def _steps(curve: list[tuple[float, float]], span: float) -> str:
    """A step path: level until the next month's value, then straight down to it."""
    points = []
    for index, (month, value) in enumerate(curve):
        if index:
            points.append(f"L{_x(month, span)},{_y(curve[index - 1][1])}")
        points.append(f"{'M' if not index else 'L'}{_x(month, span)},{_y(value)}")
    return " ".join(points)


def survival_chart(groups: list[GroupEstimate]) -> dict | None:
    drawn = [(group, style) for group, style in zip(groups, SERIES, strict=False) if group.curve]
    if not drawn:
        return None
    last = max(group.curve[-1][0] for group, _ in drawn)
    span = max(12.0, float(-(-last // 6) * 6))  # whole half-years, at least one year
    x_ticks = [{"x": _x(m, span), "label": int(m)} for m in range(0, int(span) + 1, 6)]
    y_ticks = [{"y": _y(v / 100), "label": f"{v}%"} for v in range(0, 101, 25)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "x_label": {"x": (LEFT + WIDTH - RIGHT) / 2, "y": HEIGHT - 6},
        "series": [
            {"label": group.label, "path": _steps(group.curve, span), **style}
            for group, style in drawn
        ],
    }


def rate_chart(groups: list[GroupEstimate]) -> dict | None:
    """For each window, each group's rate as a dot with its interval as a line."""
    rows, y = [], TOP + 24
    for window_index in range(2):
        for group, style in zip(groups, SERIES, strict=False):
            if not group.shown or group.rates[window_index]["proportion"] is None:
                continue
            rate = group.rates[window_index]
            rows.append(
                {
                    "y": y,
                    "label": f"{rate['months']} months: {group.label}",
                    "x": _x(rate["proportion"], 1),
                    "low": _x(rate["low"], 1),
                    "high": _x(rate["high"], 1),
                    **style,
                }
            )
            y += 40
        y += 12
    if not rows:
        return None
    return {
        "width": WIDTH,
        "height": y + 24,
        "rows": rows,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "axis_y": y,
        "x_ticks": [{"x": _x(v / 100, 1), "label": f"{v}%"} for v in range(0, 101, 25)],
    }
