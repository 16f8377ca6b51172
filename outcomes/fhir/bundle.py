"""One intake as a FHIR Bundle (type collection): Patient, QuestionnaireResponse, and an Observation per score.

- Patient: the name as written on the invitation (``name.text``) and the birth date the patient confirmed.
- QuestionnaireResponse: ``completed`` once the intake was sent, else ``in-progress`` (an intake stopped after a
  red flag at the safety step); it points at the published Questionnaire (``questionnaire.py``) and holds one item
  per answered question, linkId = field code, in the form's order, each answer typed by the question's kind
  (valueCoding, valueInteger, valueDecimal, valueDate, valueString, valueBoolean for consent). Stored answers whose
  code the current form no longer has, and values of the wrong type, are left out rather than guessed at.
- Observation (category survey) for each instrument whose score the answers give (``outcomes.instruments``; PEG once
  all three of its items are answered, the PSFS once one activity is rated): the score as valueQuantity (a choice
  instrument's as valueCodeableConcept), the band as interpretation text, each scored item as a component (a PSFS
  component's text is the activity the patient named), derivedFrom the QuestionnaireResponse. ``final`` for a sent
  intake, ``preliminary`` otherwise.

Ids are UUIDs derived from SITE_URL and the intake id, so exporting the same intake twice gives the same ids; the
Bundle's timestamp is the time of export. The QuestionnaireResponse carries the intake id as an identifier, so a
receiving system can match a later export of the same intake.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from intake.rules.catalogue import INTAKE, Form, form_for
from intake.rules.form_versions import INTAKE_FORM
from intake.rules.questionnaire import Question, as_codes
from outcomes.fhir import codes
from outcomes.fhir.questionnaire import questions
from outcomes.fhir.validation import validated
from outcomes.instruments.model import Instrument
from outcomes.instruments.scoring import Score, score

if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle

    from intake.models import Intake


@dataclass(frozen=True)
class IntakeRecord:
    """What the Bundle is made of, read from one intake row and its invitation."""

    intake_id: int
    completed: bool
    authored: datetime.datetime
    answers: Mapping[str, object]
    patient_name: str
    birth_date: datetime.date
    form_version: str = INTAKE_FORM  # which form the answers were given on: the Questionnaire the response links to


def record_of(intake: Intake) -> IntakeRecord:
    from intake.models import Intake

    return IntakeRecord(
        intake_id=intake.pk,
        completed=intake.status == Intake.Status.SUBMITTED,
        authored=intake.submitted_at or intake.updated_at,
        answers=dict(intake.answers or {}),
        patient_name=intake.invitation.patient_name,
        birth_date=intake.invitation.date_of_birth,
        form_version=intake.form_version,
    )


def _uuid(site_url: str, intake_id: int, what: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site_url}/intake/{intake_id}/{what}"))


def _coding(question: Question, code: str, site_url: str) -> dict[str, Any]:
    coding = {"system": codes.answer_system(site_url, question.code), "code": code}
    if code in question.choice_codes:
        coding["display"] = question.choice_label(code)
    return {"valueCoding": coding}


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)) and value == int(value):
        return int(value)
    return None


def typed_answers(question: Question, value: object, site_url: str) -> list[dict[str, Any]]:
    """The FHIR answers of one stored answer ([] when there is nothing, or nothing of the right type)."""
    kind = question.kind
    if kind in ("yns", "yn", "choice"):
        return [_coding(question, value, site_url)] if isinstance(value, str) and value else []
    if kind == "multi":
        return [_coding(question, code, site_url) for code in as_codes(value)]
    if kind in ("integer", "scale"):
        number = _whole(value)
        return [{"valueInteger": number}] if number is not None else []
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return []
        return [{"valueDecimal": Decimal(str(value))}]
    if kind == "date":
        day = value if isinstance(value, datetime.date) else _iso_date(value)
        return [{"valueDate": day.isoformat()}] if day is not None else []
    if kind in ("text", "phone"):
        text = value.strip() if isinstance(value, str) else ""
        return [{"valueString": text}] if text else []
    if kind == "consent":
        return [{"valueBoolean": value}] if isinstance(value, bool) else []
    return []


def _iso_date(value: object) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def response_items(answers: Mapping[str, object], site_url: str, form: Form = INTAKE) -> list[dict[str, Any]]:
    items = []
    for question in questions(form):
        answered = typed_answers(question, answers.get(question.code), site_url)
        if answered:
            items.append({"linkId": question.code, "text": question.label, "answer": answered})
    return items


def _component(instrument: Instrument, code: str, answers: Mapping[str, object], site_url: str) -> dict[str, Any]:
    item = instrument.item(code)
    named = answers.get(item.activity_code) if item.activity_code else None
    text = named.strip() if isinstance(named, str) and named.strip() else item.label
    component: dict[str, Any] = {"code": {"coding": [{"system": codes.field_system(site_url), "code": code}],
                                          "text": text}}  # fmt: skip
    value = answers.get(code)
    if item.kind == "choice" and isinstance(value, str):
        option = item.option(value)
        component["valueCodeableConcept"] = {
            "coding": [{"system": codes.answer_system(site_url, code), "code": value}],
            "text": option.label if option else value,
        }
    else:
        component["valueInteger"] = _whole(value)
    return component


def observation(
    instrument: Instrument, result: Score, record: IntakeRecord, site_url: str, refs: Mapping[str, str]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _uuid(site_url, record.intake_id, f"score/{instrument.code}"),
        "status": "final" if record.completed else "preliminary",
        "category": [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {
            "coding": [
                {"system": codes.instrument_system(site_url), "code": instrument.code, "display": instrument.name},
                *(
                    {"system": c.system, "code": c.code, **({"display": c.display} if c.display else {})}
                    for c in instrument.codings
                ),
            ],
            "text": instrument.name,
        },
        "subject": {"reference": refs["patient"]},
        "effectiveDateTime": record.authored.isoformat(),
        "derivedFrom": [{"reference": refs["response"]}],
        "component": [_component(instrument, code, record.answers, site_url) for code in result.answered],
    }
    if instrument.scoring.method == "choice":
        option = instrument.scored_items[0].option(result.choice)
        data["valueCodeableConcept"] = {
            "coding": [{"system": codes.answer_system(site_url, instrument.scoring.items[0]), "code": result.choice}],
            "text": option.label if option else result.choice,
        }
    else:
        unit = "%" if instrument.unit == "%" else "{score}"
        data["valueQuantity"] = {"value": result.value, "unit": instrument.unit, "system": codes.UCUM, "code": unit}
    if result.band is not None:
        data["interpretation"] = [{"text": result.band.label}]
    return data


def bundle_data(
    record: IntakeRecord, *, site_url: str, now: datetime.datetime, instruments: Iterable[Instrument]
) -> dict[str, Any]:
    form = form_for(record.form_version)
    ids = {what: _uuid(site_url, record.intake_id, what) for what in ("patient", "response", "bundle")}
    refs = {what: f"urn:uuid:{ids[what]}" for what in ("patient", "response")}
    patient = {
        "resourceType": "Patient",
        "id": ids["patient"],
        "name": [{"text": record.patient_name}],
        "birthDate": record.birth_date.isoformat(),
    }
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": ids["response"],
        "identifier": {"system": codes.intake_identifier_system(site_url), "value": str(record.intake_id)},
        "questionnaire": codes.questionnaire_url(site_url, form_version=form.version),
        "status": "completed" if record.completed else "in-progress",
        "subject": {"reference": refs["patient"]},
        "authored": record.authored.isoformat(),
        "item": response_items(record.answers, site_url, form),
    }
    if not response["item"]:
        del response["item"]
    resources: list[dict[str, Any]] = [patient, response]
    for instrument in instruments:
        result = score(instrument, record.answers)
        if result is not None:
            resources.append(observation(instrument, result, record, site_url, refs))
    return {
        "resourceType": "Bundle",
        "id": ids["bundle"],
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource} for resource in resources],
    }


def build_bundle(
    record: IntakeRecord, *, site_url: str, now: datetime.datetime, instruments: Iterable[Instrument]
) -> Bundle:
    """The Bundle, validated by fhir.resources (``FhirInvalid`` otherwise, naming places, never values)."""
    from fhir.resources.R4B.bundle import Bundle

    return validated(Bundle, bundle_data(record, site_url=site_url, now=now, instruments=instruments))
