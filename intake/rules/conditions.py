"""When conditional questions show, written out for intake.js (the server's rules stay in intake.questionnaire).

Each visibility predicate of the questionnaire has a matching rule here that the browser can evaluate on the form's
current inputs, plus the words shown beside the question when scripts are off and every question is on the page.
tests/intake/test_conditions.py checks every rule against its predicate on many answer sets.

Rule forms: {"field": code, "in": [...]} (some chosen value is in the list), {"field": code, "not_in": [...]} (no
chosen value is in the list; true when nothing is chosen), {"field": code, "any_except": [...]} (some chosen value
is outside the list), {"field": code, "date_before": "YYYY-MM-DD"} (the field holds an ISO date earlier than the
given one; ISO strings compare like the dates they name), {"any": [rules]}, {"all": [rules]} (``{"any": []}`` is
never true).

Dated rules (2027.1): the inflammatory back pain block is asked when ``pain_start_date`` is more than 3 months
before today and the patient was under 45 on that date (docs/clinical/INTAKE.md, step 3). ``date_of_birth`` is on an
earlier page and "today" is the server's, so the browser gets the rule with both already applied: one cut-off date,
``pain_start_date`` must be before it. ``rule_for(question, answers, today=...)`` builds it from the answers so far;
without a date of birth the cut-off is the 3-month one alone (the block may show to someone who was 45 or older when
the pain began; the server then ignores those optional answers, as it ignores every answer to a question not asked).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from intake.rules import questionnaire as q
from intake.rules.wording import gettext_noop

YES = ["yes", "not_sure"]
_LEGS = {"field": "leg_symptoms", "in": YES}
_RUNNER = {"field": "running_status", "not_in": [q.NOT_A_RUNNER]}
_IBP_NOTE = gettext_noop("Answer this only if your back pain started more than 3 months ago, before you turned 45.")

RULES: dict[Any, tuple[dict[str, Any], str]] = {
    q.any_ce_concern: (
        {"any": [{"field": code, "in": YES} for code in q.CE_QUESTION_CODES]},
        gettext_noop("Answer this only if you chose “Yes” or “Not sure” above."),
    ),
    q.onset_is_other: (
        {"field": "onset_cause", "in": ["other"]},
        gettext_noop("Answer this only if you chose “Something else”."),
    ),
    q.has_leg_symptoms: (_LEGS, gettext_noop("Answer this only if you have pain, numbness or tingling in a leg.")),
    q.has_leg_weakness: (
        {"all": [_LEGS, {"field": "leg_weakness", "in": YES}]},
        gettext_noop("Answer this only if your leg or foot feels weak."),
    ),
    q.is_runner: (_RUNNER, gettext_noop("Skip this if you don't run.")),
    q.changed_training: (
        {"all": [_RUNNER, {"field": "training_changes", "any_except": [q.NONE_CODE]}]},
        gettext_noop("Answer this only if you changed your training."),
    ),
}


def _birthday(born: datetime.date, age: int) -> datetime.date:
    """The first day on which ``age_in_years(born, day) >= age`` (a 29 February birthday: 1 March in common years)."""
    year = born.year + age
    if year > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return born.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def inflammatory_rule(answers: Mapping[str, object], today: datetime.date) -> dict[str, Any]:
    """The browser rule for the IBP block: ``pain_start_date`` before the earlier of the two cut-off dates."""
    cutoff = q.months_before(today, q.IBP_MIN_MONTHS)
    born = q.date_or_iso(answers.get("date_of_birth"))
    if born is not None:
        cutoff = min(cutoff, _birthday(born, q.IBP_AGE_LIMIT))
    return {"field": "pain_start_date", "date_before": cutoff.isoformat()}


DATED_RULES: dict[Any, tuple[Callable[[Mapping[str, object], datetime.date], dict[str, Any]], str]] = {
    q.asks_inflammatory_questions: (inflammatory_rule, _IBP_NOTE),
}


def rule_for(
    question: q.Question, answers: Mapping[str, object] | None = None, *, today: datetime.date | None = None
) -> tuple[dict[str, Any], str] | None:
    """(browser rule, no-script note) for a conditional question; None when it is always asked.

    ``answers`` (the intake so far) and ``today`` matter only for dated rules; without them the rule uses no date of
    birth and ``questionnaire.current_day()``.
    """
    if question.applies is None:
        return None
    if question.applies in DATED_RULES:
        build, note = DATED_RULES[question.applies]
        return build(answers or {}, today or q.current_day()), note
    return RULES[question.applies]


def _chosen(answers: Mapping[str, object], code: str) -> list[str]:
    value = answers.get(code)
    if isinstance(value, str):
        return [value]
    if isinstance(value, datetime.datetime):
        return [value.date().isoformat()]
    if isinstance(value, datetime.date):
        return [value.isoformat()]
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
    if "date_before" in rule:
        return any(_is_iso_date(value) and value < rule["date_before"] for value in chosen)
    return any(value not in rule["any_except"] for value in chosen)


def _is_iso_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
