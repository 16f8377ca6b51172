"""The patient's form fields that need more than one box or the clinic's units: dates and measurements.

Dates follow the GOV.UK date input: three boxes (day, month, year; month first for a US clinic) and its messages
("Date of birth must include a month", "... must be a real date"). Measurements are typed in the clinic's units
(``CLINIC_UNITS``, intake.rules.units) and come out in metric, as stored. Both also take one value under the
question's own name, as ``intake.forms.as_post_data`` and scripts post it: an ISO date, or the stored metric number.

Every message is marked for translation and translated when it is raised (``say``), in the patient's language.

Public API
----------
- ``clinic_units() -> units.System``; ``date_order() -> tuple[str, str, str]`` (the three parts as shown).
- ``say(message) -> str``: a marked string or a ``wording.Message`` in the active language.
- ``box_name(code, part)``; ``DatePartsField(date_name=..., past_only=False, widget=DatePartsWidget())`` (a date or
  None); ``MeasureField(question, system)`` (int or Decimal in metric, or None); their widgets.
- ``date_parts(value)``: a date as the boxes show it; ``date_problem_parts(raw)``: the boxes an error is about.
- The date messages ``MSG_DATE_*``.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from intake.rules import units
from intake.rules.questionnaire import Question, max_typed_distance_km
from intake.rules.questionnaire_checks import DATE_NAME, MSG_NOT_A_NUMBER, date_message
from intake.rules.wording import Message

PARTS = ("day", "month", "year")
MSG_DATE_MISSING = {
    ("day",): gettext_noop("{name} must include a day"),
    ("month",): gettext_noop("{name} must include a month"),
    ("year",): gettext_noop("{name} must include a year"),
    ("day", "month"): gettext_noop("{name} must include a day and month"),
    ("day", "year"): gettext_noop("{name} must include a day and year"),
    ("month", "year"): gettext_noop("{name} must include a month and year"),
}
MSG_DATE_REAL = gettext_noop("{name} must be a real date")
MSG_DATE_YEAR_DIGITS = gettext_noop("Year must include 4 numbers")
MSG_DATE_TOO_EARLY = gettext_noop("{name} must be in or after 1900")
MSG_DATE_PAST = gettext_noop("{name} must be in the past")
PART_LABELS = {"day": gettext_noop("Day"), "month": gettext_noop("Month"), "year": gettext_noop("Year")}
_ISO_OR_US = ("%Y-%m-%d", "%m/%d/%Y")
_WHOLE = re.compile(r"\d{1,4}")
# Commas as `units.number_text` reads them (thousands groups, else a decimal comma); at most 2 decimals. Any number of
# digits: a long number is a number, and the catalogue's bound says how large it may be ("Please enter 21 or less");
# with at most 9 digits, a 10-digit count was told "Please enter a number."
_NUMBER = re.compile(r"-?\d+(\.\d{1,2})?|-?\.\d{1,2}")


def clinic_units() -> units.System:
    return units.system_or_default(getattr(settings, "CLINIC_UNITS", "us"))


def clinic_phone_region() -> str:
    """The country a phone number typed without "+" is read in (CLINIC_PHONE_REGION, as django-phonenumber-field)."""
    return str(getattr(settings, "PHONENUMBER_DEFAULT_REGION", "US") or "US")


def date_order() -> tuple[str, str, str]:
    """Month first in a US clinic, as US patients write dates; day first elsewhere."""
    return ("month", "day", "year") if clinic_units() == "us" else PARTS


def say(message: str) -> str:
    """A marked string, or a Message with its values, in the active language ("" stays "")."""
    if isinstance(message, Message):
        values = {key: say(value) if isinstance(value, Message) else value for key, value in message.values.items()}
        return gettext(message.template).format(**values)
    return _translated(get_language(), message) if message else ""


@functools.lru_cache(maxsize=4096)
def _translated(language: str | None, message: str) -> str:
    """`message` in `language`, the active one (the key), looked up in Django's catalogues once per language: a page
    translates each of its questions' label, hint and choices, about ten look-ups a question (issue 16)."""
    return gettext(message)


@receiver(setting_changed)
def _catalogues_changed(*, setting: str, **kwargs: object) -> None:
    """Django reads its catalogues again when these settings change (as tests change them): so are the texts above."""
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _translated.cache_clear()


def box_name(code: str, part: str) -> str:
    return f"{code}-{part}" if part else code


# --- Dates ------------------------------------------------------------------------------------------------------


def date_parts(value: object) -> dict[str, str]:
    if isinstance(value, datetime.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    return dict.fromkeys(PARTS, "")


def date_problem_parts(raw: object) -> tuple[str, ...]:
    """The boxes an error is about, in the order shown: the empty ones when some are filled, else all."""
    order = date_order()
    if isinstance(raw, Mapping):
        typed = {part: str(raw.get(part) or "").strip() for part in PARTS}
        empty = tuple(part for part in order if not typed[part])
        if empty and len(empty) < 3:
            return empty
        if typed["year"] and not re.fullmatch(r"\d{4}", typed["year"]) and all(typed.values()):
            return ("year",)
    return order


class DatePartsWidget(forms.Widget):
    """Reads the three boxes ``<name>-day``, ``-month``, ``-year``; or one ISO value posted under ``<name>``."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        parts = {part: data.get(box_name(name, part)) for part in PARTS}
        if all(value is None for value in parts.values()):
            return data.get(name)
        return {part: str(value or "") for part, value in parts.items()}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(box_name(name, part) in data for part in PARTS)


class DatePartsField(forms.Field):
    """A date typed in three boxes, checked the GOV.UK way; None when every box is blank.

    ``past_only``: a date of birth ("must be in the past"); other dates are checked against today by the catalogue
    (intake.rules.questionnaire_checks), which knows which may lie ahead.
    """

    widget = DatePartsWidget

    def __init__(self, *, date_name: str = "", past_only: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.date_name = date_name or DATE_NAME
        self.past_only = past_only

    def _fail(self, template: str) -> ValidationError:
        return ValidationError(say(date_message(template, name=self.date_name)), code="invalid")

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            return self._from_text(value)
        if not isinstance(value, Mapping):
            raise self._fail(MSG_DATE_REAL)
        typed = {part: str(value.get(part) or "").strip() for part in PARTS}
        missing = tuple(part for part in PARTS if not typed[part])
        if len(missing) == 3:
            return None
        if missing:
            raise self._fail(MSG_DATE_MISSING[missing])
        if not all(_WHOLE.fullmatch(typed[part]) for part in PARTS):
            raise self._fail(MSG_DATE_REAL)
        if len(typed["year"]) != 4:
            raise ValidationError(say(MSG_DATE_YEAR_DIGITS), code="invalid")
        try:
            day = datetime.date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
        except ValueError:
            raise self._fail(MSG_DATE_REAL) from None
        return self._checked(day)

    def _from_text(self, text: str) -> datetime.date | None:
        text = text.strip()
        if not text:
            return None
        for pattern in _ISO_OR_US:
            try:
                return self._checked(datetime.datetime.strptime(text[:40], pattern).date())
            except ValueError:
                continue
        raise self._fail(MSG_DATE_REAL)

    def _checked(self, day: datetime.date) -> datetime.date:
        if day.year < 1900:
            raise self._fail(MSG_DATE_TOO_EARLY)
        if self.past_only and day >= timezone.localdate():
            raise self._fail(MSG_DATE_PAST)
        return day


# --- Measurements in the clinic's units ----------------------------------------------------------------------------


class MeasureWidget(forms.Widget):
    """Reads the boxes of a measurement in the clinic's units, or the stored (metric) value posted under the name."""

    def __init__(self, measure: units.Measure, system: units.System) -> None:
        super().__init__()
        self.measure = measure
        self.system = system

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        boxes = units.boxes(self.measure, self.system)
        typed = {box.part: data.get(box_name(name, box.part)) for box in boxes}
        if all(value is None for value in typed.values()):
            return {"stored": data.get(name)} if name in data else None
        return {part: str(value or "") for part, value in typed.items()}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        boxes = units.boxes(self.measure, self.system)
        return name not in data and not any(box_name(name, box.part) in data for box in boxes)


# Whole numbers of this many digits or more stay Decimal: far past every question's bound (the catalogue's check refuses
# them with the limit), and Decimal to int takes time that grows with the square of the digits (a million digits, which
# a page under DATA_UPLOAD_MAX_MEMORY_SIZE carries, held a process for a minute).
_LONGEST_INT = 16


def _whole_or_decimal(number: Decimal) -> int | Decimal:
    whole = number == number.to_integral_value() and number.adjusted() < _LONGEST_INT
    return int(number) if whole else number


def typed_number(raw: object) -> int | Decimal | None:
    """A number typed in one box (commas read by `units.number_text`), int when whole; None when blank. Raises
    ValidationError with the catalogue's "enter a number" for anything else."""
    text = units.number_text(str(raw or ""))
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise ValidationError(say(MSG_NOT_A_NUMBER), code="invalid")
    return _whole_or_decimal(Decimal(text))  # exact: at most 2 decimals


class MeasureField(forms.Field):
    """A measurement typed in the clinic's units, as the metric number stored (int when whole)."""

    def __init__(self, question: Question, system: units.System, **kwargs: Any) -> None:
        if question.measure is None:
            raise ValueError(f"{question.code} is not a measurement")
        self.measure: units.Measure = question.measure
        self.system = system
        self.minimum = Decimal(question.min_value or 0)
        # A distance's cap is the document's for the unit typed (400 km or 250 miles), not 400 km in miles (248).
        self.maximum = max_typed_distance_km(system) if self.measure == "distance" else Decimal(question.max_value or 0)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MeasureWidget(self.measure, system))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | Decimal | None:
        if not value:
            return None
        if "stored" in value:
            return self._stored(value["stored"])
        try:
            number = units.to_stored(self.measure, self.system, value, minimum=self.minimum, maximum=self.maximum)
        except units.UnitError as problem:
            raise ValidationError(say(problem.message), code="invalid") from None
        return None if number is None else _whole_or_decimal(number)

    def _stored(self, raw: object) -> int | Decimal | None:
        # The stored unit itself (as_post_data, scripts): the catalogue's checks judge its bounds.
        return typed_number(raw)
