"""Django forms of the patient's pages (the questionnaire pages, the birth-date check, the emergency page, the
one-time code) and of the staff invitation pages.

A page form is built from the page's catalogue entry (intake.rules.questionnaire). Its fields only turn posted text
into typed values (dates from three boxes and measurements in the clinic's units: intake.patient_fields); whether the
values make sense (required, ranges, dates, cross-field rules) is decided by intake.rules.questionnaire_checks on the
whole intake so far, so the messages are the catalogue's own. Questions that do not apply given the answers are
ignored, whatever was posted for them. The catalogue's wording is English marked for translation: what the page
shows (labels, hints, choices, messages) is translated here, in the patient's language.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from intake.models import Patient
from intake.patient_fields import (
    PART_LABELS,
    DatePartsField,
    MeasureField,
    box_name,
    clinic_units,
    date_order,
    date_parts,
    date_problem_parts,
    say,
)
from intake.rules import conditions, units
from intake.rules.page_rules import bound_rule
from intake.rules.questionnaire import Page, Question, Step, questions_that_apply
from intake.rules.questionnaire_checks import (
    MSG_INVALID_CHOICE,
    MSG_NOT_A_NUMBER,
    is_blank,
    validate_questions,
)

MSG_ODD_CHARACTERS = gettext_lazy("Please remove any unusual characters from your answer.")
MSG_DOB_REQUIRED = gettext_lazy("Enter your date of birth")
MSG_DOB_WRONG = gettext_lazy("This date of birth does not match our records. Please check it and try again.")
MSG_CODE_REQUIRED = gettext_lazy("Please enter the code from the email.")
MSG_CODE_FORMAT = gettext_lazy("The code is 6 numbers, like 123456. Please check it and try again.")
MSG_CODE_WRONG = gettext_lazy("This code does not match the one we sent. Please check the email and try again.")
MSG_CODE_TRIED_OUT = gettext_lazy("This code does not match, and it cannot be tried again. Please send a new code.")
MSG_CODE_DEAD = gettext_lazy(
    "This code no longer works: a code works only for a few minutes, and only the newest one. Please send a new code."
)
MSG_CONSENT_CHOICE = gettext_lazy("Choose whether you agree to share your answers")
MSG_EMAIL_FOR_LINK = (
    "Enter the patient's email: the link is only ever emailed to the patient (text messages are not available yet)."
)
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
# Commas are thousands separators (US clinic default); at most 9 digits and 2 decimals are read as a number.
_NUMBER = re.compile(r"-?\d{1,9}(\.\d{1,2})?|-?\.\d{1,2}")
_MEASURABLE = Decimal(10) ** 9  # a stored measurement is shown in the clinic's units only below this


class NumberField(forms.Field):
    """Text in, int (or Decimal with a fraction) out; anything else gets the catalogue's "enter a number"."""

    def to_python(self, value: Any) -> int | Decimal | None:
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(",", "")
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            raise ValidationError(say(MSG_NOT_A_NUMBER), code="invalid")
        number = Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return int(number) if number == number.to_integral_value() else number


def _choices(question: Question) -> list[tuple[str, str]]:
    return [(choice.code, choice.label) for choice in question.choices]


def field_for(question: Question, system: units.System = "us") -> forms.Field:
    messages = {"invalid_choice": say(MSG_INVALID_CHOICE), "invalid_list": say(MSG_INVALID_CHOICE)}
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
    if question.measure is not None:
        return MeasureField(question, system)
    if question.kind in ("integer", "decimal"):
        return NumberField(required=False)
    if question.kind == "date":
        return DatePartsField(date_name=question.date_name)
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


def as_post_data(step: Step | Page, answers: Mapping[str, object]) -> QueryDict:
    """Typed answers as one value per question (to re-check saved answers, in tests and scripts): a date as ISO
    text, a measurement as its stored metric number. The pages also take these in place of their boxes."""
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
    """One page of the questionnaire (or a whole step). `earlier` is the whole intake so far (other pages' answers,
    typed); `system` the clinic's units (intake.rules.units)."""

    def __init__(
        self,
        step: Step | Page,
        *,
        earlier: Mapping[str, object],
        today: datetime.date,
        data: Mapping[str, Any] | None = None,
        initial: Mapping[str, object] | None = None,
        system: units.System | None = None,
    ) -> None:
        self.step = step
        # What the page stores without asking (the running page's "km") is part of what its answers are checked with.
        self.stores: dict[str, str] = dict(step.stores) if isinstance(step, Page) else {}
        self.system: units.System = system or clinic_units()
        self.codes = [question.code for question in step.questions]
        self.earlier = {code: value for code, value in earlier.items() if code not in self.codes}
        self.today = today
        self.step_answers: dict[str, object] = {}
        super().__init__(data=data, initial=dict(initial or {}))
        for question in step.questions:
            self.fields[question.code] = field_for(question, self.system)

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
        problems = validate_questions(self.step, {**self.earlier, **self.stores, **self.step_answers}, today=self.today)
        for code, message in problems.items():
            if code not in self.errors:
                self.add_error(code, say(message))
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
                anchor = QuestionView.anchor_for(question, self[question.code].value(), self.system)
                summary.append((anchor, say(question.label), str(message)))
        return summary


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
        pairs = [(str(n), str(n)) for n in range(11)] if question.kind == "scale" else _choices(question)
        shown_label = (lambda label: label) if question.kind == "scale" else say
        options = [
            Option(code, shown_label(label), f"id_{question.code}_{index}", code in chosen)
            for index, (code, label) in enumerate(pairs)
        ]
        errors = [str(message) for message in form.errors.get(question.code, [])] if form.is_bound else []
        boxes: list[InputBox] = []
        if question.kind == "date":
            boxes = _date_boxes(question.code, raw, errors)
            value = ""
        elif question.measure is not None:
            boxes = _measure_boxes(question, question.measure, raw, form, errors)
            value = ""
        elif question.kind == "consent":
            value = "on" if raw in (True, "on", "true", "True") else ""
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


def _date_boxes(code: str, raw: object, errors: list[str]) -> list[InputBox]:
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
        number = Decimal(text.replace(",", ""))
        if not number.is_finite() or abs(number) >= _MEASURABLE:
            raise ArithmeticError(text)
        unit = form.earlier.get("distance_unit") if measure == "distance" else None
        return units.as_parts(measure, form.system, number, stored_unit=unit if isinstance(unit, str) else None)
    except ArithmeticError:
        return {units.boxes(measure, form.system)[0].part: text}


class IdentityForm(forms.Form):
    """The birth-date check that opens a link: three boxes in the clinic's order. A date that is not a real date
    is refused here, before the invitation is asked, so it never uses up one of the tries."""

    date_of_birth = DatePartsField(
        date_name="Date of birth", past_only=True, required=True, error_messages={"required": MSG_DOB_REQUIRED}
    )

    def boxes(self) -> list[InputBox]:
        field = self["date_of_birth"]
        return _date_boxes("date_of_birth", field.value(), [str(error) for error in field.errors])

    def anchor(self) -> str:
        return f"id_{box_name('date_of_birth', date_problem_parts(self['date_of_birth'].value())[0])}"


class ConsentForm(forms.Form):
    """Consent before the first question: "yes" to agree and start, "no" to be told what to do instead."""

    consent = forms.ChoiceField(
        choices=[("yes", "yes"), ("on", "on"), ("no", "no")],
        error_messages={"required": MSG_CONSENT_CHOICE, "invalid_choice": MSG_CONSENT_CHOICE},
    )

    @property
    def agreed(self) -> bool:
        return self.cleaned_data.get("consent") in ("yes", "on")


class AcknowledgeForm(forms.Form):
    acknowledged = forms.BooleanField(
        label=gettext_lazy("I have read this message."),
        error_messages={"required": gettext_lazy("Please tick the box to show you have read this message.")},
    )


class CodeForm(forms.Form):
    """The one-time code from the patient's email (spaces and dashes typed with it are ignored)."""

    code = forms.CharField(
        label=gettext_lazy("Code from the email"),
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


MSG_NAME_REQUIRED = "Enter the patient's full name."
MSG_EMAIL_TO_SEND = (
    "Enter the patient's email to email the link now, or choose “Save without emailing” and email a link from the "
    "invitation's page when you have the address."
)
MSG_EMAIL_INVALID = "Enter the email address in the right format, like name@example.com."
MSG_DOB_FOR_INVITATION = "Enter the patient's date of birth."
MSG_DOB_NOT_A_DATE = "Enter the date of birth as a real date, like 08/14/1979."
MSG_APPOINTMENT_REQUIRED = "Enter the appointment date and time."
MSG_APPOINTMENT_NOT_A_TIME = "Enter the appointment as a date and a time, like 05/06/2030 09:30 AM."
MSG_LANGUAGE_CHOICE = "Choose a language from the list."


def language_choices() -> list[tuple[str, str]]:
    """The portal's languages named for English-speaking staff: "English", "Spanish (español)"."""
    choices = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        local = info["name_local"]
        choices.append((code, info["name"] if local == info["name"] else f"{info['name']} ({local})"))
    return choices


class InvitationForm(forms.Form):
    """Front desk's "Invite a patient". The e-mail is needed only to e-mail the link now (`send_email`, set by the
    "Email the link" button): a patient booked by phone without an address gets an invitation saved now and a link
    e-mailed from its page later (RenewLinkForm).

    The invitation joins the patient's record (issue 12): the one staff picked from the search (`patient`), else the
    one with the same name, birth date and e-mail (intake.services.patients.record_for), else a new one."""

    patient_name = forms.CharField(
        label="Patient's full name", max_length=200, error_messages={"required": MSG_NAME_REQUIRED}
    )
    email = forms.EmailField(
        label="Patient's email",
        required=False,
        help_text="The link is emailed here; staff never see it. Leave it empty if you do not have it yet.",
        error_messages={"invalid": MSG_EMAIL_INVALID},
    )
    # Not required: the select always posts one; a post without it (a script, an older page) gets English.
    language = forms.ChoiceField(
        label="Language",
        choices=language_choices,
        initial="en",
        required=False,
        help_text="The patient's form and e-mails start in this language; they can switch on every page.",
        error_messages={"invalid_choice": MSG_LANGUAGE_CHOICE},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        help_text="The patient types this to open the link.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"required": MSG_DOB_FOR_INVITATION, "invalid": MSG_DOB_NOT_A_DATE},
    )
    appointment_at = forms.DateTimeField(
        label="Appointment date and time",
        widget=_APPOINTMENT_WIDGET,
        input_formats=_APPOINTMENT_FORMATS,
        error_messages={"required": MSG_APPOINTMENT_REQUIRED, "invalid": MSG_APPOINTMENT_NOT_A_TIME},
    )
    # Stored in E.164, shown in the clinic's national format (PHONENUMBER_DEFAULT_REGION, PHONENUMBER_DEFAULT_FORMAT);
    # a number from abroad is typed with + and its country code.
    phone = PhoneNumberField(
        label="Patient's mobile phone",
        required=False,
        help_text="For text messages about the questionnaires, and shown to clinicians who need to call the patient. "
        "Leave it empty if you do not have it.",
        error_messages={
            "invalid": "Enter a phone number the clinic could call, like (201) 555-0123, or one that starts with + "
            "and the country code."
        },
    )
    # The patient record staff picked from the search: set by the "Use this record" button, never typed.
    patient = forms.ModelChoiceField(queryset=Patient.objects.all(), required=False, widget=forms.HiddenInput)
    # Not shown as a box: the "Email the link" button posts it, "Save without emailing" does not.
    send_email = forms.BooleanField(required=False)

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

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or "en")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("send_email") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", MSG_EMAIL_TO_SEND)
        return cleaned


class RenewLinkForm(forms.Form):
    """Staff's "Make a new link": the address it is emailed to, and the appointment it works until the day after."""

    email = forms.EmailField(
        label="Patient's email",
        help_text="The new link is emailed here. Staff never see it.",
        error_messages={"required": MSG_EMAIL_FOR_LINK, "invalid": MSG_EMAIL_INVALID},
    )
    appointment_at = forms.DateTimeField(
        label="Appointment date and time",
        help_text="The link works until the end of the day after it.",
        widget=_APPOINTMENT_WIDGET,
        input_formats=_APPOINTMENT_FORMATS,
        error_messages={"required": MSG_APPOINTMENT_REQUIRED, "invalid": MSG_APPOINTMENT_NOT_A_TIME},
    )
    # Not required: a post without it (an older page) keeps the invitation's language.
    language = forms.ChoiceField(
        label="Language",
        choices=language_choices,
        required=False,
        help_text="The e-mail and the patient's form start in this language.",
        error_messages={"invalid_choice": MSG_LANGUAGE_CHOICE},
    )

    def clean_appointment_at(self) -> datetime.datetime:
        from intake.services.invitations import MSG_RENEW_APPOINTMENT_PAST

        when: datetime.datetime = self.cleaned_data["appointment_at"]
        if when <= timezone.now():
            raise ValidationError(MSG_RENEW_APPOINTMENT_PAST)
        return when
