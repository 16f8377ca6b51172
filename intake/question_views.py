"""What the step template shows for each question: its label, hint, choices, boxes and errors, prepared once in
Python from a page's form (`StepForm.questions()`), so the template only prints them.

Everything here is in the patient's language (`say`), and the ids follow Django's ("id_<code>_<n>" for a choice,
"id_<code>_<part>" for a box of a date or a measurement), which the error summary links to.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from intake.patient_fields import (
    PART_LABELS,
    box_name,
    clinic_phone_region,
    date_order,
    date_parts,
    date_problem_parts,
    say,
)
from intake.rules import conditions, phone_numbers, units
from intake.rules.page_rules import bound_rule
from intake.rules.questionnaire import Question

if TYPE_CHECKING:
    from intake.forms import StepForm

_MEASURABLE = Decimal(10) ** 9  # a stored measurement is shown in the clinic's units only below this


@dataclass
class Option:
    value: str
    label: str
    html_id: str
    checked: bool


@dataclass
class InputBox:
    """One box of a date or a measurement: its field name, id, label (the part or the unit) and what it holds."""

    name: str
    html_id: str
    label: str
    value: str
    css: str
    inputmode: str = "numeric"
    autocomplete: str = ""
    invalid: bool = False


@dataclass
class QuestionView:
    question: Question
    html_id: str
    anchor: str
    value: str
    options: list[Option]
    errors: list[str]
    shown: bool
    show_if: str
    only_if_text: str
    label: str = ""
    hint: str = ""
    boxes: list[InputBox] = field(default_factory=list)

    @property
    def is_grouped(self) -> bool:
        """Asked with a fieldset and legend: choices, and dates or measurements typed in several boxes."""
        return self.question.kind in ("yns", "yn", "choice", "multi", "scale") or len(self.boxes) > 1

    @staticmethod
    def anchor_for(question: Question, raw: object = None, system: units.System = "us") -> str:
        if question.kind in ("yns", "yn", "choice", "multi", "scale"):
            return f"id_{question.code}_0"
        if question.kind == "date":
            return f"id_{box_name(question.code, date_problem_parts(raw)[0])}"
        if question.measure is not None:
            return f"id_{box_name(question.code, units.boxes(question.measure, system)[0].part)}"
        return f"id_{question.code}"

    @classmethod
    def build(cls, form: StepForm, question: Question, shown: bool) -> QuestionView:
        bound = form[question.code]
        raw = bound.value()
        chosen = (
            {str(item) for item in raw} if isinstance(raw, (list, tuple)) else {str(raw)} if raw is not None else set()
        )
        if question.kind == "scale":
            pairs = [(str(n), str(n)) for n in range(11)]
        else:
            pairs = [(choice.code, choice.label) for choice in question.choices]
        shown_label = (lambda label: label) if question.kind == "scale" else say
        options = [
            Option(code, shown_label(label), f"id_{question.code}_{index}", code in chosen)
            for index, (code, label) in enumerate(pairs)
        ]
        errors = [str(message) for message in form.errors.get(question.code, [])] if form.is_bound else []
        boxes: list[InputBox] = []
        if question.kind == "date":
            boxes = date_boxes(question.code, raw, errors)
            value = ""
        elif question.measure is not None:
            boxes = _measure_boxes(question, question.measure, raw, form, errors)
            value = ""
        elif question.kind == "consent":
            value = "on" if raw in (True, "on", "true", "True") else ""
        elif question.kind == "phone":
            value = phone_numbers.shown(raw, clinic_phone_region()) if isinstance(raw, str) else ""
        elif raw is None or isinstance(raw, (list, tuple)):
            value = ""
        else:
            value = str(raw)
        rule = conditions.rule_for(question, form.earlier, today=form.today)
        show_if, note = bound_rule(rule, form.earlier, on_page=set(form.codes)) if rule else (None, "")
        return cls(
            question=question,
            html_id=boxes[0].html_id if boxes else f"id_{question.code}",
            anchor=cls.anchor_for(question, raw, form.system),
            value=value,
            options=options,
            errors=errors,
            shown=shown,
            show_if=json.dumps(show_if) if show_if else "",
            only_if_text=say(note) if show_if else "",
            label=say(question.label),
            hint=" ".join(text for text in (say(_unit_hint(question, form.system)), say(question.hint)) if text),
            boxes=boxes,
        )


def _unit_hint(question: Question, system: units.System) -> str:
    return units.hint(question.measure, system) if question.measure is not None else ""


def date_boxes(code: str, raw: object, errors: list[str]) -> list[InputBox]:
    typed = raw if isinstance(raw, Mapping) else date_parts(raw if isinstance(raw, datetime.date) else _iso(raw))
    wrong = set(date_problem_parts(raw)) if errors else set()
    return [
        InputBox(
            name=box_name(code, part),
            html_id=f"id_{box_name(code, part)}",
            label=say(PART_LABELS[part]),
            value=str(typed.get(part) or ""),
            css="box-year" if part == "year" else "box-2",
            autocomplete={"day": "bday-day", "month": "bday-month", "year": "bday-year"}[part]
            if code == "date_of_birth"
            else "",
            invalid=part in wrong,
        )
        for part in date_order()
    ]


def _iso(raw: object) -> datetime.date | None:
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def _measure_boxes(
    question: Question, measure: units.Measure, raw: object, form: StepForm, errors: list[str]
) -> list[InputBox]:
    shown = units.boxes(measure, form.system)
    if isinstance(raw, Mapping) and "stored" not in raw:
        typed = {part: str(value) for part, value in raw.items()}
    else:
        stored = raw.get("stored") if isinstance(raw, Mapping) else raw
        typed = _stored_as_parts(measure, stored, form)
    return [
        InputBox(
            name=box_name(question.code, box.part),
            html_id=f"id_{box_name(question.code, box.part)}",
            label=say(box.unit),
            value=typed.get(box.part, ""),
            css="box-2" if box.part in ("ft", "in") else "box-number",
            inputmode="decimal",
            invalid=bool(errors),
        )
        for box in shown
    ]


def _stored_as_parts(measure: units.Measure, stored: object, form: StepForm) -> dict[str, str]:
    """A stored (metric) value in the clinic's boxes; a value posted in that form that is not a number a person
    could mean ("1E30", "tall") stays as typed, in the first box."""
    if stored in (None, ""):
        return {}
    text = str(stored).strip()
    try:
        number = Decimal(units.number_text(text))
        if not number.is_finite() or abs(number) >= _MEASURABLE:
            raise ArithmeticError(text)
        unit = form.earlier.get("distance_unit") if measure == "distance" else None
        return units.as_parts(measure, form.system, number, stored_unit=unit if isinstance(unit, str) else None)
    except ArithmeticError:
        return {units.boxes(measure, form.system)[0].part: text}
