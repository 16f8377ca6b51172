"""The outcome chart's figures and geometry: scores from the instrument, change against the score before the visit,
the minimal-important-change band around it, and the same figures as a table. No database."""

from __future__ import annotations

import datetime
from decimal import Decimal

from dashboard import outcome_chart
from outcomes import registry

WHEN = datetime.datetime(2026, 9, 1, 10, 0, tzinfo=datetime.UTC)


def peg(a: int, b: int, c: int) -> dict[str, int]:
    return {"pain_week_avg": a, "pain_enjoyment_interference": b, "pain_interference": c}


def chart(*answers: dict[str, int] | None) -> outcome_chart.MeasureChart:
    labels = ["Before the visit", "6 weeks", "3 months", "12 months"]
    return outcome_chart.measure_chart(
        registry.instrument("peg"),
        [(label, WHEN, given) for label, given in zip(labels, answers, strict=False)],
        short="PEG",
    )


def test_each_point_is_the_instruments_score_with_its_change_since_before_the_visit():
    drawn = chart(peg(6, 6, 6), peg(5, 6, 5), peg(3, 2, 3))
    assert [point.value for point in drawn.points] == [Decimal("6.0"), Decimal("5.3"), Decimal("2.7")]
    assert [point.change_text for point in drawn.points] == ["", "-0.7", "-3.3"]
    assert [point.verdict for point in drawn.points] == [
        "",
        "Less than the change that matters",
        "Better: a change that matters",
    ]
    assert drawn.latest_change is drawn.points[-1]
    assert drawn.direction_words == "Lower is better"


def test_the_band_is_the_baseline_plus_and_minus_the_minimal_important_change_within_the_range():
    drawn = chart(peg(6, 6, 6), peg(7, 8, 8))
    top, bottom = drawn.band or (0, 0)
    assert (top, bottom) == (drawn.y(Decimal(7)), drawn.y(Decimal(5)))
    assert drawn.points[1].verdict == "Worse: a change that matters"
    edge = chart(peg(0, 0, 0), peg(0, 0, 1))
    assert edge.band == (edge.y(Decimal(1)), edge.y(Decimal(0)))  # clipped at the bottom of the scale


def test_a_questionnaire_without_enough_answers_is_shown_as_not_answered():
    drawn = chart(peg(4, 4, 4), {"pain_week_avg": 3}, peg(2, 2, 2))
    assert drawn.points[1].value is None
    assert len(drawn.scored) == 2
    assert "Not answered" in drawn.table_rows
    assert drawn.svg.count("<circle") == 2


def test_the_table_gives_every_figure_the_chart_draws():
    rows = chart(peg(6, 6, 6), peg(3, 3, 3)).table_rows
    assert '<th scope="row">Before the visit</th><td>Sep 1, 2026</td><td class="text-end">6.0</td>' in rows
    assert '<td class="text-end">3.0</td><td class="text-end">-3.0</td><td>Better: a change that matters</td>' in rows


def test_the_table_gives_the_day_in_the_clinics_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    evening = datetime.datetime(2026, 10, 1, 2, 30, tzinfo=datetime.UTC)  # 10:30 PM on September 30 in New York
    drawn = outcome_chart.measure_chart(registry.instrument("peg"), [("6 weeks", evening, peg(4, 4, 4))])
    assert "<td>Sep 30, 2026</td>" in drawn.table_rows


def test_every_point_lies_inside_the_plot():
    drawn = chart(peg(0, 0, 0), peg(10, 10, 10))
    ys = [drawn.y(point.value) for point in drawn.points if point.value is not None]
    assert min(ys) >= outcome_chart.TOP
    assert max(ys) <= outcome_chart.HEIGHT - outcome_chart.BOTTOM
