"""Django forms for the questionnaire steps, the identity check and the staff invitation page.

A step form is built from the step's catalogue entry (intake.questionnaire). Its fields only turn posted text into
typed values; whether the values make sense (required, ranges, dates, cross-field rules) is decided by
intake.questionnaire_checks on the whole intake so far, so the messages are the catalogue's own. Questions that do
not apply given the answers are ignored, whatever was posted for them.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from intake.rules import conditions
from intake.rules.questionnaire import Question, Step, questions_that_apply
from intake.rules.questionnaire_checks import (
    MSG_INVALID_CHOICE,
    MSG_NOT_A_DATE,
    MSG_NOT_A_NUMBER,
    is_blank,
    validate_answers,
)

MSG_ODD_CHARACTERS = "Please remove any unusual characters from your answer."
MSG_DOB_REQUIRED = "Please enter your date of birth."
MSG_DOB_WRONG = "This date of birth does not match our records. Please check it and try again."
MSG_CODE_REQUIRED = "Please enter the code from the email."
MSG_CODE_FORMAT = "The code is 6 numbers, like 123456. Please check it and try again."
MSG_CODE_WRONG = "This code does not match the one we sent. Please check the email and try again."
MSG_CODE_TRIED_OUT = "This code does not match, and it cannot be tried again. Please send a new code."
MSG_CODE_DEAD = (
    "This code no longer works: a code works only for a few minutes, and only the newest one. Please send a new code."
)
MSG_EMAIL_FOR_LINK = (
    "Enter the patient's email: the link is only ever emailed to the patient (text messages are not available yet)."
)
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
# Commas are thousands separators (US clinic default); at most 9 digits and 2 decimals are read as a number.
_NUMBER = re.compile(r"-?\d{1,9}(\.\d{1,2})?|-?\.\d{1,2}")


class NumberField(forms.Field):
    """Text in, int (or Decimal with a fraction) out; anything else gets the catalogue's "enter a number"."""

    def to_python(self, value: Any) -> int | Decimal | None:
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(",", "")
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            raise ValidationError(MSG_NOT_A_NUMBER, code="invalid")
        number = Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return int(number) if number == number.to_integral_value() else number


class SafeDateField(forms.DateField):
    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, str) and len(value) > 40:
            raise ValidationError(MSG_NOT_A_DATE, code="invalid")
        return super().to_python(value)


def _choices(question: Question) -> list[tuple[str, str]]:
    return [(choice.code, choice.label) for choice in question.choices]


def field_for(question: Question) -> forms.Field:
    messages = {"invalid_choice": MSG_INVALID_CHOICE, "invalid_list": MSG_INVALID_CHOICE}
    if question.kind in ("yns", "yn", "choice"):
        return forms.ChoiceField(choices=_choices(question), required=False, error_messages=messages)
    if question.kind == "scale":
        return forms.TypedChoiceField(
            choices=[(str(n), str(n)) for n in range(11)],
            coerce=int,
            empty_value=None,
            required=False,
            error_messages=messages,
        )
    if question.kind == "multi":
        return forms.MultipleChoiceField(choices=_choices(question), required=False, error_messages=messages)
    if question.kind in ("integer", "decimal"):
        return NumberField(required=False)
    if question.kind == "date":
        return SafeDateField(
            required=False, input_formats=DATE_INPUT_FORMATS, error_messages={"invalid": MSG_NOT_A_DATE}
        )
    if question.kind == "consent":
        return forms.BooleanField(required=False)
    return forms.CharField(
        required=False, strip=True, error_messages={"null_characters_not_allowed": MSG_ODD_CHARACTERS}
    )


def initial_value(question: Question, value: object) -> object:
    """A stored answer as the form shows it (text for inputs, codes for choices)."""
    if value is None:
        return None
    if question.kind == "scale":
        return str(value)
    return value


def as_post_data(step: Step, answers: Mapping[str, object]) -> QueryDict:
    """Typed answers as a browser would post this step (to re-check saved answers, and in tests)."""
    data = QueryDict(mutable=True)
    for question in step.questions:
        value = answers.get(question.code)
        if isinstance(value, (list, tuple)):
            data.setlist(question.code, [str(item) for item in value])
        elif value is True:
            data[question.code] = "on"
        elif isinstance(value, datetime.date):
            data[question.code] = value.isoformat()
        elif value is not None and value is not False:
            data[question.code] = str(value)
    return data


class StepForm(forms.Form):
    """One step of the questionnaire. `earlier` is the whole intake so far (other steps' answers, typed)."""

    def __init__(
        self,
        step: Step,
        *,
        earlier: Mapping[str, object],
        today: datetime.date,
        data: Mapping[str, Any] | None = None,
        initial: Mapping[str, object] | None = None,
    ) -> None:
        self.step = step
        self.codes = [question.code for question in step.questions]
        self.earlier = {code: value for code, value in earlier.items() if code not in self.codes}
        self.today = today
        self.step_answers: dict[str, object] = {}
        super().__init__(data=data, initial=dict(initial or {}))
        for question in step.questions:
            self.fields[question.code] = field_for(question)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = {code: cleaned[code] for code in self.codes if code in cleaned and not is_blank(cleaned.get(code))}
        applying = {
            question.code for question in questions_that_apply(self.step, {**self.earlier, **given}, today=self.today)
        }
        # A question that is not asked keeps neither its answer nor its error (the patient cannot see it).
        for code in list(self.errors):
            if code in self.codes and code not in applying:
                del self.errors[code]
        self.step_answers = {code: value for code, value in given.items() if code in applying}
        problems = validate_answers(self.step.slug, {**self.earlier, **self.step_answers}, today=self.today)
        for code, message in problems.items():
            if code not in self.errors:
                self.add_error(code, message)
        return cleaned

    def questions(self) -> list[QuestionView]:
        """What the template needs for each question, in catalogue order."""
        current = {**self.earlier, **(self.step_answers if self.is_bound else {})}
        if self.is_bound:
            current.update(self._posted_codes())
        else:
            current.update({code: value for code, value in self.initial.items() if value is not None})
        applying = {question.code for question in questions_that_apply(self.step, current, today=self.today)}
        return [QuestionView.build(self, question, question.code in applying) for question in self.step.questions]

    def _posted_codes(self) -> dict[str, object]:
        # For deciding what shows after an error: the raw choices as posted, valid or not.
        posted: dict[str, object] = {}
        for question in self.step.questions:
            if question.kind == "multi":
                posted[question.code] = self.data.getlist(question.code) if hasattr(self.data, "getlist") else []
            elif question.kind in ("yns", "yn", "choice"):
                posted[question.code] = self.data.get(question.code)
        return posted

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, question, message) for the summary at the top, in the order of the page."""
        summary = []
        for question in self.step.questions:
            for message in self.errors.get(question.code, []):
                summary.append((QuestionView.anchor_for(question), question.label, str(message)))
        return summary


@dataclass
class Option:
    value: str
    label: str
    html_id: str
    checked: bool


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

    @staticmethod
    def anchor_for(question: Question) -> str:
        grouped = question.kind in ("yns", "yn", "choice", "multi", "scale")
        return f"id_{question.code}_0" if grouped else f"id_{question.code}"

    @classmethod
    def build(cls, form: StepForm, question: Question, shown: bool) -> QuestionView:
        bound = form[question.code]
        raw = bound.value()
        chosen = (
            {str(item) for item in raw} if isinstance(raw, (list, tuple)) else {str(raw)} if raw is not None else set()
        )
        pairs = [(str(n), str(n)) for n in range(11)] if question.kind == "scale" else _choices(question)
        options = [
            Option(code, label, f"id_{question.code}_{index}", code in chosen)
            for index, (code, label) in enumerate(pairs)
        ]
        if question.kind == "date" and isinstance(raw, datetime.date):
            value = raw.isoformat()
        elif question.kind == "consent":
            value = "on" if raw in (True, "on", "true", "True") else ""
        elif raw is None or isinstance(raw, (list, tuple)):
            value = ""
        else:
            value = str(raw)
        rule = conditions.rule_for(question, form.earlier, today=form.today)
        return cls(
            question=question,
            html_id=f"id_{question.code}",
            anchor=cls.anchor_for(question),
            value=value,
            options=options,
            errors=[str(message) for message in form.errors.get(question.code, [])] if form.is_bound else [],
            shown=shown,
            show_if=json.dumps(rule[0]) if rule else "",
            only_if_text=rule[1] if rule else "",
        )


class IdentityForm(forms.Form):
    date_of_birth = SafeDateField(
        label="Your date of birth",
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"required": MSG_DOB_REQUIRED, "invalid": MSG_NOT_A_DATE},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )


class AcknowledgeForm(forms.Form):
    acknowledged = forms.BooleanField(
        label="I have read this message.",
        error_messages={"required": "Please tick the box to show you have read this message."},
    )


class CodeForm(forms.Form):
    """The one-time code from the patient's email (spaces and dashes typed with it are ignored)."""

    code = forms.CharField(
        label="Code from the email",
        max_length=20,
        error_messages={
            "required": MSG_CODE_REQUIRED,
            "max_length": MSG_CODE_FORMAT,
            "null_characters_not_allowed": MSG_CODE_FORMAT,
        },
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(MSG_CODE_FORMAT)
        return code


_APPOINTMENT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_APPOINTMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M"]


class InvitationForm(forms.Form):
    patient_name = forms.CharField(label="Patient's full name", max_length=200)
    email = forms.EmailField(
        label="Patient's email",
        help_text="The link is emailed here. Staff never see it.",
        error_messages={"required": MSG_EMAIL_FOR_LINK},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        help_text="The patient types this to open the link.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
    )
    appointment_at = forms.DateTimeField(
        label="Appointment date and time", widget=_APPOINTMENT_WIDGET, input_formats=_APPOINTMENT_FORMATS
    )

    def clean_date_of_birth(self) -> datetime.date:
        born: datetime.date = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise ValidationError("The date of birth cannot be in the future.")
        if born.year < 1900:
            raise ValidationError("Please check the year of birth.")
        return born

    def clean_appointment_at(self) -> datetime.datetime:
        when: datetime.datetime = self.cleaned_data["appointment_at"]
        if when < timezone.now() - datetime.timedelta(days=1):
            raise ValidationError("This appointment is in the past. Please check the date.")
        return when


class RenewLinkForm(forms.Form):
    """Staff's "Make a new link": the address it is emailed to, and the appointment it works until the day after."""

    email = forms.EmailField(
        label="Patient's email",
        help_text="The new link is emailed here. Staff never see it.",
        error_messages={"required": MSG_EMAIL_FOR_LINK},
    )
    appointment_at = forms.DateTimeField(
        label="Appointment date and time",
        help_text="The link works until the end of the day after it.",
        widget=_APPOINTMENT_WIDGET,
        input_formats=_APPOINTMENT_FORMATS,
    )

    def clean_appointment_at(self) -> datetime.datetime:
        from intake.services.invitations import MSG_RENEW_APPOINTMENT_PAST

        when: datetime.datetime = self.cleaned_data["appointment_at"]
        if when <= timezone.now():
            raise ValidationError(MSG_RENEW_APPOINTMENT_PAST)
        return when
