"""The Questionnaire resource of each patient form (the pre-visit intake, the follow-up), read generically from its
``intake.rules.catalogue.Form``; each is published under its form version (``codes.questionnaire_id``).

Every question becomes one item whose linkId is its field code, in the form's order, in a flat list: the pages
(steps) are how the form is shown, not what the answers mean, and they may be regrouped without changing any field
code. Each question's kind gives the item type (yes/no and choices: ``choice`` with the answer codes as Codings of a
code system per question; several choices: ``repeats``; 0-10 scales and counts: ``integer``; ``decimal``; ``date``;
text: ``string`` or ``text``; consent: ``boolean``), with its bounds as minValue/maxValue extensions and its hint as
a display item. A question asked only after certain earlier answers (``Question.applies``, a Python rule that has
no generic FHIR form) is published as not required; the rule is described in the Questionnaire's description.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from intake.rules.catalogue import INTAKE, Form
from intake.rules.questionnaire import STEPS, Question
from outcomes.fhir import codes
from outcomes.fhir.validation import validated

if TYPE_CHECKING:
    from fhir.resources.R4B.questionnaire import Questionnaire

ITEM_TYPES = {
    "yns": "choice",
    "yn": "choice",
    "choice": "choice",
    "multi": "choice",
    "integer": "integer",
    "scale": "integer",
    "decimal": "decimal",
    "date": "date",
    "text": "text",
    "phone": "string",  # FHIR has no phone item type; the answer is the number in E.164
    "consent": "boolean",
}
# Text limited to this many characters is a one-line `string`; longer text is `text`.
SHORT_TEXT = 255
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
DESCRIPTION = (
    "The pre-visit intake of a spine clinic. Each item's linkId is the answer's field code. Questions that are asked "
    "only after certain earlier answers (for example the leg questions after a yes to leg symptoms, the running "
    "questions unless the patient does not run) are not marked required here, even when they must be answered once "
    "asked. Answers to the safety and general-health questions are triaged by the clinic's rules; this form is "
    "screening support, not diagnosis."
)


FOLLOW_UP_DESCRIPTION = (
    "The follow-up questionnaire of a spine clinic, sent at set times after the visit. Each item's linkId is the "
    "answer's field code, the same code as the pre-visit intake's where the question is the same. It repeats the "
    "cauda-equina and cord-compression safety questions, which are triaged by the clinic's rules; this form is "
    "screening support, not diagnosis."
)


def questions(form: Form = INTAKE) -> list[Question]:
    """The form's questions in order, whatever pages they are grouped into."""
    steps = STEPS if form is INTAKE else form.steps
    return [question for step in steps for question in step.questions]


def item_type(question: Question) -> str:
    kind = ITEM_TYPES[question.kind]
    if kind == "text" and question.max_length is not None and question.max_length <= SHORT_TEXT:
        return "string"
    return kind


def _bound(url: str, value: int | Decimal, kind: str) -> dict[str, Any]:
    return {"url": url, "valueInteger" if kind == "integer" else "valueDecimal": value}


def item(question: Question, site_url: str) -> dict[str, Any]:
    kind = item_type(question)
    data: dict[str, Any] = {
        "linkId": question.code,
        "text": question.label,
        "type": kind,
        "required": question.required and question.applies is None,
    }
    if question.kind == "multi":
        data["repeats"] = True
    if question.choices:
        system = codes.answer_system(site_url, question.code)
        data["answerOption"] = [
            {"valueCoding": {"system": system, "code": choice.code, "display": choice.label}}
            for choice in question.choices
        ]
    if question.max_length is not None and kind in ("string", "text"):
        data["maxLength"] = question.max_length
    extensions = [
        _bound(url, value, kind)
        for url, value in ((MIN_VALUE, question.min_value), (MAX_VALUE, question.max_value))
        if value is not None and kind in ("integer", "decimal")
    ]
    if extensions:
        data["extension"] = extensions
    if question.hint:
        data["item"] = [{"linkId": f"{question.code}-hint", "type": "display", "text": question.hint}]
    return data


def questionnaire_data(*, site_url: str, publisher: str, form: Form = INTAKE) -> dict[str, Any]:
    follow_up = form.is_follow_up
    return {
        "resourceType": "Questionnaire",
        "id": codes.questionnaire_id(form_version=form.version),
        "url": codes.questionnaire_url(site_url, form_version=form.version),
        "version": codes.FORM_VERSION if form is INTAKE else codes.edition(form.version),
        "name": "SpineClinicFollowUp" if follow_up else "SpineClinicPreVisitIntake",
        "title": "Follow-up" if follow_up else "Pre-visit intake",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": publisher,
        "description": FOLLOW_UP_DESCRIPTION if follow_up else DESCRIPTION,
        "item": [item(question, site_url) for question in questions(form)],
    }


def build_questionnaire(*, site_url: str, publisher: str, form: Form = INTAKE) -> Questionnaire:
    """The published Questionnaire, validated (``FhirInvalid`` if the catalogue holds something FHIR cannot say)."""
    from fhir.resources.R4B.questionnaire import Questionnaire

    return validated(Questionnaire, questionnaire_data(site_url=site_url, publisher=publisher, form=form))
