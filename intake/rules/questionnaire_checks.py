"""Checking intake answers and showing them to staff, built on the catalogue in ``intake.rules.questionnaire``.

Why a separate pure module: the forms turn text into typed values and then ask this module whether the values make
sense, including the cross-field rules of docs/clinical/INTAKE.md ("Validation") that a single form field cannot see,
such as a
pain start date before the date of birth or a weekly distance over the cap of the chosen unit. Keeping the rules
here, with the messages as constants, lets the tests import the exact words the patient sees and keeps Django out.

Public API
----------
- ``validate_answers(step_slug, answers, *, today) -> dict[str, str]``: field code -> message, only for questions
  that are asked given ``answers`` (the whole intake so far, so ``date_of_birth`` is there for later steps) on
  ``today``: the "asked when" rules that depend on the date (the inflammatory back pain block of
  docs/clinical/INTAKE.md 2027.1) are judged on that same day (``questionnaire.on_day``).
- ``validate_page(page_slug, answers, *, today, form=None)``: the same for one page of the patient's form (``form``:
  an ``intake.rules.catalogue.Form``, the intake when None; ``validate_answers`` takes it too);
  ``validate_questions(step_or_page, answers, *, today)`` under both.
- ``check_answer(question, answers, *, today) -> str | None`` for one question.
- The messages, marked for translation (``wording.gettext_noop``); one with values comes back as a
  ``wording.Message`` (equal to its English text): ``MSG_REQUIRED``, ``MSG_CONSENT_REQUIRED``,
  ``MSG_INVALID_CHOICE``, ``MSG_NOT_A_NUMBER``, ``MSG_WHOLE_NUMBER``, ``MSG_NEGATIVE``, ``MSG_TOO_SMALL`` /
  ``MSG_TOO_LARGE`` (``{minimum}`` / ``{maximum}``), ``MSG_DISTANCE_TOO_LARGE`` (``{maximum}``, ``{unit}``),
  ``MSG_NOT_A_DATE``, ``MSG_FUTURE_DATE`` and ``MSG_BEFORE_BIRTH`` (``{name}``: the question's ``date_name``, GOV.UK
  style, ``date_message``), ``MSG_AGE_OUT_OF_RANGE``, ``MSG_NONE_WITH_OTHERS``, ``MSG_NOT_TEXT``, ``MSG_TOO_LONG``
  (``{maximum}``), ``MSG_RATE_ACTIVITY`` / ``MSG_NAME_ACTIVITY`` (a PSFS rating without its activity, or the
  reverse). Bounds in messages read with their thousands grouped ("2,000 characters": ``units.grouped``);
  ``format_number`` renders a stored number for staff.
- ``human_value(question, value) -> str`` and ``human_answers(answers)`` for staff screens (in English; a stored
  height, weight or walking distance with its metric unit; a date as ``staff_date`` writes it, "Mar 27, 1985", the
  staff pages' "M j, Y"); ``NOT_ANSWERED``.

Decisions: values arrive typed (int, float, Decimal, date, list of codes, str, bool for consent); a value of the
wrong type gets a plain message, never an exception. Text is measured after trimming, as it will be stored. A blank
text (only spaces) counts as missing. Negative numbers get ``MSG_NEGATIVE`` before any other bound.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from intake.rules.phone_numbers import is_callable, shown
from intake.rules.questionnaire import (
    NONE_CODE,
    PSFS_PAIRS,
    Answers,
    Page,
    Question,
    Step,
    age_in_years,
    as_date,
    date_or_iso,
    max_stored_distance,
    number_value,
    page_by_slug,
    questions_that_apply,
    step_by_slug,
)
from intake.rules.units import grouped
from intake.rules.wording import Message, gettext_noop

if TYPE_CHECKING:
    from intake.rules.catalogue import Form

MSG_REQUIRED = gettext_noop("Please answer this question.")
MSG_CONSENT_REQUIRED = gettext_noop("Please check the box to agree before you go on.")
MSG_INVALID_CHOICE = gettext_noop("Please pick one of the answers shown.")
MSG_NOT_A_NUMBER = gettext_noop("Please enter a number.")
MSG_WHOLE_NUMBER = gettext_noop("Please enter a whole number, like 3.")
MSG_NEGATIVE = gettext_noop("Please enter 0 or more.")
MSG_TOO_SMALL = gettext_noop("Please enter {minimum} or more.")
MSG_TOO_LARGE = gettext_noop("Please enter {maximum} or less.")
MSG_DISTANCE_TOO_LARGE = gettext_noop("Please enter {maximum} {unit} or less. Check that you picked the right unit.")
MSG_NOT_A_DATE = gettext_noop("Please enter a date.")
# GOV.UK date messages, named after the date (``Question.date_name``): "The race date must be a real date".
MSG_FUTURE_DATE = gettext_noop("{name} must be today or in the past")
MSG_AGE_OUT_OF_RANGE = gettext_noop("This date gives an age under 12 or over 110. Please check it.")
# The one date that may be in the future (a goal race): not a year typed wrong either way.
MSG_LONG_AGO = gettext_noop("{name} is more than 5 years ago. Please check the year, or leave it blank if it is over.")
MSG_YEARS_AHEAD = gettext_noop("{name} is more than 3 years away. Please check the year.")
MSG_MORE_THAN_AGE = gettext_noop("This is more years than your age. Please check it.")

MSG_BEFORE_BIRTH = gettext_noop("{name} must be on or after your date of birth")
# Named after the question's own "none" answer ("No changes", "None").
MSG_NONE_WITH_OTHERS = gettext_noop(
    "You picked “{none}” and another answer. Please pick “{none}” on its own, or clear it."
)
# The PSFS: a rating needs its activity, and a named activity its rating (questionnaire.PSFS_PAIRS).
MSG_RATE_ACTIVITY = gettext_noop("Please rate how well you can do this activity now.")
MSG_NAME_ACTIVITY = gettext_noop("Please name the activity you rated.")
MSG_NOT_TEXT = gettext_noop("Please type your answer.")
MSG_TOO_LONG = gettext_noop("Please shorten this to {maximum} characters or fewer.")
MSG_NOT_A_PHONE = gettext_noop("Please enter a phone number we can call, with its area code.")
DATE_NAME = gettext_noop("The date")  # a date question without its own name

MIN_AGE, MAX_AGE = 12, 110
DISTANCE_CODES = frozenset({"weekly_distance", "weekly_distance_before", "longest_run"})
EXCLUSIVE_NONE_CODES = frozenset({"training_changes", "cross_training"})
UNIT_WORDS = {"km": gettext_noop("km"), "mi": gettext_noop("miles")}
_COLLECTIONS = (list, tuple, set, frozenset)


def format_number(number: int | Decimal) -> str:
    """400 -> "400", Decimal("2.50") -> "2.5": a stored number as staff read it."""
    return f"{Decimal(number).normalize():f}"


def is_blank(value: object) -> bool:
    """Unanswered: None, False (an unticked box), blank text or an empty collection."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, _COLLECTIONS) and not value


# Far enough back that a race date saved on a page does not fail when the form is sent weeks later (the answers are
# checked again then): it catches a year typed wrong (1900, or 1019 for 2019), not a race run since.
LONGEST_AGO = datetime.timedelta(days=5 * 366)
FURTHEST_AHEAD = datetime.timedelta(days=3 * 366)


def _check_number(question: Question, value: object, answers: Answers, today: datetime.date) -> str | None:
    number = number_value(value)
    if number is None:
        return MSG_NOT_A_NUMBER
    if question.kind in ("integer", "scale") and number != number.to_integral_value():
        return MSG_WHOLE_NUMBER
    if number < 0:
        return MSG_NEGATIVE
    if question.min_value is not None and number < question.min_value:
        return Message(MSG_TOO_SMALL, minimum=grouped(question.min_value))
    if question.code in DISTANCE_CODES:
        unit = answers.get("distance_unit")
        cap = max_stored_distance(unit)
        if number > cap:
            word = UNIT_WORDS.get(unit, "km") if isinstance(unit, str) else "km"
            return Message(MSG_DISTANCE_TOO_LARGE, maximum=grouped(cap), unit=Message(word))
    elif question.max_value is not None and number > question.max_value:
        return Message(MSG_TOO_LARGE, maximum=grouped(question.max_value))
    born = as_date(answers.get("date_of_birth"))
    if question.code == "years_running" and born is not None and number > age_in_years(born, today):
        return MSG_MORE_THAN_AGE
    return None


def _check_date(question: Question, value: object, answers: Answers, today: datetime.date) -> str | None:
    day = as_date(value)
    if day is None:
        return MSG_NOT_A_DATE
    if day > today and not question.future_ok:
        return date_message(MSG_FUTURE_DATE, question)
    if question.future_ok and day < today - LONGEST_AGO:
        return date_message(MSG_LONG_AGO, question)
    if question.future_ok and day > today + FURTHEST_AHEAD:
        return date_message(MSG_YEARS_AHEAD, question)
    if question.code == "date_of_birth" and not MIN_AGE <= age_in_years(day, today) <= MAX_AGE:
        return MSG_AGE_OUT_OF_RANGE
    born = as_date(answers.get("date_of_birth"))
    if question.code == "pain_start_date" and born is not None and day < born:
        return date_message(MSG_BEFORE_BIRTH, question)
    return None


def date_message(template: str, question: Question | None = None, *, name: str = "") -> Message:
    """A date message named after its date: ``name``, else the question's ``date_name``, else "The date"."""
    return Message(template, name=Message(name or (question.date_name if question else "") or DATE_NAME))


def _check_choices(question: Question, value: object) -> str | None:
    if question.kind != "multi":
        return None if isinstance(value, str) and value in question.choice_codes else MSG_INVALID_CHOICE
    if not isinstance(value, _COLLECTIONS):
        return MSG_INVALID_CHOICE
    codes = list(value)
    if any(not isinstance(code, str) or code not in question.choice_codes for code in codes):
        return MSG_INVALID_CHOICE
    if question.code in EXCLUSIVE_NONE_CODES and NONE_CODE in codes and len(set(codes)) > 1:
        return Message(MSG_NONE_WITH_OTHERS, none=Message(question.choice_label(NONE_CODE)))
    return None


def _check_text(question: Question, value: object) -> str | None:
    if not isinstance(value, str):
        return MSG_NOT_TEXT
    if question.max_length is not None and len(value.strip()) > question.max_length:
        return Message(MSG_TOO_LONG, maximum=grouped(question.max_length))
    return None


def check_answer(question: Question, answers: Answers, *, today: datetime.date) -> str | None:
    """The message for one question's answer in ``answers``, or None when it is acceptable."""
    value = answers.get(question.code)
    if question.kind == "consent":
        return MSG_CONSENT_REQUIRED if question.required and value is not True else None
    if is_blank(value):
        return MSG_REQUIRED if question.required else None
    if question.kind in ("yns", "yn", "choice", "multi"):
        return _check_choices(question, value)
    if question.kind in ("integer", "decimal", "scale"):
        return _check_number(question, value, answers, today)
    if question.kind == "date":
        return _check_date(question, value, answers, today)
    if question.kind == "phone":
        return None if is_callable(value) else MSG_NOT_A_PHONE
    return _check_text(question, value)


def validate_questions(group: Step | Page, answers: Answers, *, today: datetime.date) -> dict[str, str]:
    """Field code -> message for every problem among a step's or a page's questions; questions not asked are not
    checked."""
    errors: dict[str, str] = {}
    asked = questions_that_apply(group, answers, today=today)
    for question in asked:
        message = check_answer(question, answers, today=today)
        if message is not None:
            errors[question.code] = message
    codes = {question.code for question in asked}
    for activity, rating in PSFS_PAIRS:
        if activity in codes and rating in codes and activity not in errors and rating not in errors:
            named, rated = not is_blank(answers.get(activity)), not is_blank(answers.get(rating))
            if named and not rated:
                errors[rating] = MSG_RATE_ACTIVITY
            elif rated and not named:
                errors[activity] = MSG_NAME_ACTIVITY
    return errors


def validate_answers(
    step_slug: str, answers: Answers, *, today: datetime.date, form: Form | None = None
) -> dict[str, str]:
    """Field code -> message for every problem on this step (of ``form``, the intake by default); questions that are
    not asked are not checked."""
    step = form.step_by_slug(step_slug) if form is not None else step_by_slug(step_slug)
    return validate_questions(step, answers, today=today)


def validate_page(
    page_slug: str, answers: Answers, *, today: datetime.date, form: Form | None = None
) -> dict[str, str]:
    """The same for one page of the patient's form (``form``, the intake by default)."""
    page = form.page_by_slug(page_slug) if form is not None else page_by_slug(page_slug)
    return validate_questions(page, answers, today=today)


NOT_ANSWERED = "Not answered"
# Staff read stored measurements with their (metric) unit: the labels no longer name one (the patient's page does).
STORED_UNITS = {"height": "cm", "weight": "kg", "walk": "m"}


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def staff_date(day: datetime.date) -> str:
    """A date as every staff page writes one: "Mar 27, 1985" (the ``date`` filter's "M j, Y" in English)."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def human_value(question: Question, value: object) -> str:
    """A stored answer as staff read it: labels for codes (lists joined), Yes/No for consent, numbers, and dates as
    the staff pages write them ("Mar 27, 1985", ``staff_date``), whether typed or an ISO string read back from JSON."""
    if question.kind == "consent":
        return "Yes" if value is True else "No"
    if is_blank(value):
        return NOT_ANSWERED
    if question.kind == "phone":
        return shown(value)
    if question.kind == "date":
        day = date_or_iso(value)
        return staff_date(day) if day is not None else str(value).strip()
    if isinstance(value, str):
        return question.choice_label(value) if question.choices else value.strip()
    if isinstance(value, _COLLECTIONS):
        return ", ".join(question.choice_label(code) if isinstance(code, str) else str(code) for code in value)
    day = as_date(value)
    if day is not None:
        return staff_date(day)
    number = number_value(value)
    if number is None:
        return str(value)
    unit = STORED_UNITS.get(question.measure or "")
    return f"{format_number(number)} {unit}" if unit else format_number(number)


def human_answers(answers: Answers, codes: Iterable[str] | None = None) -> list[tuple[Question, str]]:
    """(question, readable value) for the known codes in ``answers`` (or in ``codes``), in questionnaire order (the
    intake's, then the codes only a follow-up asks)."""
    from intake.rules.catalogue import ALL_QUESTIONS  # the catalogue builds on this module's package, not on it

    wanted = set(answers if codes is None else codes)
    return [
        (question, human_value(question, answers.get(code)))
        for code, question in ALL_QUESTIONS.items()
        if code in wanted
    ]
