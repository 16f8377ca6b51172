"""How stored answers read on the intake page (pure functions, no database)."""

from __future__ import annotations

import datetime

from dashboard.presenters import answer_sections, as_number, pain_scores, running_summary


def test_numbers_stored_as_text_by_the_json_encoder_are_read_back():
    assert as_number("12.5") == as_number(12.5)
    assert as_number("abc") is None
    assert as_number(True) is None
    assert as_number(None) is None


def test_running_summary_gives_the_weekly_distance_change_in_percent():
    summary = running_summary(
        {
            "running_status": "running",
            "distance_unit": "mi",
            "weekly_distance": "26",
            "weekly_distance_before": 20,
            "training_changes": ["distance"],
            "strength_sessions_per_week": 1,
            "running_shoes": "no",
            "shoe_age_months": 14,
        }
    )
    assert summary is not None
    assert summary.weekly_distance == "26 miles a week"
    assert summary.change_text == "+30%"
    assert not summary.big_jump  # 30% is not more than 30%
    assert summary.strength == "1 session a week"
    assert summary.shoes == "Not running shoes, 14 months old"


def test_no_change_is_reported_when_training_did_not_change():
    summary = running_summary({"running_status": "running", "weekly_distance": 30, "training_changes": ["none"]})
    assert summary is not None
    assert summary.change_text == "No change reported"
    assert summary.distance_before == ""


def test_a_non_runner_has_no_running_summary():
    assert running_summary({"running_status": "not_a_runner"}) is None


def test_answers_are_grouped_by_step_with_labels_and_red_flag_answers_marked():
    sections = answer_sections(
        {"ce_saddle_numbness": "not_sure", "ce_bowel_control": "no", "date_of_birth": datetime.date(1980, 2, 3)}
    )
    assert [s.title for s in sections] == ["Safety check", "About you"]
    rows = {row.code: row for row in sections[0].rows}
    assert rows["ce_saddle_numbness"].value == "Not sure"
    assert rows["ce_saddle_numbness"].concern
    assert not rows["ce_bowel_control"].concern
    assert sections[1].rows[0].value == "Feb 3, 1980"  # as the staff pages write dates ("M j, Y")


def test_questions_not_asked_are_not_listed():
    sections = answer_sections({"leg_symptoms": "no", "leg_side": "left"})
    codes = [row.code for s in sections for row in s.rows]
    assert codes == ["leg_symptoms"]


def test_missing_pain_scores_show_as_unknown():
    assert [p.score for p in pain_scores({"pain_now": 7, "pain_week_avg": "5"})] == [7, 5, None]


def test_flag_chips_are_styled_by_the_flags_group_in_the_rules():
    from dashboard.presenters import flag_style
    from intake.rules.triage import FLAGS_BY_CODE

    assert {flag_style(code) for code in ("CE1", "CE7", "MSCC")} == {"urgent"}
    assert {flag_style(code) for code in ("MET", "CM1", "SP13", "SP1", "W2", "CE8")} == {"serious"}
    assert {flag_style(code) for code in ("R6", "IBP", "R3")} == {"informational"}
    assert flag_style("SC1") == "sciatica"
    assert flag_style("XX9") == "other"  # a code the current rules no longer know
    assert all(flag_style(code) == flag.group for code, flag in FLAGS_BY_CODE.items())


def test_every_flag_group_that_needs_attention_has_a_chip_colour_in_the_stylesheet():
    import pathlib

    from intake.rules.triage import FLAG_GROUPS

    css = (pathlib.Path(__file__).resolve().parents[2] / "static" / "css" / "dashboard.css").read_text()
    for group in FLAG_GROUPS:
        if group != "informational":  # grey, like any chip
            assert f".flag-{group}" in css, group


def test_outcome_text_drops_the_hint_in_brackets_and_every_outcome_has_a_column_heading():
    from dashboard.presenters import OUTCOME_SHORT, outcome_text
    from intake.models import ReviewNote

    assert outcome_text("could_not_reach") == "Could not reach the patient"
    assert outcome_text("other") == "Other"
    assert outcome_text("") == ""
    assert set(OUTCOME_SHORT) == set(ReviewNote.Outcome.values)


def test_a_red_flag_answer_changed_to_no_keeps_both_answers_and_stays_a_concern_until_cleared():
    from types import SimpleNamespace

    from dashboard.presenters import red_flag_answer_rows

    said = datetime.datetime(2026, 11, 20, 15, 2, tzinfo=datetime.UTC)
    latch = SimpleNamespace(
        code="cancer_history",
        value="not_sure",
        answered_at=said,
        given_before=False,
        changed_to_no_at=said + datetime.timedelta(minutes=3),
        cleared_at=None,
        cleared_by=None,
    )
    answers = {"cancer_history": "no", "weight_loss": "no"}
    [row] = red_flag_answer_rows([latch], answers)
    assert (row.first_answer, row.current_answer, row.is_open) == ("Not sure", "No", True)
    rows = {r.code: r for s in answer_sections(answers, [latch]) for r in s.rows}
    assert rows["cancer_history"].concern
    assert rows["cancer_history"].first_answer == "Not sure"
    assert not rows["weight_loss"].concern
    latch.cleared_at = said + datetime.timedelta(hours=1)
    rows = {r.code: r for s in answer_sections(answers, [latch]) for r in s.rows}
    assert not rows["cancer_history"].concern
    assert rows["cancer_history"].first_answer == "Not sure"  # still on the record


def test_a_latched_leg_choice_no_longer_answered_reads_not_answered_on_the_staff_table():
    """A "both legs" latched beside a cancer history, then leg symptoms changed to no (the question no longer asked):
    the table of red-flag answers says it is no longer answered, not that the patient said "No"."""
    from types import SimpleNamespace

    from dashboard.presenters import red_flag_answer_rows
    from intake.rules.questionnaire_checks import NOT_ANSWERED

    said = datetime.datetime(2026, 11, 20, 15, 2, tzinfo=datetime.UTC)
    latch = SimpleNamespace(
        code="leg_side",
        value="both",
        answered_at=said,
        given_before=False,
        changed_to_no_at=None,
        cleared_at=None,
        cleared_by=None,
    )
    [row] = red_flag_answer_rows([latch], {"leg_symptoms": "no"})
    assert (row.first_answer, row.changed_to) == ("Both legs", NOT_ANSWERED)
    assert row.flag_codes == ("CE8",)
