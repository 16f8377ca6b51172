"""Measurements in the clinic's units: what the patient types, what is stored, and how it reads back.

Why: a US patient knows their height in feet and inches and their weight in pounds, and "5'10" or "160 lbs" must not
be refused as "not a number" (issue 14). The clinic's locale decides the units shown (``CLINIC_UNITS``: ``"us"`` or
``"metric"``); answers are always stored in metric, so staff, triage, exports and demo data read one unit whatever
the clinic shows: ``height_cm`` in centimeters, ``weight_kg`` in kilograms, running distances in kilometers
(``distance_unit`` "km"; intakes answered before 2027 may hold miles with ``distance_unit`` "mi", and are read and
re-shown in the unit they name) and ``walking_distance_m`` in meters.

Public API
----------
- ``System`` ("us" | "metric"), ``SYSTEMS``; ``Measure`` ("height" | "weight" | "distance" | "walk"), ``MEASURES``.
- ``Box(part, unit)``; ``boxes(measure, system)``: the input boxes shown, ``part`` being the suffix of the box's
  field name ("" for the question's own name, which is also the metric box) and ``unit`` its word ("feet", "cm").
- ``to_stored(measure, system, parts, *, minimum, maximum) -> Decimal | None``: the typed text of each box (by
  part) as the stored metric value, rounded to 2 decimals; None when every box is blank. Raises ``UnitError``
  with the patient's message for text that is not a measurement or a value outside the bounds (``minimum``/
  ``maximum`` are the catalogue's metric bounds, shown converted and rounded inwards, so whatever passes here passes
  the catalogue's own check).
- ``as_parts(measure, system, stored, *, stored_unit=None) -> dict[str, str]``: a stored value as the boxes show it.
- ``describe(measure, system, stored, *, stored_unit=None) -> Message``: "5 ft 10 in", "160 lb", "10 miles",
  "1,500 yards" (thousands grouped, as in the range messages: ``grouped(number)``).
- ``MSG_NO_DOT``: a walking distance whose dot stands before exactly three digits ("1.500") is refused.
- ``hint(measure, system) -> str``: the example under the question ("For example, 5 feet 10 inches."); "" for a
  running distance, whose unit stands after its box.

Decisions: the typed text may carry its unit, in English or Spanish ("160 lb", "5'10\"", "5 ft 10 in", "160 libras",
"5 pies 10 pulgadas", "12 km"), and commas as thousands separators; a lone feet box holding feet and inches ("5'10")
is read as both. Feet with a decimal part ("5.10", "5,10", "5.5 ft") are refused with ``MSG_WHOLE_FEET``: a US patient
who types "5.10" means 5 ft 10 in, which was stored as 5.1 feet (5 ft 1.2 in) with no message; whole feet written with a
point ("5.0") pass. Inches of 12 or more are added up (5 ft 14 in is 6 ft 2 in). Conversions use the exact definitions
(1 in = 2.54 cm, 1 lb = 0.45359237 kg, 1 mi = 1.609344 km, 1 yd = 0.9144 m); two stored decimals bring a typed value
back unchanged to one decimal (160 lb is stored as 72.57 kg and shown as 160 lb). The walking distance too: stored in
whole meters, 18 yards came back as 17 (a yard is shorter than a meter, so 171 of the values 0-2000 yards shared a
meter with a neighbour); it is shown in whole yards, so an answer stored in whole meters before reads as it did.
R3 (weekly distance up by more than 30%) compares two stored distances; both are converted alike, so only a pair at
exactly 30% in miles can land either side after rounding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)
from typing import Literal

from intake.rules.wording import Message, gettext_noop

System = Literal["us", "metric"]
SYSTEMS: tuple[System, ...] = ("us", "metric")
Measure = Literal["height", "weight", "distance", "walk"]
MEASURES: tuple[Measure, ...] = ("height", "weight", "distance", "walk")

INCH_CM = Decimal("2.54")
POUND_KG = Decimal("0.45359237")
MILE_KM = Decimal("1.609344")
YARD_M = Decimal("0.9144")
_SHOWN = Decimal("0.1")
_CENT = Decimal("0.01")


class UnitError(ValueError):
    """Typed text that is not a measurement, or one outside the bounds; ``message`` is what the patient reads."""

    def __init__(self, message: Message | str) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Box:
    part: str
    unit: str


# What one box of each (measure, system) holds: the part, its unit word, the words a patient may type after the
# number, and how many metric units one of it is.
@dataclass(frozen=True)
class _Unit:
    part: str
    word: str
    spellings: tuple[str, ...]
    factor: Decimal


# The words are English and Spanish: the Spanish page shows "pies", "pulgadas", "libras" ... beside the boxes and in
# its examples, and a patient who typed them back ("5 pies 10 pulgadas", "160 libras") was told to type what they had.
_FEET = ("feet", "foot", "ft", "pies", "pie", "'", "\u2019")
_INCHES = ("inches", "inch", "in", "pulgadas", "pulgada", "pulg", '"', "\u201d", "''")
_UNITS: dict[tuple[Measure, System], tuple[_Unit, ...]] = {
    ("height", "us"): (
        _Unit("ft", gettext_noop("feet"), _FEET, INCH_CM * 12),
        _Unit("in", gettext_noop("inches"), _INCHES, INCH_CM),
    ),
    ("height", "metric"): (
        _Unit(
            "",
            gettext_noop("cm"),
            ("centimeters", "centimetres", "centimeter", "centimetre", "centímetros", "centimetros", "cms", "cm"),
            Decimal(1),
        ),
    ),
    ("weight", "us"): (
        _Unit("lb", gettext_noop("pounds"), ("pounds", "pound", "lbs", "lb", "libras", "libra"), POUND_KG),
    ),
    ("weight", "metric"): (
        _Unit(
            "",
            gettext_noop("kg"),
            ("kilograms", "kilogram", "kilogramos", "kilogramo", "kilos", "kilo", "kgs", "kg"),
            Decimal(1),
        ),
    ),
    ("distance", "us"): (_Unit("mi", gettext_noop("miles"), ("miles", "mile", "mi", "millas", "milla"), MILE_KM),),
    ("distance", "metric"): (
        _Unit(
            "",
            gettext_noop("km"),
            (
                "kilometers",
                "kilometres",
                "kilometer",
                "kilometre",
                "kilómetros",
                "kilometros",
                "kilómetro",
                "kilometro",
                "kms",
                "km",
            ),
            Decimal(1),
        ),
    ),
    ("walk", "us"): (_Unit("yd", gettext_noop("yards"), ("yards", "yard", "yds", "yd", "yardas", "yarda"), YARD_M),),
    ("walk", "metric"): (
        _Unit(
            "",
            gettext_noop("meters"),
            ("meters", "metres", "meter", "metre", "metros", "metro", "mts", "m"),
            Decimal(1),
        ),
    ),
}
# A stored distance in miles (answers from before 2027) is shown from miles, not from kilometers.
_STORED_FACTOR = {"mi": MILE_KM, "km": Decimal(1)}

MSG_INVALID: dict[tuple[Measure, System], str] = {
    ("height", "us"): gettext_noop("Enter your height in feet and inches, like 5 feet 10 inches"),
    ("height", "metric"): gettext_noop("Enter your height in centimeters, like 170"),
    ("weight", "us"): gettext_noop("Enter your weight in pounds, like 160"),
    ("weight", "metric"): gettext_noop("Enter your weight in kilograms, like 70"),
    ("distance", "us"): gettext_noop("Enter the distance in miles, like 15"),
    ("distance", "metric"): gettext_noop("Enter the distance in kilometers, like 25"),
    ("walk", "us"): gettext_noop("Enter the distance in yards, like 200"),
    ("walk", "metric"): gettext_noop("Enter the distance in meters, like 200"),
}
# "5.10" in the feet box is 5 ft 10 in to a US patient, never 5.1 feet (5 ft 1.2 in): feet with a decimal part are
# refused, not read either way.
MSG_WHOLE_FEET = gettext_noop("Enter whole feet in the feet box and inches in the inches box, like 5 and 10")
# "1.500" is a thousand and a half to a reader who groups thousands with a dot (Spanish does) and one and a half to
# one who does not: for the walking distance, counted in whole meters or yards, both readings are likely and they
# differ a thousandfold. Refused, never guessed ("1.500 metros" was stored as 2 m).
MSG_NO_DOT = gettext_noop("Type the distance without a dot or comma, like 1500")
_DOT_BEFORE_THREE = re.compile(r"-?\d*\.\d{3}")
MSG_HEIGHT_RANGE = gettext_noop("Enter a height between {low} and {high}")
MSG_WEIGHT_RANGE = gettext_noop("Enter a weight between {low} and {high}")
MSG_DISTANCE_RANGE = gettext_noop("Enter a distance of {high} or less")
_RANGE = {"height": MSG_HEIGHT_RANGE, "weight": MSG_WEIGHT_RANGE, "distance": MSG_DISTANCE_RANGE,
          "walk": MSG_DISTANCE_RANGE}  # fmt: skip

HINTS: dict[tuple[Measure, System], str] = {
    ("height", "us"): gettext_noop("For example, 5 feet 10 inches."),
    ("height", "metric"): gettext_noop("In centimeters. For example, 170."),
    ("weight", "us"): gettext_noop("In pounds. For example, 160."),
    ("weight", "metric"): gettext_noop("In kilograms. For example, 70."),
    # Distances show their unit after the box (and in its description): no hint needed.
    ("distance", "us"): "",
    ("distance", "metric"): "",
    ("walk", "us"): gettext_noop("100 yards is about one city block."),
    ("walk", "metric"): gettext_noop("100 meters is about one city block."),
}

# How values read back: one template per unit, with the singular where a value of 1 needs it.
FEET_INCHES = gettext_noop("{feet} ft {inches} in")
ONE_FOOT_INCHES = gettext_noop("1 ft {inches} in")  # Spanish says "1 pie", not "1 pies"


def _feet_and_inches(feet: str, inches: str) -> Message:
    return Message(ONE_FOOT_INCHES, inches=inches) if feet == "1" else Message(FEET_INCHES, feet=feet, inches=inches)


_SHOWN_AS: dict[tuple[Measure, System], tuple[str, str]] = {
    ("height", "metric"): (gettext_noop("{value} cm"), gettext_noop("{value} cm")),
    ("weight", "us"): (gettext_noop("{value} lb"), gettext_noop("{value} lb")),
    ("weight", "metric"): (gettext_noop("{value} kg"), gettext_noop("{value} kg")),
    ("distance", "us"): (gettext_noop("{value} miles"), gettext_noop("{value} mile")),
    ("distance", "metric"): (gettext_noop("{value} km"), gettext_noop("{value} km")),
    ("walk", "us"): (gettext_noop("{value} yards"), gettext_noop("{value} yard")),
    ("walk", "metric"): (gettext_noop("{value} meters"), gettext_noop("{value} meter")),
}

# Any number of digits: a long number is a number, and the bounds say how large it may be ("Enter a distance of 54,680
# yards or less"); with at most 6 digits, a 7-digit one was told to "Enter the distance in yards, like 200".
_NUMBER = re.compile(r"\d+(?:\.\d{1,3})?|\.\d{1,3}")
_FEET_AND_INCHES = re.compile(
    f"(?P<feet>\\d{{1,2}}(?:\\.\\d{{1,2}})?)\\s*(?:{'|'.join(map(re.escape, _FEET))})\\s*"
    # "5 pies y 10 pulgadas", "5 feet and 10 inches", "5 ft, 10 in": as the height is said or written.
    "(?:(?:,|and|y)\\s*)?"
    f"(?:(?P<inches>\\d{{1,2}}(?:\\.\\d{{1,2}})?)\\s*(?:{'|'.join(map(re.escape, _INCHES))})?)?"
)


def system_or_default(value: object) -> System:
    """A ``CLINIC_UNITS`` value as a System: "metric" when it says so, else "us" (the default)."""
    return "metric" if isinstance(value, str) and value.strip().lower() == "metric" else "us"


def boxes(measure: Measure, system: System) -> tuple[Box, ...]:
    return tuple(Box(unit.part, unit.word) for unit in _UNITS[(measure, system)])


def hint(measure: Measure, system: System) -> str:
    return HINTS[(measure, system)]


_ABBREVIATION_PERIOD = re.compile(r"(?<=[^\W\d_])\.")


def _clean(text: str) -> str:
    """Lower case, single spaces, and no period after a letter: "160 lbs." and "5 ft. 10 in." as US style writes them
    (a period after a digit is a decimal point and stays), nor at the very end, where it closes a sentence ("160.",
    5'10".) and no digit follows it to make it a decimal point."""
    cleaned = _ABBREVIATION_PERIOD.sub("", " ".join(text.strip().lower().split()))
    return cleaned.removesuffix(".").rstrip()


# A thousands group never starts with 0 ("0,250" is a quarter); a sign stays for the check that refuses it.
_THOUSANDS = re.compile(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")
_DECIMAL_COMMA = re.compile(r"-?\d*,\d+")


def number_text(text: str) -> str:
    """Typed number text with its commas read: in thousands groups ("1,250" or "12,000.5") they go; a single comma
    that cannot be one ("10,5", "61,25": a decimal comma, as Spanish writes it) is the decimal point. Anything else is
    left as typed, for the number check to refuse. Until stop 32 every comma went, and "10,5" miles was 105 (the
    stop-32 audit of the patient pages)."""
    text = text.strip()
    if _THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    return text


def _bare_number(text: str, unit: _Unit) -> str:
    """A box's text without its unit word, its commas read (``number_text``)."""
    text = _clean(text)
    for spelling in sorted(unit.spellings, key=len, reverse=True):
        if text.endswith(spelling):
            text = text[: -len(spelling)].strip()
            break
    return number_text(text)


def _number(text: str, unit: _Unit) -> Decimal | None:
    """A box's text as a number, with its unit word allowed after it; None when it is something else."""
    text = _bare_number(text, unit)
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None


def _typed_total(measure: Measure, system: System, parts: Mapping[str, str]) -> Decimal | None:
    """The typed boxes as one number in the smallest shown unit (inches for US heights); None if all are blank."""
    units = _UNITS[(measure, system)]
    texts = {unit.part: (parts.get(unit.part) or "").strip() for unit in units}
    if not any(texts.values()):
        return None
    invalid = UnitError(Message(MSG_INVALID[(measure, system)]))
    if measure == "height" and system == "us":
        feet_text, inch_text = texts["ft"], texts["in"]
        both = _FEET_AND_INCHES.fullmatch(_clean(feet_text)) if feet_text and not inch_text else None
        if both:
            feet_text, inch_text = both.group("feet"), both.group("inches") or ""
        feet = _number(feet_text, units[0]) if feet_text else Decimal(0)
        inches = _number(inch_text, units[1]) if inch_text else Decimal(0)
        if feet is None or inches is None:
            raise invalid
        if feet != feet.to_integral_value():
            raise UnitError(Message(MSG_WHOLE_FEET))
        with localcontext() as context:
            # Any number of digits is read (to_stored gives the bounds): a million of them times 12 passed the default
            # largest exponent (decimal.Overflow, a server error).
            context.Emax, context.Emin = MAX_EMAX, MIN_EMIN
            return feet * 12 + inches
    text = texts[units[0].part]
    if measure == "walk" and _DOT_BEFORE_THREE.fullmatch(_bare_number(text, units[0])):
        raise UnitError(Message(MSG_NO_DOT))
    number = _number(text, units[0])
    if number is None:
        raise invalid
    return number


def _shown_factor(measure: Measure, system: System) -> Decimal:
    """Metric units per shown unit (per inch for a US height)."""
    return INCH_CM if (measure, system) == ("height", "us") else _UNITS[(measure, system)][0].factor


def _shown_number(number: Decimal) -> str:
    """12.0 -> "12", 72.50 -> "72.5": a number as the patient reads it in a box."""
    text = f"{number.normalize():f}"
    return text


def grouped(number: int | Decimal) -> str:
    """54680 -> "54,680", 72.50 -> "72.5": a number as the patient reads it in a sentence. Commas group thousands in
    Spanish too: the Spanish page is written for US Latino patients, shows decimals with a point ("72.5 kg") and
    reads "54,680" typed back as the number shown, where "54.680" is refused (``MSG_NO_DOT``) and "54 680" is not a
    number."""
    return f"{Decimal(number).normalize():,f}"


def _bound_words(measure: Measure, system: System, shown: Decimal) -> Message:
    if (measure, system) == ("height", "us"):
        feet, inches = divmod(int(shown), 12)
        return _feet_and_inches(str(feet), str(inches))
    plural, single = _SHOWN_AS[(measure, system)]
    text = grouped(shown)
    return Message(single if text == "1" else plural, value=text)


def to_stored(
    measure: Measure, system: System, parts: Mapping[str, str], *, minimum: Decimal, maximum: Decimal
) -> Decimal | None:
    total = _typed_total(measure, system, parts)
    if total is None:
        return None
    factor = _shown_factor(measure, system)
    # Bounds as the patient reads them, rounded inwards so a value that passes here passes the metric check too.
    low = (minimum / factor).quantize(Decimal(1), rounding=ROUND_CEILING)
    high = (maximum / factor).quantize(Decimal(1), rounding=ROUND_FLOOR)
    if not low <= total <= high:
        if minimum > 0:
            words = {"low": _bound_words(measure, system, low), "high": _bound_words(measure, system, high)}
        else:
            words = {"high": _bound_words(measure, system, high)}
        raise UnitError(Message(_RANGE[measure], **words))
    return (total * factor).quantize(_CENT, rounding=ROUND_HALF_UP)


def _in_shown_unit(measure: Measure, system: System, stored: Decimal, stored_unit: str | None) -> Decimal:
    metric = stored * _STORED_FACTOR.get(stored_unit or "km", Decimal(1)) if measure == "distance" else stored
    # Whole yards: an answer stored in whole meters (until 2026-12) reads "875 yards", not "874.9 yards".
    places = Decimal(1) if measure == "walk" and system == "us" else _SHOWN
    return (metric / _shown_factor(measure, system)).quantize(places, rounding=ROUND_HALF_UP)


def as_parts(measure: Measure, system: System, stored: Decimal, *, stored_unit: str | None = None) -> dict[str, str]:
    shown = _in_shown_unit(measure, system, stored, stored_unit)
    if (measure, system) == ("height", "us"):
        feet = int(shown // 12)
        return {"ft": str(feet), "in": _shown_number(shown - feet * 12)}
    return {_UNITS[(measure, system)][0].part: _shown_number(shown)}


def describe(measure: Measure, system: System, stored: Decimal, *, stored_unit: str | None = None) -> Message:
    shown = _in_shown_unit(measure, system, stored, stored_unit)
    if (measure, system) == ("height", "us"):
        parts = as_parts(measure, system, stored)
        return _feet_and_inches(parts["ft"], parts["in"])
    return _bound_words(measure, system, shown)
