"""The show/hide rules given to intake.js agree with the questionnaire's own rules on every answer combination."""

from __future__ import annotations

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
