"""Answers between their typed form (what the rules read) and their stored JSON form, and the order of the steps.

Pure Python: dates are stored as ISO strings and numbers as JSON numbers (a Decimal would become a string through
DjangoJSONEncoder, and the triage rules would then not see a number at all).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from intake.rules.questionnaire import QUESTIONS, STEP_SLUGS

REVIEW = "review"  # the place after the last step, kept in Intake.current_step


def to_json(answers: Mapping[str, object]) -> dict[str, object]:
    stored: dict[str, object] = {}
    for code, value in answers.items():
        if isinstance(value, datetime.date):
            stored[code] = value.isoformat()
        elif isinstance(value, Decimal):
            stored[code] = int(value) if value == value.to_integral_value() else float(value)
        elif isinstance(value, (tuple, set, frozenset)):
            stored[code] = list(value)
        else:
            stored[code] = value
    return stored


def from_json(stored: Mapping[str, object]) -> dict[str, object]:
    """Stored answers as the rules expect them: ISO strings of date questions back to dates."""
    answers: dict[str, object] = dict(stored)
    for code, value in stored.items():
        question = QUESTIONS.get(code)
        if question is not None and question.kind == "date" and isinstance(value, str):
            try:
                answers[code] = datetime.date.fromisoformat(value)
            except ValueError:
                answers.pop(code)
    return answers


def step_number(slug: str) -> int:
    """1-based position of a step ("Step 3 of 7")."""
    return STEP_SLUGS.index(slug) + 1


def next_place(slug: str) -> str:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else REVIEW


def previous_step(slug: str) -> str | None:
    index = STEP_SLUGS.index(slug)
    return STEP_SLUGS[index - 1] if index > 0 else None


def place_index(place: str) -> int:
    """Order of a step slug or REVIEW; an unknown value counts as the first step."""
    if place == REVIEW:
        return len(STEP_SLUGS)
    return STEP_SLUGS.index(place) if place in STEP_SLUGS else 0


def furthest(a: str, b: str) -> str:
    return a if place_index(a) >= place_index(b) else b
