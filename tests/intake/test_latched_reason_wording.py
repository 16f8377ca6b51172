"""A latched red-flag choice reads in words in the flag's reason (the fall behind SP7): the question by what it asks
about, the choices as the staff page shows the answers, and every reason fits the 200 characters a stored flag keeps.
"""

from __future__ import annotations

import datetime

import pytest

from intake.models import IntakeFlag
from intake.rules import triage
from intake.rules.questionnaire import QUESTIONS
from intake.rules.questionnaire_checks import human_value
from tests.intake.test_triage import answers_with, assess, reasons

AT_10_02 = datetime.datetime(2026, 3, 15, 10, 2)
AT_10_05 = datetime.datetime(2026, 3, 15, 10, 5)
NEXT_DAY_09_30 = datetime.datetime(2026, 3, 16, 9, 30)
EarlierAnswer = triage.EarlierAnswer
STORED = int(IntakeFlag._meta.get_field("reason").max_length or 0)  # what a stored flag keeps of its reason (200)
OTHER_CAUSES = [c.code for c in QUESTIONS["onset_cause"].choices if c.code != "fall_impact"]


def staff_words(code: str, value: str) -> str:
    """An answer as the staff page shows it (the answer list and the table of red-flag answers)."""
    return human_value(QUESTIONS[code], value)


@pytest.mark.parametrize("cause", OTHER_CAUSES)
def test_a_latched_fall_reads_as_the_staff_page_words_the_answers(cause: str) -> None:
    earlier = {"onset_cause": EarlierAnswer("fall_impact", AT_10_02, AT_10_05)}
    reason = reasons(assess(answers_with(onset_cause=cause), earlier=earlier))["SP7"]
    assert reason.endswith(
        f" (cause of the pain answered “{staff_words('onset_cause', 'fall_impact')}” at 10:02,"
        f" changed to “{staff_words('onset_cause', cause)}” at 10:05)"
    )
    assert "onset_cause" not in reason
    assert "fall_impact" not in reason
    assert cause not in reason.replace(staff_words("onset_cause", cause), "")


def test_the_fall_reads_as_its_label_in_the_questionnaire() -> None:
    earlier = {"onset_cause": EarlierAnswer("fall_impact", AT_10_02, AT_10_05)}
    reason = reasons(assess(answers_with(onset_cause="lifting_bending"), earlier=earlier))["SP7"]
    assert "“A fall, crash or blow”" in reason
    assert "“Lifting or bending”" in reason


def test_every_red_flag_choice_has_staff_words_for_its_question_and_is_a_choice_of_it() -> None:
    assert set(triage.RED_FLAG_CHOICES) <= set(triage.LATCHED_QUESTION_NAMES)
    for code, choices in triage.RED_FLAG_CHOICES.items():
        assert choices <= set(QUESTIONS[code].choice_codes)  # else the reason would show the bare code


def test_a_latched_fall_beside_other_latched_answers_is_worded_too() -> None:
    earlier = {
        "onset_cause": EarlierAnswer("fall_impact", AT_10_02),
        "osteoporosis": EarlierAnswer("yes", AT_10_02, AT_10_05),
    }
    result = assess(answers_with("onset_cause", osteoporosis="no"), earlier=earlier)
    assert reasons(result)["SP7"].endswith(
        " (cause of the pain: “A fall, crash or blow” 10:02, blank; osteoporosis: yes 10:02, no 10:05)"
    )


def test_sp7_with_all_four_answers_latched_on_another_day_names_each_and_points_to_the_table() -> None:
    """The longest case: each note in full would run past 200 characters and be cut mid-word where it is stored."""
    earlier = {
        code: EarlierAnswer("not_sure", AT_10_02, NEXT_DAY_09_30)
        for code in ("trauma_onset", "osteoporosis", "long_term_steroids")
    }
    earlier["onset_cause"] = EarlierAnswer("fall_impact", AT_10_02, NEXT_DAY_09_30)
    no = dict.fromkeys(("trauma_onset", "osteoporosis", "long_term_steroids"), "no")
    result = assess(answers_with(onset_cause="no_clear_cause", **no), earlier=earlier)
    reason = reasons(result)["SP7"]
    assert reason == (
        "Fall, crash or blow; or osteoporosis or long-term steroids: possible fracture (earlier red-flag answers to"
        " fall, crash or blow, cause of the pain, osteoporosis, steroid pills; see Red-flag answers)"
    )
    assert len(reason) <= STORED


def _longest_latch(code: str) -> tuple[EarlierAnswer, str]:
    """The longest note a latched answer to ``code`` makes: on another day, changed to its longest other answer."""
    if code in triage.RED_FLAG_CHOICES:
        first = max(triage.RED_FLAG_CHOICES[code], key=lambda c: len(staff_words(code, c)))
        now = max(OTHER_CAUSES, key=lambda c: len(staff_words(code, c))) if code == "onset_cause" else ""
        return EarlierAnswer(first, AT_10_02, NEXT_DAY_09_30), now
    # A leg answer latched when the cancer history came reads "before" its time (longer than "at").
    given_before = code in triage.MSCC_LEG_QUESTIONS
    return EarlierAnswer("not_sure", AT_10_02, NEXT_DAY_09_30, given_before=given_before), "no"


@pytest.mark.parametrize("rule", [rule for rule in triage.RULES if rule.latch], ids=lambda rule: rule.code)
def test_every_latched_rule_with_all_its_answers_latched_fits_a_stored_flag(rule: triage.Rule) -> None:
    latches = {code: _longest_latch(code) for code in rule.questions}
    earlier = {code: latch for code, (latch, _) in latches.items()}
    answers = answers_with(**{code: now for code, (_, now) in latches.items()})
    blank = {code: value for code, value in answers_with().items() if code not in rule.questions}
    for result in (assess(answers, earlier=earlier), assess(blank, earlier=earlier)):
        reason = reasons(result)[rule.code]
        assert len(reason) <= STORED
        assert reason.startswith(rule.reason + " (")


def test_the_engine_writes_no_more_than_a_stored_flag_keeps() -> None:
    assert triage.REASON_MAX_LENGTH == STORED == 200


def test_latched_answers_beside_others_are_named_in_words() -> None:
    """Several latched answers behind one flag each name their question in words, not field codes."""
    earlier = {
        "trauma_onset": EarlierAnswer("yes", AT_10_02, AT_10_05),
        "long_term_steroids": EarlierAnswer("not_sure", AT_10_02, AT_10_05),
    }
    result = assess(answers_with(trauma_onset="no", long_term_steroids="no"), earlier=earlier)
    assert reasons(result)["SP7"].endswith(
        " (fall, crash or blow: yes 10:02, no 10:05; steroid pills: unsure 10:02, no 10:05)"
    )
    earlier = {
        "hands_clumsy": EarlierAnswer("yes", AT_10_02, AT_10_05),
        "balance_worse": EarlierAnswer("yes", AT_10_02, AT_10_05),
    }
    result = assess(answers_with(hands_clumsy="no", balance_worse="no"), earlier=earlier)
    assert reasons(result)["CM1"].endswith(
        " (clumsy or numb hands: yes 10:02, no 10:05; balance or walking worse: yes 10:02, no 10:05)"
    )


def test_one_latched_answer_of_a_flag_with_several_questions_says_which_question() -> None:
    earlier = {"osteoporosis": EarlierAnswer("yes", AT_10_02, AT_10_05)}
    result = assess(answers_with(osteoporosis="no"), earlier=earlier)
    assert reasons(result)["SP7"].endswith(" (osteoporosis answered yes at 10:02, changed to no at 10:05)")


def test_one_latched_answer_of_a_flag_with_one_question_needs_no_name() -> None:
    earlier = {"ce_saddle_numbness": EarlierAnswer("yes", AT_10_02, AT_10_05)}
    result = assess(answers_with(ce_saddle_numbness="no"), earlier=earlier)
    assert reasons(result)["CE1"].endswith(" (answered yes at 10:02, changed to no at 10:05)")


def test_every_question_of_a_flag_with_several_latched_questions_has_words_for_reasons() -> None:
    several = {code for rule in triage.RULES if rule.latch and len(rule.questions) > 1 for code in rule.questions}
    named_always = set(triage.RED_FLAG_CHOICES) | triage.MSCC_LEG_QUESTIONS  # a choice; a leg answer beside cancer
    assert several | named_always == set(triage.LATCHED_QUESTION_NAMES)


def test_a_leg_answer_stored_before_the_cancer_history_reads_as_given_before_its_latch() -> None:
    """Latched when the cancer "yes" came (10:02), the numbness was ticked earlier: its time is unknown."""
    earlier = {
        "cancer_history": EarlierAnswer("yes", AT_10_02),
        "leg_numbness_tingling": EarlierAnswer("yes", AT_10_02, AT_10_05, given_before=True),
    }
    result = assess(answers_with(cancer_history="yes", leg_symptoms="yes", leg_numbness_tingling="no"), earlier=earlier)
    assert reasons(result)["SC3"].endswith(
        " (leg numbness or tingling answered yes before 10:02, changed to no at 10:05)"
    )
    earlier["leg_numbness_tingling"] = EarlierAnswer("yes", AT_10_02, AT_10_05)  # posted beside the cancer history
    result = assess(answers_with(cancer_history="yes", leg_symptoms="yes", leg_numbness_tingling="no"), earlier=earlier)
    assert reasons(result)["SC3"].endswith(" (leg numbness or tingling answered yes at 10:02, changed to no at 10:05)")
