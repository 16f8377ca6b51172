"""Turning a stored intake into what a clinician reads: pure functions over the answers (no database).

The queue's rows are prepared in dashboard.queue_rows.

Answers come back from the JSON column as JSON types: dates as ISO strings and decimals as strings (DjangoJSONEncoder),
so numbers are read leniently here.

Measurements (height, weight, running and walking distances) are stored in metric but read in the clinic's units
(``CLINIC_UNITS``), always with their unit and rounded as the patient's own review page shows them
(``intake.rules.units.describe``): a US patient's "10" miles a week is "10 miles", never "16.09". ``distance_unit``
names the stored unit of the distances; the patient was never asked it, so it is not listed as an answer.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from intake.models import ReviewNote
from intake.patient_fields import clinic_units
from intake.rules import units
from intake.rules.questionnaire import QUESTIONS, STEPS, Question, Step, age_in_years, as_codes, questions_that_apply
from intake.rules.questionnaire_checks import NOT_ANSWERED, format_number, human_value
from intake.rules.triage import (
    CE_RULE_CODES,
    FLAGS_BY_CODE,
    RED_FLAG_CHOICES,
    RED_FLAG_QUESTIONS,
    RULES,
    is_red_flag_answer,
    takes_back,
)

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


def ce_onset_text(answers: Mapping[str, object], flag_codes: Iterable[str]) -> str:
    """When the cauda equina change began (``ce_onset``, as the patient read it), for beside the flags while a CE flag
    stands (docs/clinical/TRIAGE.md); "" otherwise. Said here, not only in the answer list: a sign taken back but
    latched keeps its flag, while its onset, a question no longer asked, is left out of that list (the page pointed
    to "the safety answers below", where it was not)."""
    onset = answers.get("ce_onset")
    if not isinstance(onset, str) or onset not in QUESTIONS["ce_onset"].choice_codes:
        return ""
    return QUESTIONS["ce_onset"].choice_label(onset) if CE_RULE_CODES & set(flag_codes) else ""


# --- Flags ----------------------------------------------------------------------------------------------------------


def flag_style(code: str) -> str:
    """The CSS name of a flag chip: the flag's group in the current rules (urgent, serious, weak, sciatica,
    informational), so a new flag is styled by what it is, not by its letters; "other" for a code no longer known."""
    flag = FLAGS_BY_CODE.get(code)
    return flag.group if flag else "other"


# --- Review outcomes -------------------------------------------------------------------------------------------------

# Column headings of the outcome report: the choice labels are sentences, too long for a table header.
OUTCOME_SHORT: Mapping[str, str] = {
    ReviewNote.Outcome.EMERGENCY_CARE: "Emergency care",
    ReviewNote.Outcome.URGENT_IMAGING_OR_SPECIALIST: "Urgent imaging or specialist",
    ReviewNote.Outcome.SAME_DAY_CALL_ADVICE: "Same-day call and advice",
    ReviewNote.Outcome.ROUTINE_APPOINTMENT: "Routine appointment",
    ReviewNote.Outcome.COULD_NOT_REACH: "Could not reach",
    ReviewNote.Outcome.OTHER: "Other",
}
_HINT = re.compile(r"\s*\([^)]*\)$")


def outcome_text(code: str) -> str:
    """An outcome as the notes list shows it: the choice's label without its hint in brackets."""
    if not code:
        return ""
    label = str(ReviewNote.Outcome(code).label) if code in ReviewNote.Outcome.values else code
    return _HINT.sub("", label)


# --- Red-flag answers ------------------------------------------------------------------------------------------------


class LatchedAnswer(Protocol):
    """What a `RedFlagAnswer` row gives the page (a protocol, so these functions stay free of the database)."""

    code: str
    value: str
    answered_at: datetime.datetime
    given_before: bool  # given before `answered_at` (stored, latched later: a leg answer when cancer history came)
    changed_to_no_at: datetime.datetime | None
    cleared_at: datetime.datetime | None
    cleared_by: Any


# Which flags a question can raise (CE1 for the saddle question; SP7 for osteoporosis), for the staff to match them.
FLAGS_BY_QUESTION: Mapping[str, tuple[str, ...]] = {
    question: tuple(rule.code for rule in RULES if question in rule.questions)
    for question in {code for rule in RULES for code in rule.questions}
}


@dataclass(frozen=True)
class RedFlagAnswerRow:
    code: str
    question: str
    first_answer: str  # as first given: "Yes" or "Not sure" (a red-flag choice's label: "A fall, crash or blow")
    answered_at: datetime.datetime
    given_before: bool  # the page says "before" `answered_at`, not the time itself (`LatchedAnswer.given_before`)
    changed_to_no_at: datetime.datetime | None  # when it was changed to "no" (to the other choice it has now)
    changed_to: str  # what it was changed to: "No", or the choice's label ("Lifting or bending")
    current_answer: str  # what the stored answers say now
    cleared_at: datetime.datetime | None
    cleared_by: Any

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return FLAGS_BY_QUESTION.get(self.code, ())

    @property
    def is_open(self) -> bool:
        """Still counted by the triage rules: only a clinician's review with an outcome clears it."""
        return self.cleared_at is None


def _answer_label(code: str, value: object) -> str:
    question = QUESTIONS.get(code)
    return human_value(question, value) if question else str(value or NOT_ANSWERED)


def _changed_to(code: str, answers: Mapping[str, object]) -> str:
    """What a latched answer was changed to: the answer now when it takes the red-flag one back; else "No" for a
    yes/no question (a "no" the question no longer asked dropped), "Not answered" for a choice."""
    current = answers.get(code)
    if takes_back(code, current):
        return _answer_label(code, current)
    question = QUESTIONS.get(code)
    is_choice = code in RED_FLAG_CHOICES or (question is not None and question.kind == "choice")  # a leg answer too
    return NOT_ANSWERED if is_choice else _answer_label(code, "no")


def red_flag_answer_rows(rows: Iterable[LatchedAnswer], answers: Mapping[str, object]) -> list[RedFlagAnswerRow]:
    """Each red-flag answer given (yes, not sure, or a red-flag choice), with both answers when it was changed to "no"
    (another choice) later."""
    return [
        RedFlagAnswerRow(
            code=row.code,
            question=QUESTIONS[row.code].label if row.code in QUESTIONS else row.code,
            first_answer=_answer_label(row.code, row.value),
            answered_at=row.answered_at,
            given_before=row.given_before,
            changed_to_no_at=row.changed_to_no_at,
            changed_to=_changed_to(row.code, answers),
            current_answer=_answer_label(row.code, answers.get(row.code)),
            cleared_at=row.cleared_at,
            cleared_by=row.cleared_by,
        )
        for row in rows
    ]


# --- Answers ---------------------------------------------------------------------------------------------------------

# Stored with the distances, never asked of the patient: not listed as an answer (the distances read in its unit).
NOT_LISTED = frozenset({"distance_unit"})


def measure_text(measure: units.Measure, value: object, answers: Mapping[str, object], system: units.System) -> str:
    """A stored measurement in the clinic's units with its unit ("10 miles", "5 ft 10 in", "72.6 kg"), rounded as the
    patient's review page rounds it; NOT_ANSWERED when it is not a number. Distances are read in the unit
    ``distance_unit`` names (kilometers; miles for intakes answered in miles before 2027)."""
    number = as_number(value)
    if number is None:
        return NOT_ANSWERED
    unit = answers.get("distance_unit") if measure == "distance" else None
    return str(units.describe(measure, system, number, stored_unit=unit if isinstance(unit, str) else None))


def answer_text(question: Question, answers: Mapping[str, object], system: units.System) -> str:
    """A stored answer as staff read it: a measurement in the clinic's units, anything else as ``human_value``."""
    value = answers.get(question.code)
    if question.measure is not None and as_number(value) is not None:
        return measure_text(question.measure, value, answers, system)
    return human_value(question, value)


@dataclass(frozen=True)
class AnswerRow:
    code: str
    label: str
    value: str
    # A red-flag question answered other than "no", or a red-flag choice (the fall): shown so the eye finds it.
    concern: bool = False
    # A red-flag answer first given as yes or not sure, then changed: what was said first, and when.
    first_answer: str = ""
    first_answered_at: datetime.datetime | None = None
    first_given_before: bool = False  # given before `first_answered_at`, not at it (`LatchedAnswer.given_before`)


@dataclass(frozen=True)
class AnswerSection:
    title: str
    rows: list[AnswerRow]


def answer_sections(
    answers: Mapping[str, object],
    latched: Iterable[LatchedAnswer] = (),
    *,
    today: datetime.date | None = None,
    steps: Iterable[Step] = STEPS,
    system: units.System | None = None,
) -> list[AnswerSection]:
    """Every step's asked questions in questionnaire order, labelled as the patient saw them.

    `latched`: the intake's red-flag answers; an answer changed to "no" (another choice) since shows what was said
    first, and stays marked as a concern until a clinician's review clears it. `today`: the day the "asked when"
    rules are judged on (the day the intake was sent). `steps`: the form's (a follow-up's are its own,
    intake.rules.catalogue). `system`: the units measurements read in; the clinic's (``CLINIC_UNITS``) when None.
    """
    system = system or clinic_units()
    earlier = {
        row.code: row
        for row in latched
        if row.changed_to_no_at is not None or takes_back(row.code, answers.get(row.code))
    }
    sections = []
    for step in steps:
        rows = []
        for q in questions_that_apply(step, answers, today=today):
            if q.code not in answers or q.code in NOT_LISTED:
                continue
            first = earlier.get(q.code)
            rows.append(
                AnswerRow(
                    q.code,
                    q.label,
                    answer_text(q, answers, system),
                    (q.code in RED_FLAG_QUESTIONS and answers.get(q.code) != "no")
                    or (q.code in RED_FLAG_CHOICES and is_red_flag_answer(q.code, answers.get(q.code)))
                    or (first is not None and first.cleared_at is None),
                    _answer_label(q.code, first.value) if first else "",
                    first.answered_at if first else None,
                    first is not None and first.given_before,
                )
            )
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


def _weekly(value: Decimal | None, answers: Mapping[str, object], system: units.System) -> str:
    """A weekly distance as the summary reads it: 10 miles a week in a US clinic, 16.1 km a week in a metric one."""
    return f"{measure_text('distance', value, answers, system)} a week" if value is not None else NOT_ANSWERED


def running_summary(answers: Mapping[str, object], *, system: units.System | None = None) -> RunningSummary | None:
    """Weekly distance (in the clinic's units, or ``system``'s) and its recent change, shoes, surfaces and strength
    work; None for a non-runner."""
    status = answers.get("running_status")
    if status in (None, "not_a_runner"):
        return None
    system = system or clinic_units()
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
        weekly_distance=_weekly(now, answers, system),
        distance_before=_weekly(before, answers, system) if changes else "",
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


# --- The review outcomes report --------------------------------------------------------------------------------------


class OutcomeCounts(Protocol):
    @property
    def rules_version(self) -> str: ...

    @property
    def code(self) -> str: ...

    @property
    def reviewed(self) -> int: ...

    def count(self, outcome: str) -> int: ...


@dataclass(frozen=True)
class ReportRow:
    code: str  # "" for the row of every reviewed intake
    short: str
    style: str
    reviewed: int
    outcomes: list[int]  # in OUTCOME_COLUMNS order


@dataclass(frozen=True)
class ReportVersion:
    rules_version: str
    everyone: ReportRow
    flags: list[ReportRow]


OUTCOME_COLUMNS: tuple[str, ...] = tuple(ReviewNote.Outcome.values)


def outcome_report(counts: Iterable[OutcomeCounts]) -> list[ReportVersion]:
    """The selector's counts as tables, one per rules version, in the order they come (newest version first)."""
    versions: dict[str, ReportVersion] = {}
    for row in counts:
        flag = FLAGS_BY_CODE.get(row.code)
        line = ReportRow(
            code=row.code,
            short=flag.short if flag else ("All reviewed intakes" if not row.code else row.code),
            style=flag_style(row.code),
            reviewed=row.reviewed,
            outcomes=[row.count(outcome) for outcome in OUTCOME_COLUMNS],
        )
        version = versions.get(row.rules_version)
        if version is None:
            empty = ReportRow("", "All reviewed intakes", "other", 0, [0] * len(OUTCOME_COLUMNS))
            version = versions[row.rules_version] = ReportVersion(row.rules_version, empty, [])
        if row.code:
            version.flags.append(line)
        else:
            versions[row.rules_version] = ReportVersion(row.rules_version, line, version.flags)
    return list(versions.values())
