"""The patient's answers as the patient reads them back: the review page (a "Change" link per answer) and the
printable copy after sending. In the patient's language and the clinic's units ("5 ft 10 in", "160 lb"), grouped by
the form's steps; staff screens have their own English display (dashboard.presenters).

Public API
----------
- ``AnswerRow(code, question, value, change_url)``, ``AnswerSection(slug, title, rows)``.
- ``answer_sections(answers, *, today, system, changeable, form=INTAKE) -> list[AnswerSection]``: for the form
  (``intake.rules.catalogue``: the intake or a follow-up), every question asked on a page,
  answered or not ("Not answered" for a skipped optional one); with ``changeable``, each row links to its page with
  ``?next=review``, so saving it comes back to the review page.
- ``shown_value(question, answers, system) -> str``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from intake.patient_fields import clinic_phone_region, say
from intake.rules import phone_numbers, units
from intake.rules.catalogue import INTAKE, Form
from intake.rules.questionnaire import Question, as_codes, as_date, number_value
from intake.rules.questionnaire import questions_that_apply as asked_on
from intake.rules.questionnaire_checks import format_number, is_blank

NEXT_REVIEW = "review"  # the one value ?next= may take (intake.patient_views: no other place is ever redirected to)


@dataclass(frozen=True)
class AnswerRow:
    code: str
    question: str
    value: str
    change_url: str
    answered: bool = True


@dataclass(frozen=True)
class AnswerSection:
    slug: str
    title: str
    rows: list[AnswerRow]

    @property
    def answered(self) -> int:
        """How many of the step's questions have an answer (the review page's count; "Not answered" rows left out)."""
        return sum(row.answered for row in self.rows)


def shown_value(question: Question, answers: Mapping[str, object], system: units.System) -> str:
    value = answers.get(question.code)
    if question.kind == "consent":
        return gettext("Yes") if value is True else gettext("No")
    if is_blank(value):
        return gettext("Not answered")
    if question.measure is not None:
        number = number_value(value)
        if number is not None:
            unit = answers.get("distance_unit")
            stored_unit = unit if isinstance(unit, str) else None
            return say(units.describe(question.measure, system, Decimal(number), stored_unit=stored_unit))
    if question.kind == "phone":
        return phone_numbers.shown(value, clinic_phone_region())
    if question.kind == "date":
        day = as_date(value)
        return date_format(day, "DATE_FORMAT") if isinstance(day, datetime.date) else str(value)
    if question.choices:
        codes = as_codes(value) if question.kind == "multi" else (str(value),)
        return ", ".join(say(question.choice_label(code)) for code in codes)
    number = number_value(value)
    if number is not None:
        return format_number(number)
    return str(value).strip()


def answer_sections(
    answers: Mapping[str, object],
    *,
    today: datetime.date,
    system: units.System,
    changeable: bool,
    form: Form = INTAKE,
) -> list[AnswerSection]:
    sections = []
    for step in form.steps:
        rows = []
        for question in asked_on(step, answers, today=today):
            page = form.page_of(question.code)
            if page is None or page.slug == form.consent_page:
                continue
            url = ""
            if changeable:
                url = f"{reverse('intake:step', args=[page.slug])}?next={NEXT_REVIEW}#q-{question.code}"
            answered = question.kind == "consent" or not is_blank(answers.get(question.code))
            rows.append(
                AnswerRow(question.code, say(question.label), shown_value(question, answers, system), url, answered)
            )
        if rows:
            sections.append(AnswerSection(step.slug, say(step.title), rows))
    return sections
