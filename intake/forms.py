"""Django forms of the patient's pages (the questionnaire pages, the birth-date check, the emergency page, the
one-time code). The staff's invitation forms are in intake.staff_forms; what the step template shows for each
question is prepared in intake.question_views.

A page form is built from the page's catalogue entry (intake.rules.questionnaire). Its fields only turn posted text
into typed values (dates from three boxes and measurements in the clinic's units: intake.patient_fields); whether the
values make sense (required, ranges, dates, cross-field rules) is decided by intake.rules.questionnaire_checks on the
whole intake so far, so the messages are the catalogue's own. Questions that do not apply given the answers are
ignored, whatever was posted for them. The catalogue's wording is English marked for translation: what the page
shows (labels, hints, choices, messages) is translated here, in the patient's language.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy, gettext_noop

from clinic_portal.text_fields import TypedTextField
from intake.patient_fields import (
    DatePartsField,
    MeasureField,
    box_name,
    clinic_phone_region,
    clinic_units,
    date_problem_parts,
    say,
    typed_number,
)
from intake.question_views import InputBox, QuestionView, date_boxes
from intake.rules import units
from intake.rules.phone_numbers import as_e164
from intake.rules.questionnaire import Choice, Page, Question, Step, questions_that_apply
from intake.rules.questionnaire_checks import (
    MSG_INVALID_CHOICE,
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


class NumberField(forms.Field):
    """Text in, int (or Decimal with a fraction) out; anything else gets the catalogue's "enter a number"."""

    def to_python(self, value: Any) -> int | Decimal | None:
        return None if value in self.empty_values else typed_number(value)


class PhoneAnswerField(forms.CharField):
    """A phone number typed any usual way, in E.164 when it is one (the clinic's country unless it says "+"); other
    text stays as typed, so the catalogue's check can say what is wrong and the box keeps what the patient wrote."""

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value) or "")
        return as_e164(text, clinic_phone_region()) or text


class FixedChoices(BaseChoiceIterator):
    """Choices already in the (code, label) pairs a form field keeps, made once per question: Django normalizes a plain
    list again in the field and then in its widget, which was half the cost of building a question's field on every
    page (issue 16). The labels are the catalogue's English: the field only checks the codes, and the page shows each
    choice from the catalogue in the patient's language (`QuestionView`)."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self.pairs = pairs

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


@functools.cache
def _choices(choices: tuple[Choice, ...]) -> FixedChoices:
    return FixedChoices(tuple((choice.code, choice.label) for choice in choices))


SCALE_CHOICES = FixedChoices(tuple((str(n), str(n)) for n in range(11)))
# Translated when a message is shown, not when each field is built.
CHOICE_ERRORS = {"invalid_choice": gettext_lazy(MSG_INVALID_CHOICE), "invalid_list": gettext_lazy(MSG_INVALID_CHOICE)}


def field_for(question: Question, system: units.System = "us") -> forms.Field:
    if question.kind in ("yns", "yn", "choice"):
        return forms.ChoiceField(choices=_choices(question.choices), required=False, error_messages=CHOICE_ERRORS)
    if question.kind == "scale":
        return forms.TypedChoiceField(
            choices=SCALE_CHOICES, coerce=int, empty_value=None, required=False, error_messages=CHOICE_ERRORS
        )
    if question.kind == "multi":
        return forms.MultipleChoiceField(
            choices=_choices(question.choices), required=False, error_messages=CHOICE_ERRORS
        )
    if question.measure is not None:
        return MeasureField(question, system)
    if question.kind in ("integer", "decimal"):
        return NumberField(required=False)
    if question.kind == "date":
        return DatePartsField(date_name=question.date_name)
    if question.kind == "consent":
        return forms.BooleanField(required=False)
    if question.kind == "phone":
        return PhoneAnswerField(
            required=False, strip=True, error_messages={"null_characters_not_allowed": MSG_ODD_CHARACTERS}
        )
    return TypedTextField(
        required=False, strip=True, error_messages={"null_characters_not_allowed": MSG_ODD_CHARACTERS}
    )


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


class IdentityForm(forms.Form):
    """The birth-date check that opens a link: three boxes in the clinic's order. A date that is not a real date
    is refused here, before the invitation is asked, so it never uses up one of the tries."""

    date_of_birth = DatePartsField(
        date_name=gettext_noop("Date of birth"),
        past_only=True,
        required=True,
        error_messages={"required": MSG_DOB_REQUIRED},
    )

    def boxes(self) -> list[InputBox]:
        field = self["date_of_birth"]
        return date_boxes("date_of_birth", field.value(), [str(error) for error in field.errors])

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
        error_messages={"required": gettext_lazy("Please check the box to show you have read this message.")},
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
