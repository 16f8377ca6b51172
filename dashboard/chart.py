"""Geometry of the weekly intake chart, drawn as server-side SVG (no script, no CDN, CSP-safe attributes only).

The SVG's lines, bars and labels are written here (`svg`), not by a template loop: some sixty elements with four
numbers each cost the queue page more in template lookups and number formatting than all its queries (issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from dashboard.queue_counts import ChartWeek
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
    wide_only: bool = False  # a date drawn only from 576 px wide: a phone dates every fourth week


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
    shown_width = round(bar_width, 1)
    levels = tuple(Level)
    columns = []
    for index, week in enumerate(weeks):
        x = LEFT + index * slot + (slot - bar_width) / 2
        shown_x = round(x, 1)
        y = float(HEIGHT - BOTTOM)
        bars = []
        for level in levels:
            count = week.counts.get(level, 0)
            if not count:
                continue
            height = PLOT_HEIGHT * count / top
            y -= height
            bars.append(Bar(level, shown_x, round(y, 1), shown_width, round(height, 1), count))
        # Every other week is labelled (the current week always): twelve dates do not fit side by side. On a phone,
        # every fourth: six dates big enough to read there would touch (static/css/dashboard.css).
        back = len(weeks) - 1 - index
        label = week.starts.strftime("%b %-d")
        columns.append(Column(label, round(x + bar_width / 2, 1), week.total, bars, back % 2 == 0, back % 4 != 0))
    ticks = [(round(HEIGHT - BOTTOM - PLOT_HEIGHT * value / top, 1), value) for value in (0, top // 2, top)]
    return columns, ticks


def svg(columns: list[Column], ticks: list[tuple[float, int]]) -> SafeString:
    """The chart's grid lines and their values, the stacked bars (each with its figure as a title) and the labels.

    Numbers, level codes and week labels only, all made here: nothing to escape.
    """
    parts = [
        f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH}" y1="{y}" y2="{y}"></line>'
        f'<text class="chart-tick" x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">{value}</text>'
        for y, value in ticks
    ]
    names = {level: (level.code, str(level.label).lower()) for level in Level}
    for column in columns:
        parts.extend(
            f'<rect class="chart-bar bar-{names[bar.level][0]}" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
            f'height="{bar.height}"><title>{column.label}: {bar.count} {names[bar.level][1]}</title></rect>'
            for bar in column.bars
        )
        if column.show_label:
            parts.append(
                f'<text class="chart-label{" label-wide" if column.wide_only else ""}" x="{column.x_label}" '
                f'y="{HEIGHT - 6}" text-anchor="middle">'
                f"{column.label}</text>"
            )
    return mark_safe("".join(parts))  # noqa: S308 - see above


def table_rows(weeks: list[ChartWeek]) -> SafeString:
    """The chart's figures as table rows (the same numbers, for screen readers and for reading them exactly).

    Dates and numbers only, all made here: nothing to escape."""
    return mark_safe(  # noqa: S308 - see above
        "".join(
            f'<tr><th scope="row">{week.starts:%b} {week.starts.day}</th>'
            + "".join(f'<td class="text-end">{n}</td>' for n in week.ordered)
            + f'<td class="text-end">{week.total}</td></tr>'
            for week in weeks
        )
    )
