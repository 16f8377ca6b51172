"""The shipped instruments (docs/clinical/INTAKE.md, "Outcome measures") and how answers score with them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from intake.rules.questionnaire import QUESTIONS
from outcomes.instruments import messages
from outcomes.instruments.loader import SHIPPED_DIR, load_directories
from outcomes.instruments.model import Instrument
from outcomes.instruments.scoring import NoMinimalImportantChange, Score, change, change_is_important, score

SHIPPED = load_directories([SHIPPED_DIR])
PEG, PSFS, GLOBAL, RUNNING = (SHIPPED[code] for code in ("peg", "psfs", "global_change", "running_status"))


def scored(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """The score, which these answers must give."""
    result = score(instrument, answers)
    assert result is not None
    return result


def band_of(result: Score) -> str | None:
    return result.band.label if result.band else None


def peg_answers(average: object, enjoyment: object, activity: object) -> dict[str, object]:
    return {"pain_week_avg": average, "pain_enjoyment_interference": enjoyment, "pain_interference": activity}


def test_the_portal_ships_peg_psfs_global_change_and_running_status():
    assert sorted(SHIPPED) == ["global_change", "peg", "psfs", "running_status"]
    assert PEG.asked_at == PSFS.asked_at == ("intake", "follow_up")
    assert GLOBAL.asked_at == RUNNING.asked_at == ("follow_up",)
    for instrument in SHIPPED.values():
        assert instrument.licence
        assert instrument.version


def test_pegs_first_two_items_are_the_intakes_own_0_to_10_questions_and_the_third_is_new():
    assert [item.code for item in PEG.items] == ["pain_week_avg", "pain_enjoyment_interference", "pain_interference"]
    for code in ("pain_week_avg", "pain_interference"):
        question = QUESTIONS[code]
        assert (question.kind, question.min_value, question.max_value) == ("scale", 0, 10)
    assert all((item.kind, item.minimum, item.maximum) == ("scale", 0, 10) for item in PEG.items)
    assert all(item.min_anchor and item.max_anchor for item in PEG.items)


def test_peg_is_the_mean_of_its_three_items_to_one_decimal_with_a_band():
    result = scored(PEG, peg_answers(7, 6, 6))
    assert result is not None
    assert (result.value, band_of(result)) == (Decimal("6.3"), "Moderate")
    assert scored(PEG, peg_answers(2, 1, 0)).value == Decimal("1.0")
    assert band_of(scored(PEG, peg_answers(10, 10, 9))) == "High"


def test_peg_is_not_scored_with_an_item_missing_or_out_of_range():
    assert score(PEG, {"pain_week_avg": 6, "pain_interference": 4}) is None
    assert score(PEG, peg_answers(6, 11, 4)) is None
    assert score(PEG, peg_answers(6, "5", 4)) is None
    assert score(PEG, peg_answers(6, 4.5, 4)) is None
    assert score(PEG, peg_answers(6, True, 4)) is None


def test_a_drop_of_one_peg_point_is_an_important_improvement_and_a_rise_an_important_worsening():
    before, after = scored(PEG, peg_answers(7, 7, 7)), scored(PEG, peg_answers(6, 6, 6))
    assert change_is_important(before, after, PEG)
    moved = change(before, after, PEG)
    assert (moved.difference, moved.way, moved.important) == (Decimal("-1.0"), "better", True)
    assert change(after, before, PEG).way == "worse"
    assert not change_is_important(Decimal("6.0"), Decimal("5.1"), PEG)


def test_psfs_counts_one_to_three_named_activities_and_two_points_is_the_minimal_important_change():
    assert [item.activity_code for item in PSFS.items] == ["psfs_1_activity", "psfs_2_activity", "psfs_3_activity"]
    one = scored(PSFS, {"psfs_1_activity": "running", "psfs_1": 3})
    assert (one.value, one.missing) == (Decimal("3.0"), ("psfs_2", "psfs_3"))
    named = {"psfs_1_activity": "running", "psfs_2_activity": "sitting", "psfs_3_activity": "lifting my child"}
    three = scored(PSFS, {**named, "psfs_1": 3, "psfs_2": 4, "psfs_3": 8})
    assert three.value == Decimal("5.0")
    assert score(PSFS, {}) is None
    # A rating with no activity named rates nothing: it is not in the score (it counted, in the stop-32 audit).
    unnamed = scored(PSFS, {"psfs_1_activity": "running", "psfs_1": 3, "psfs_2_activity": " ", "psfs_2": 10})
    assert (unnamed.value, unnamed.answered) == (Decimal("3.0"), ("psfs_1",))
    assert score(PSFS, {"psfs_1": 3}) is None
    assert change_is_important(3, 5, PSFS)
    assert not change_is_important(3, 4.9, PSFS)
    assert change(5, 3, PSFS).way == "worse"  # higher is better on the PSFS


def test_the_global_rating_of_change_has_seven_choices_read_as_worse_same_or_better():
    item = GLOBAL.items[0]
    assert [option.code for option in item.options] == [
        "much_worse", "worse", "little_worse", "same", "little_better", "better", "much_better"
    ]  # fmt: skip
    result = scored(GLOBAL, {"global_change": "little_better"})
    assert (result.value, band_of(result), result.choice) == (Decimal(1), "Better", "little_better")
    assert band_of(scored(GLOBAL, {"global_change": "same"})) == "About the same"
    assert score(GLOBAL, {"global_change": "fantastic"}) is None
    with pytest.raises(NoMinimalImportantChange):
        change_is_important(0, 3, GLOBAL)


def test_running_status_has_the_four_steps_back_to_usual_running():
    item = RUNNING.items[0]
    assert [option.code for option in item.options] == ["not_running", "run_walk", "running_less", "usual_running"]
    assert item.code != "running_status"  # the intake's question of that name has other answers
    assert scored(RUNNING, {"follow_up_running": "run_walk"}).value == 1


def test_every_shipped_word_is_marked_for_translation():
    unmarked = [
        f"{instrument.code}: {text!r}"
        for instrument in SHIPPED.values()
        for text in messages.patient_texts(instrument)
        if text not in messages.MESSAGES
    ]
    assert not unmarked, "add these to outcomes/instruments/messages.py:\n" + "\n".join(unmarked)
