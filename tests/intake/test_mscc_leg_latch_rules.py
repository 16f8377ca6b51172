"""The rules' side of the leg answers that make MSCC beside a cancer history (SC1-SC4, CE8): which posted answers act
at once, and how a latched one counts and reads (docs/clinical/TRIAGE.md, "Latched red flags and partial pages").
Pure: no database."""

from __future__ import annotations

import datetime

import pytest

from intake.rules import triage
from intake.rules.questionnaire import QUESTIONS
from intake.rules.questionnaire_checks import human_value
from tests.intake.test_triage import assess, interim, legs_with, reasons

AT_10_02 = datetime.datetime(2026, 3, 15, 10, 2)
AT_10_05 = datetime.datetime(2026, 3, 15, 10, 5)
NEXT_DAY_09_30 = datetime.datetime(2026, 3, 16, 9, 30)
STORED = triage.REASON_MAX_LENGTH
# Each leg question: its flag, the answer that makes MSCC beside a cancer history, and one that takes it back.
LEG_SIGNS = {
    "leg_side": ("CE8", "both", "left"),
    "leg_pain_lowest_point": ("SC1", "foot", "buttock"),
    "worse_back_or_leg": ("SC2", "leg", "back"),
    "leg_numbness_tingling": ("SC3", "yes", "no"),
    "leg_weakness": ("SC4", "yes", "no"),
}


def test_the_leg_questions_are_the_ones_behind_sc1_to_sc4_and_ce8_and_their_answers_are_real_choices() -> None:
    assert set(LEG_SIGNS) == triage.MSCC_LEG_QUESTIONS
    for code, answers in triage.MSCC_LEG_ANSWERS.items():
        choices = set(QUESTIONS[code].choice_codes)
        assert answers <= choices or ("yes" in answers and "yes" in choices), code  # "not sure" reads as yes
    assert not triage.MSCC_LEG_QUESTIONS & triage.LATCHED_QUESTIONS  # latched only beside a cancer history
    assert not triage.MSCC_LEG_QUESTIONS & triage.RED_FLAG_QUESTIONS  # the staff page's concerns are unchanged


@pytest.mark.parametrize("code", sorted(LEG_SIGNS))
def test_a_leg_answer_acts_at_once_only_beside_a_cancer_history(code: str) -> None:
    _flag, sign, other = LEG_SIGNS[code]
    assert triage.acts_at_once(code, sign, cancer_history=True)
    assert not triage.acts_at_once(code, sign, cancer_history=False)
    assert not triage.acts_at_once(code, other, cancer_history=True)
    assert triage.takes_back(code, other)
    assert triage.acts_at_once("cancer_history", "not_sure", cancer_history=False)  # the others as before


def test_a_cancer_history_stands_on_a_yes_or_not_sure_or_a_latch_never_on_a_blank() -> None:
    assert triage.cancer_history_stands({"cancer_history": "not_sure"})
    assert not triage.cancer_history_stands({})
    assert not triage.cancer_history_stands({"cancer_history": "no"})
    latched = {"cancer_history": triage.EarlierAnswer("yes", AT_10_02, AT_10_05)}
    assert triage.cancer_history_stands({"cancer_history": "no"}, earlier=latched)


def test_stored_leg_answers_to_latch_count_only_with_leg_symptoms() -> None:
    answers = legs_with(leg_side="both", leg_numbness_tingling="yes")
    assert triage.mscc_leg_answers(answers) == {"leg_numbness_tingling": "yes", "leg_side": "both"}
    assert triage.mscc_leg_answers({**answers, "leg_symptoms": "no"}) == {}


@pytest.mark.parametrize("code", sorted(LEG_SIGNS))
def test_a_latched_leg_answer_taken_back_keeps_its_flag_and_mscc_and_names_its_question(code: str) -> None:
    flag, sign, other = LEG_SIGNS[code]
    earlier = {
        "cancer_history": triage.EarlierAnswer("yes", AT_10_02),
        code: triage.EarlierAnswer(sign, AT_10_02, AT_10_05),
    }
    answers = legs_with(cancer_history="yes", **{code: other})
    assert "MSCC" not in assess(answers).codes
    for result in (assess(answers, earlier=earlier), interim(answers, earlier=earlier)):
        assert {flag, "MSCC"} <= set(result.codes)
        assert result.level == "urgent"
        assert result.emergency == "mscc"
        reason = reasons(result)[flag]
        name = triage.LATCHED_QUESTION_NAMES[code]
        if code in ("leg_numbness_tingling", "leg_weakness"):
            said, became = "yes", "no"
        else:
            said, became = (f"“{human_value(QUESTIONS[code], value)}”" for value in (sign, other))
        assert reason.endswith(f" ({name} answered {said} at 10:02, changed to {became} at 10:05)"), reason
        assert code not in reason


@pytest.mark.parametrize("code", sorted(LEG_SIGNS))
def test_a_latched_leg_answer_counts_after_leg_symptoms_changed_to_no_and_fits_a_stored_flag(code: str) -> None:
    flag, sign, _other = LEG_SIGNS[code]
    earlier = {code: triage.EarlierAnswer(sign, AT_10_02, NEXT_DAY_09_30)}
    answers = legs_with(code, cancer_history="yes", leg_symptoms="no")
    result = assess(answers, earlier=earlier)
    assert {flag, "MSCC"} <= set(result.codes)
    assert len(reasons(result)[flag]) <= STORED


def test_without_a_latch_the_leg_rules_read_as_before() -> None:
    assert {"SC1", "SC3", "CE8"} <= set(assess(legs_with(leg_pain_lowest_point="foot", leg_numbness_tingling="yes",
                                                          leg_side="both")).codes)  # fmt: skip
    hidden = legs_with(leg_symptoms="no", leg_numbness_tingling="yes", leg_side="both")
    assert not {"SC3", "CE8"} & set(assess(hidden).codes)
