"""The weekly chart's geometry: stacked bars that fit the plot, urgent at the bottom."""

from __future__ import annotations

import datetime

from dashboard import chart
from dashboard.queue_counts import ChartWeek
from intake.models import Level


def weeks(*counts: dict[int, int]) -> list[ChartWeek]:
    start = datetime.date(2026, 9, 7)
    return [ChartWeek(start + datetime.timedelta(weeks=i), c) for i, c in enumerate(counts)]


def test_the_tallest_week_fits_inside_the_plot_and_bars_stack_from_the_bottom():
    columns, ticks = chart.layout(weeks({Level.URGENT: 2, Level.ROUTINE: 6}, {Level.SERIOUS: 1}))
    first = columns[0]
    urgent, routine = first.bars
    assert urgent.level == Level.URGENT
    assert urgent.y + urgent.height == chart.HEIGHT - chart.BOTTOM
    assert routine.y + routine.height == urgent.y
    assert routine.y >= chart.TOP
    assert ticks[-1][1] == 10  # a round top value above the busiest week (8)


def test_empty_weeks_draw_no_bars_and_the_current_week_is_always_labelled():
    columns, _ = chart.layout(weeks(*[{}] * 12))
    assert all(not c.bars for c in columns)
    assert columns[-1].show_label
    assert sum(c.show_label for c in columns) == 6
    # A phone dates every fourth week of them, the current week included; the other three only from 576 px wide.
    assert [c.label for c in columns if c.show_label and not c.wide_only] == [columns[i].label for i in (3, 7, 11)]
    assert chart.svg(columns, []).count('class="chart-label label-wide"') == 3
