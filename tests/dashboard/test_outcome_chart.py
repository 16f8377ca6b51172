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


def psfs(*rated: tuple[str, int]) -> dict[str, object]:
    answers: dict[str, object] = {}
    for slot, (name, rating) in enumerate(rated, start=1):
        answers[f"psfs_{slot}_activity"], answers[f"psfs_{slot}"] = name, rating
    return answers


def psfs_chart(*answers: dict[str, object] | None) -> outcome_chart.MeasureChart:
    labels = ["Before the visit", "6 weeks", "3 months"]
    return outcome_chart.measure_chart(
        registry.instrument("psfs"), [(label, WHEN, given) for label, given in zip(labels, answers, strict=False)]
    )


def test_a_psfs_activity_renamed_at_follow_up_gives_no_change_instead_of_a_difference_of_means():
    """Running 2 before the visit, then only "Walking the dog" 8: running was never rated again, so +6 "better, a
    change that matters" (what the chart said) compares two different things (the stop-30 audit)."""
    drawn = psfs_chart(psfs(("Running", 2)), psfs(("Walking the dog", 8)))
    later = drawn.points[1]
    assert (later.value, later.change, later.change_text) == (Decimal(8), None, "")
    assert later.verdict == "Not comparable: other activities than the first time"
    assert "Walking the dog: 8" in drawn.table_rows


def test_a_psfs_change_is_the_mean_change_of_the_activities_rated_both_times_in_any_slot():
    """Three activities before (mean 5.0), only running rated again, a point better: the means say -2.0, "worse, a
    change that matters"; the one activity compared moved +1. Names match whatever their slot, case or spacing."""
    drawn = psfs_chart(
        psfs(("Running", 2), ("Sitting", 6), ("Lifting", 7)),
        psfs(("Running", 3)),
        psfs(("sitting ", 9), ("RUNNING", 5)),
    )
    assert [point.change_text for point in drawn.points] == ["", "+1.0", "+3.0"]
    assert [point.verdict for point in drawn.points[1:]] == [
        "Less than the change that matters",
        "Better: a change that matters",
    ]


def test_without_a_score_before_the_visit_the_chart_says_what_its_changes_are_counted_from():
    """An intake sent before the measure was asked: the first follow-up is the start, and the page must not call it
    "before the visit" (the stop-30 audit)."""
    drawn = chart({"pain_week_avg": 5}, peg(3, 3, 3), peg(3, 4, 3))
    assert drawn.from_visit is False
    assert drawn.since_words == "the 6 weeks questionnaire"
    assert "Within 1 of the score at the 6 weeks questionnaire" in drawn.svg
    assert chart(peg(4, 4, 4), peg(3, 3, 3)).since_words == "before the visit"


def test_no_band_is_drawn_when_the_psfs_activities_differ_between_questionnaires():
    """Running 2 and walking 8 (5.0), then running 4 and gardening 0 (2.0): the point sat below the band, "worse",
    while the change over running, the one activity rated twice, was +2, "better" (review of stop 30)."""
    drawn = psfs_chart(psfs(("Running", 2), ("Walking", 8)), psfs(("Running", 4), ("Gardening", 0)))
    assert drawn.points[1].verdict == "Better: a change that matters"
    assert drawn.band is None
    assert "mic-band" not in drawn.svg
    same = psfs_chart(psfs(("Running", 2), ("Walking", 8)), psfs(("walking", 9), ("Running", 3)))
    assert same.band is not None


def test_a_phone_draws_each_questionnaires_name_short_beside_the_full_name():
    assert [outcome_chart.short_label(label) for label in ("Before the visit", "6 weeks", "1 year", "12 months")] == [
        "Before",
        "6 wk",
        "1 yr",
        "12 mo",
    ]
    assert outcome_chart.short_label("Follow-up") == "Follow-up"  # a name it does not know stays as it is
    drawn = chart(peg(4, 4, 4), peg(2, 2, 2))
    assert drawn.svg.count('class="chart-label label-full"') == drawn.svg.count('class="chart-label label-short"') == 2
