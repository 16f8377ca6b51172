"""Turning a stored intake into what a clinician reads: pure functions over the answers (no database).

Answers come back from the JSON column as JSON types: dates as ISO strings and decimals as strings (DjangoJSONEncoder),
so numbers are read leniently here.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from intake.rules.questionnaire import QUESTIONS, STEPS, age_in_years, as_codes, questions_that_apply
from intake.rules.questionnaire_checks import NOT_ANSWERED, UNIT_WORDS, format_number, human_value
from intake.rules.triage import RED_FLAG_QUESTIONS

PAIN_SCORES = ("pain_now", "pain_week_avg", "pain_interference")


def as_number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def age_on(born: datetime.date | None, today: datetime.date) -> int | None:
    return age_in_years(born, today) if born else None


@dataclass(frozen=True)
class AnswerRow:
    code: str
    label: str
    value: str
    concern: bool = False  # a red-flag question answered other than "no": shown so the eye finds it


@dataclass(frozen=True)
class AnswerSection:
    title: str
    rows: list[AnswerRow]


def answer_sections(answers: Mapping[str, object]) -> list[AnswerSection]:
    """Every step's asked questions in questionnaire order, labelled as the patient saw them."""
    sections = []
    for step in STEPS:
        rows = [
            AnswerRow(
                q.code,
                q.label,
                human_value(q, answers.get(q.code)),
                q.code in RED_FLAG_QUESTIONS and answers.get(q.code) != "no",
            )
            for q in questions_that_apply(step, answers)
            if q.code in answers
        ]
        if rows:
            sections.append(AnswerSection(step.title, rows))
    return sections


@dataclass(frozen=True)
class PainScore:
    label: str
    score: int | None

    @property
    def percent(self) -> int:
        return (self.score or 0) * 10


PAIN_LABELS = {"pain_now": "Pain now", "pain_week_avg": "Average this week", "pain_interference": "Gets in the way"}


def pain_scores(answers: Mapping[str, object]) -> list[PainScore]:
    scores = []
    for code in PAIN_SCORES:
        number = as_number(answers.get(code))
        scores.append(PainScore(PAIN_LABELS[code], int(number) if number is not None else None))
    return scores


@dataclass(frozen=True)
class RunningSummary:
    status: str
    runs_per_week: str
    weekly_distance: str
    distance_before: str
    change_percent: int | None
    training_changes: str
    shoes: str
    surfaces: str
    strength: str

    @property
    def change_text(self) -> str:
        if self.change_percent is None:
            return "No change reported"
        return f"{self.change_percent:+d}%"

    @property
    def big_jump(self) -> bool:
        return self.change_percent is not None and self.change_percent > 30


def _distance(value: object, unit: str) -> str:
    number = as_number(value)
    return f"{format_number(number)} {unit} a week" if number is not None else NOT_ANSWERED


def running_summary(answers: Mapping[str, object]) -> RunningSummary | None:
    """Weekly distance and its recent change, shoes, surfaces and strength work; None for a non-runner."""
    status = answers.get("running_status")
    if status in (None, "not_a_runner"):
        return None
    unit = UNIT_WORDS.get(str(answers.get("distance_unit")), "km")
    now, before = as_number(answers.get("weekly_distance")), as_number(answers.get("weekly_distance_before"))
    changes = [c for c in as_codes(answers.get("training_changes")) if c != "none"]
    change = None
    if changes and now is not None and before is not None and before > 0:
        change = int(((now - before) / before * 100).to_integral_value())
    shoes = []
    shoe_type = answers.get("running_shoes")
    if shoe_type in ("yes", "no"):
        shoes.append("Running shoes" if shoe_type == "yes" else "Not running shoes")
    age = as_number(answers.get("shoe_age_months"))
    if age is not None:
        shoes.append(f"{format_number(age)} months old")
    if answers.get("minimalist_change") == "yes":
        shoes.append("recently switched to minimalist")
    strength = as_number(answers.get("strength_sessions_per_week"))
    return RunningSummary(
        status=human_value(QUESTIONS["running_status"], status),
        runs_per_week=human_value(QUESTIONS["runs_per_week"], answers.get("runs_per_week")),
        weekly_distance=_distance(now, unit),
        distance_before=_distance(before, unit) if changes else "",
        change_percent=change,
        training_changes=human_value(QUESTIONS["training_changes"], answers.get("training_changes")),
        shoes=", ".join(shoes) or NOT_ANSWERED,
        surfaces=human_value(QUESTIONS["surfaces"], answers.get("surfaces")),
        strength=(
            f"{format_number(strength)} session{'' if strength == 1 else 's'} a week"
            if strength is not None
            else NOT_ANSWERED
        ),
    )
