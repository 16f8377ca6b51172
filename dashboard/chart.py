"""Geometry of the weekly intake chart, drawn as server-side SVG (no script, no CDN, CSP-safe attributes only)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.selectors import ChartWeek
from intake.models import Level

# Close to the size it is shown at, so 11px text stays readable.
WIDTH, HEIGHT = 480, 200
LEFT, BOTTOM, TOP = 30, 22, 8
PLOT_HEIGHT = HEIGHT - BOTTOM - TOP


@dataclass(frozen=True)
class Bar:
    level: Level
    x: float
    y: float
    width: float
    height: float
    count: int


@dataclass(frozen=True)
class Column:
    label: str
    x_label: float
    total: int
    bars: list[Bar]
    show_label: bool = True


def nice_max(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return ((value // 10000) + 1) * 10000


def layout(weeks: list[ChartWeek]) -> tuple[list[Column], list[tuple[float, int]]]:
    """Stacked columns (urgent at the bottom, where the eye starts) and the y-axis ticks."""
    top = nice_max(max((week.total for week in weeks), default=0))
    slot = (WIDTH - LEFT) / max(len(weeks), 1)
    bar_width = slot * 0.6
    columns = []
    for index, week in enumerate(weeks):
        x = LEFT + index * slot + (slot - bar_width) / 2
        y = float(HEIGHT - BOTTOM)
        bars = []
        for level in Level:
            count = week.counts.get(level, 0)
            if not count:
                continue
            height = PLOT_HEIGHT * count / top
            y -= height
            bars.append(Bar(level, round(x, 1), round(y, 1), round(bar_width, 1), round(height, 1), count))
        # Every other week is labelled (the current week always): twelve dates do not fit side by side.
        show = (len(weeks) - 1 - index) % 2 == 0
        columns.append(Column(week.starts.strftime("%b %-d"), round(x + bar_width / 2, 1), week.total, bars, show))
    ticks = [(round(HEIGHT - BOTTOM - PLOT_HEIGHT * value / top, 1), value) for value in (0, top // 2, top)]
    return columns, ticks
