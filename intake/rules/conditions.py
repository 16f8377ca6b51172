"""When conditional questions show, written out for intake.js (the server's rules stay in intake.questionnaire).

Each visibility predicate of the questionnaire has a matching rule here that the browser can evaluate on the form's
current inputs, plus the words shown beside the question when scripts are off and every question is on the page.
tests/intake/test_conditions.py checks every rule against its predicate on many answer sets.

Rule forms: {"field": code, "in": [...]} (some chosen value is in the list), {"field": code, "not_in": [...]} (no
chosen value is in the list; true when nothing is chosen), {"field": code, "any_except": [...]} (some chosen value
is outside the list), {"any": [rules]}, {"all": [rules]}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake.rules import questionnaire as q

YES = ["yes", "not_sure"]
_LEGS = {"field": "leg_symptoms", "in": YES}
_RUNNER = {"field": "running_status", "not_in": [q.NOT_A_RUNNER]}

RULES: dict[Any, tuple[dict[str, Any], str]] = {
    q.any_ce_concern: (
        {"any": [{"field": code, "in": YES} for code in q.CE_QUESTION_CODES]},
        "Answer this only if you chose “Yes” or “Not sure” above.",
    ),
    q.onset_is_other: ({"field": "onset_cause", "in": ["other"]}, "Answer this only if you chose “Something else”."),
    q.has_leg_symptoms: (_LEGS, "Answer this only if you have pain, numbness or tingling in a leg."),
    q.has_leg_weakness: (
        {"all": [_LEGS, {"field": "leg_weakness", "in": YES}]},
        "Answer this only if your leg or foot feels weak.",
    ),
    q.is_runner: (_RUNNER, "Skip this if you don't run."),
    q.changed_training: (
        {"all": [_RUNNER, {"field": "training_changes", "any_except": [q.NONE_CODE]}]},
        "Answer this only if you changed your training.",
    ),
}


def rule_for(question: q.Question) -> tuple[dict[str, Any], str] | None:
    if question.applies is None:
        return None
    return RULES[question.applies]


def _chosen(answers: Mapping[str, object], code: str) -> list[str]:
    value = answers.get(code)
    if isinstance(value, str):
        return [value]
    return list(q.as_codes(value))


def evaluate(rule: Mapping[str, Any], answers: Mapping[str, object]) -> bool:
    """What intake.js computes, in Python, so tests can compare it with the questionnaire's predicates."""
    if "any" in rule:
        return any(evaluate(part, answers) for part in rule["any"])
    if "all" in rule:
        return all(evaluate(part, answers) for part in rule["all"])
    chosen = _chosen(answers, rule["field"])
    if "in" in rule:
        return any(value in rule["in"] for value in chosen)
    if "not_in" in rule:
        return not any(value in rule["not_in"] for value in chosen)
    return any(value not in rule["any_except"] for value in chosen)
