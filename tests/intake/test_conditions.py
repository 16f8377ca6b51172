"""The show/hide rules given to intake.js agree with the questionnaire's own rules on every answer combination."""

from __future__ import annotations

import datetime
import itertools

import pytest

from intake.rules import conditions
from intake.rules import questionnaire as q

CONDITIONAL = [question for question in q.QUESTIONS.values() if question.applies is not None]


def test_every_conditional_question_has_a_browser_rule_and_a_no_script_note():
    for question in CONDITIONAL:
        found = conditions.rule_for(question)
        assert found is not None
        rule, note = found
        assert rule
        assert note.startswith(("Answer this only", "Skip this"))


@pytest.mark.parametrize("question", CONDITIONAL, ids=lambda question: question.code)
def test_the_browser_rule_matches_the_server_rule(question):
    found = conditions.rule_for(question)
    assert found is not None
    rule = found[0]
    ce_values = [None, "yes", "no", "not_sure"]
    samples: list[dict[str, object]] = []
    for ce in ce_values:
        for other in ("no", "not_sure"):
            samples.append({"ce_saddle_numbness": ce, "ce_sexual_change": other, "ce_bowel_control": "no"})
    for legs, weak in itertools.product([None, "yes", "no"], [None, "yes", "no"]):
        samples.append({"leg_symptoms": legs, "leg_weakness": weak})
    for status, changes in itertools.product(
        [None, "running", "cut_back", "stopped", "not_a_runner"], [[], ["none"], ["hills"], ["none", "speed"]]
    ):
        samples.append({"running_status": status, "training_changes": changes})
    for cause in (None, "other", "running"):
        samples.append({"onset_cause": cause})
    for answers in samples:
        answers = {code: value for code, value in answers.items() if value is not None}
        assert conditions.evaluate(rule, answers) == question.applies_to(answers), answers


TODAY = datetime.date(2026, 3, 15)
IBP_QUESTIONS = [question for question in CONDITIONAL if question.code in q.IBP_QUESTION_CODES]


def test_every_ibp_question_uses_the_dated_rule() -> None:
    assert [question.code for question in IBP_QUESTIONS] == list(q.IBP_QUESTION_CODES)
    for question in IBP_QUESTIONS:
        found = conditions.rule_for(question, {"date_of_birth": datetime.date(1990, 1, 1)}, today=TODAY)
        assert found is not None
        rule, note = found
        assert rule == {"field": "pain_start_date", "date_before": "2025-12-15"}
        assert note == "Answer this only if your back pain started more than 3 months ago, before you turned 45."


@pytest.mark.parametrize(
    ("born", "cutoff"),
    [
        (datetime.date(1990, 1, 1), "2025-12-15"),  # 3 months before TODAY comes first
        (datetime.date(1981, 6, 1), "2025-12-15"),
        (datetime.date(1980, 6, 1), "2025-06-01"),  # 45 on 1 June 2025
        (datetime.date(1972, 2, 29), "2017-03-01"),  # a 29 February birthday in a common year
        ("1980-06-01", "2025-06-01"),  # ISO, as answers read back from JSON
        (None, "2025-12-15"),  # no date of birth: the 3-month cut-off alone
    ],
)
def test_the_dated_rule_is_one_cutoff_date(born: object, cutoff: str) -> None:
    answers = {} if born is None else {"date_of_birth": born}
    assert conditions.inflammatory_rule(answers, TODAY) == {"field": "pain_start_date", "date_before": cutoff}


@pytest.mark.parametrize("question", IBP_QUESTIONS[:1], ids=lambda question: question.code)
def test_the_dated_browser_rule_matches_the_server_rule(question) -> None:
    births = [
        datetime.date(1972, 2, 29),
        datetime.date(1980, 6, 1),
        datetime.date(1980, 6, 2),
        datetime.date(2000, 1, 1),
    ]
    starts = [
        None,
        datetime.date(2017, 2, 28),
        datetime.date(2017, 3, 1),
        datetime.date(2025, 5, 31),
        datetime.date(2025, 6, 1),
        datetime.date(2025, 12, 14),
        datetime.date(2025, 12, 15),
        datetime.date(2026, 3, 1),
    ]
    for born, started in itertools.product(births, starts):
        answers: dict[str, object] = {"date_of_birth": born}
        if started is not None:
            answers["pain_start_date"] = started
        found = conditions.rule_for(question, answers, today=TODAY)
        assert found is not None
        assert conditions.evaluate(found[0], answers) == question.applies_to(answers, today=TODAY), answers
        posted = {**answers, "pain_start_date": started.isoformat() if started else ""}  # what the browser sees
        assert conditions.evaluate(found[0], posted) == question.applies_to(answers, today=TODAY), posted


def test_without_answers_the_dated_rule_uses_the_3_month_cutoff_of_the_day() -> None:
    with q.on_day(TODAY):
        found = conditions.rule_for(IBP_QUESTIONS[0])
    assert found is not None
    assert found[0] == {"field": "pain_start_date", "date_before": "2025-12-15"}
