"""Scoring answers with an instrument, and telling whether a change between two scores matters. No Django.

Answers are a mapping of field code -> value, as stored for an intake (JSON numbers and codes). A scale or activity
answer counts when it is a whole number within the item's range (an activity's rating, only with the activity
named); a choice answer when it is one of the item's option codes. Anything else (blank, text, out of range) counts
as missing, never as an error: scoring reads stored answers, it does not validate a form.

Public API
----------
- ``score(instrument, answers) -> Score | None``: None when more items are missing than the instrument allows.
- ``change(before, after, instrument) -> Change`` and ``change_is_important(before, after, instrument) -> bool``:
  ``before`` and ``after`` are Scores or numbers. A change is important when it is at least the instrument's minimal
  important change, in either direction (getting worse by that much matters as much as getting better).
  ``NoMinimalImportantChange`` when the instrument defines none.
- ``rated_activities(instrument, answers)`` and ``activity_change(instrument, before, after) -> Change | None``: for
  an instrument of named activities (the PSFS), the change is the mean of each activity's own change, over the
  activities rated at both times under the same name (in any slot); None when no activity was. Two means over
  different activities are not a change: "Running 2" then "Walking the dog 8" would read as +6.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from outcomes.instruments.model import Band, Instrument, Item

Number = Decimal | int | float
Way = Literal["better", "worse", "same"]


class NoMinimalImportantChange(ValueError):
    """The instrument has no minimal important change (a global rating of change, a running status)."""


@dataclass(frozen=True)
class Score:
    instrument: str
    value: Decimal
    band: Band | None
    answered: tuple[str, ...]
    missing: tuple[str, ...]
    # The chosen option's code, for the choice method (a global rating of change is read as its words).
    choice: str = ""


@dataclass(frozen=True)
class Change:
    difference: Decimal  # after - before
    way: Way
    important: bool


def item_value(item: Item, answer: object) -> Decimal | None:
    """What one answer scores, or None when it does not count."""
    if item.kind == "choice":
        option = item.option(answer) if isinstance(answer, str) else None
        return option.points if option is not None else None
    if isinstance(answer, bool) or not isinstance(answer, (int, float, Decimal)):
        return None
    number = Decimal(str(answer)) if isinstance(answer, float) else Decimal(answer)
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return number if item.minimum <= number <= item.maximum else None


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score | None:
    scoring = instrument.scoring
    values: dict[str, Decimal] = {}
    for item in instrument.scored_items:
        value = item_value(item, answers.get(item.code))
        if item.kind == "activity" and not activity_key(answers.get(item.activity_code)):
            value = None  # a rating of no activity named rates nothing (the PSFS), as `rated_activities` reads it
        if value is not None:
            values[item.code] = value
    missing = tuple(code for code in scoring.items if code not in values)
    if len(missing) > scoring.max_missing or not values:
        return None
    answered = tuple(values)
    total = sum(values.values(), Decimal(0))
    choice = ""
    if scoring.method == "mean":
        raw = total / len(values)
    elif scoring.method == "sum":
        raw = total * len(scoring.items) / len(values)  # prorated when items may be missing
    elif scoring.method == "percent":
        answered_items = [instrument.item(code) for code in answered]
        lowest = sum((item.lowest for item in answered_items), Decimal(0))
        highest = sum((item.highest for item in answered_items), Decimal(0))
        raw = (total - lowest) / (highest - lowest) * 100
    else:  # choice: the one item's points
        raw = total
        chosen = answers.get(scoring.items[0])
        choice = chosen if isinstance(chosen, str) else ""
    value = rounded(raw, scoring.decimals)
    return Score(instrument.code, value, instrument.band_for(value), answered, missing, choice)


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _number(value: Score | Number) -> Decimal:
    if isinstance(value, Score):
        return value.value
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def change(before: Score | Number, after: Score | Number, instrument: Instrument) -> Change:
    mic = instrument.minimal_important_change
    if mic is None:
        raise NoMinimalImportantChange(instrument.code)
    difference = _number(after) - _number(before)
    if difference == 0:
        way: Way = "same"
    elif (difference < 0) == (mic.direction == "lower_is_better"):
        way = "better"
    else:
        way = "worse"
    return Change(difference, way, abs(difference) >= mic.value)


def change_is_important(before: Score | Number, after: Score | Number, instrument: Instrument) -> bool:
    return change(before, after, instrument).important


def activity_key(name: object) -> str:
    """An activity's name as two questionnaires are compared: case, spacing and end punctuation aside."""
    if not isinstance(name, str):
        return ""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split()).strip(" .,;:!?")


def rated_activities(instrument: Instrument, answers: Mapping[str, object]) -> tuple[tuple[str, Decimal], ...]:
    """(name as given, rating) of each activity named and rated, in slot order; empty for other instruments."""
    rated = []
    for item in instrument.scored_items:
        if item.kind != "activity":
            continue
        name, value = answers.get(item.activity_code), item_value(item, answers.get(item.code))
        if activity_key(name) and value is not None:
            rated.append((" ".join(str(name).split()), value))
    return tuple(rated)


def activity_change(instrument: Instrument, before: Mapping[str, object], after: Mapping[str, object]) -> Change | None:
    """The mean change of the activities rated at both times under the same name; None when there are none."""
    earlier: dict[str, Decimal] = {}
    for name, value in rated_activities(instrument, before):
        earlier.setdefault(activity_key(name), value)
    later: dict[str, Decimal] = {}
    for name, value in rated_activities(instrument, after):
        later.setdefault(activity_key(name), value)
    shared = [key for key in earlier if key in later]
    if not shared:
        return None
    difference = sum((later[key] - earlier[key] for key in shared), Decimal(0)) / len(shared)
    return change(Decimal(0), rounded(difference, instrument.scoring.decimals), instrument)
