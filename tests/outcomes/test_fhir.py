"""The intake in FHIR R4: the Questionnaire the portal publishes, one intake as a Bundle (staff download and
`manage.py export_fhir`), each validated by fhir.resources and checked against each other."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import logging
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire

from audit.models import AuditEvent
from intake.rules import questionnaire as catalogue
from intake.rules.triage import RULES_VERSION
from outcomes import exports
from outcomes.fhir import codes
from outcomes.fhir import questionnaire as fhir_questionnaire
from outcomes.fhir.validation import FhirInvalid, validated
from tests.dashboard.factories import make_intake
from tests.intake.factories import submitted_intake

pytestmark = pytest.mark.django_db

SITE = "https://portal.clinic.example"
QUESTIONNAIRE_PATH = f"/fhir/Questionnaire/spine-intake-{RULES_VERSION}"
NAME = "Zq Fhirpatient"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def published(client) -> dict:  # type: ignore[type-arg]
    response = client.get(QUESTIONNAIRE_PATH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


def intake_with_outcomes(**extra: object):  # type: ignore[no-untyped-def]
    """A sent intake whose answers also hold PEG's third item and a PSFS activity (as the form will ask them)."""
    intake = submitted_intake()
    intake.invitation.patient_name = NAME
    intake.invitation.save()
    intake.answers.update({"pain_enjoyment_interference": 5, "psfs_1_activity": "Running 10 km", "psfs_1": 3, **extra})
    intake.save()
    return intake


def entries(bundle: dict, resource_type: str) -> list[dict]:  # type: ignore[type-arg]
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]


def conformance_problems(response: dict, questionnaire: dict) -> list[str]:  # type: ignore[type-arg]
    """Where a QuestionnaireResponse does not fit its Questionnaire: unknown linkId, order, answer type, choice."""
    items = {item["linkId"]: item for item in questionnaire["item"]}
    order = list(items)
    value_key = {"choice": "valueCoding", "integer": "valueInteger", "decimal": "valueDecimal", "date": "valueDate",
                 "string": "valueString", "text": "valueString", "boolean": "valueBoolean"}  # fmt: skip
    problems, last = [], -1
    for answered in response.get("item", []):
        item = items.get(answered["linkId"])
        if item is None:
            problems.append(f"{answered['linkId']}: not in the Questionnaire")
            continue
        if order.index(answered["linkId"]) < last:
            problems.append(f"{answered['linkId']}: out of order")
        last = order.index(answered["linkId"])
        if len(answered["answer"]) > 1 and not item.get("repeats"):
            problems.append(f"{answered['linkId']}: several answers to a single-answer item")
        for answer in answered["answer"]:
            if list(answer) != [value_key[item["type"]]]:
                problems.append(f"{answered['linkId']}: {list(answer)} for a {item['type']} item")
            elif item["type"] == "choice" and answer["valueCoding"] not in [
                o["valueCoding"] for o in item["answerOption"]
            ]:
                problems.append(f"{answered['linkId']}: {answer['valueCoding']['code']} is not one of its options")
    return problems


# --- the published Questionnaire -------------------------------------------------------------------------------


def test_the_questionnaire_is_public_fhir_json_with_one_item_per_field_code_in_the_forms_order(client):
    data = published(client)
    Questionnaire.model_validate(data)
    assert data["url"] == f"{SITE}{QUESTIONNAIRE_PATH}"
    assert (data["id"], data["version"], data["status"]) == (f"spine-intake-{RULES_VERSION}", RULES_VERSION, "active")
    codes_in_order = [question.code for step in catalogue.STEPS for question in step.questions]
    assert [item["linkId"] for item in data["item"]] == codes_in_order


def test_each_question_kind_becomes_the_matching_item_type_with_its_options_and_bounds(client):
    items = {item["linkId"]: item for item in published(client)["item"]}
    saddle = items["ce_saddle_numbness"]
    assert (saddle["type"], saddle["required"]) == ("choice", True)
    assert [o["valueCoding"]["code"] for o in saddle["answerOption"]] == ["yes", "no", "not_sure"]
    assert saddle["answerOption"][0]["valueCoding"]["system"] == f"{SITE}/fhir/CodeSystem/answers/ce_saddle_numbness"
    assert saddle["item"][0]["type"] == "display"  # the hint
    pain = items["pain_week_avg"]
    assert pain["type"] == "integer"
    bounds = [(extension["url"].rsplit("/", 1)[1], extension["valueInteger"]) for extension in pain["extension"]]
    assert bounds == [("minValue", 0), ("maxValue", 10)]
    assert (items["pain_locations"]["type"], items["pain_locations"]["repeats"]) == ("choice", True)
    assert (items["weight_kg"]["type"], items["weight_kg"]["required"]) == ("decimal", False)
    assert (items["pain_start_date"]["type"], items["date_of_birth"]["required"]) == ("date", True)
    assert (items["onset_cause_other"]["type"], items["onset_cause_other"]["maxLength"]) == ("string", 200)
    assert items["medications"]["type"] == "text"
    assert items["consent"]["type"] == "boolean"
    # Asked only after a yes to leg symptoms: must be answered then, but not by everyone.
    assert items["leg_side"]["required"] is False


def test_the_questionnaire_does_not_depend_on_how_the_questions_are_grouped_into_pages(monkeypatch, client):
    before = published(client)["item"]
    one_per_page = tuple(
        catalogue.Step(f"page-{n}", question.label, "", (question,))
        for n, question in enumerate(q for step in catalogue.STEPS for q in step.questions)
    )
    monkeypatch.setattr(fhir_questionnaire, "STEPS", one_per_page)
    exports.questionnaire_json.cache_clear()  # the published form is kept once built
    assert published(client)["item"] == before
    exports.questionnaire_json.cache_clear()


def test_an_unknown_questionnaire_is_a_fhir_not_found(client):
    response = client.get("/fhir/Questionnaire/spine-intake-1999.1")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/fhir+json"
    assert json.loads(response.content)["resourceType"] == "OperationOutcome"


# --- one intake as a Bundle ------------------------------------------------------------------------------------


def test_the_staff_download_is_a_valid_bundle_whose_response_fits_the_published_questionnaire(client, clinician):
    intake = intake_with_outcomes()
    client.force_login(clinician)
    response = client.get(reverse("outcomes:intake-fhir", args=[intake.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"] == f'attachment; filename="intake-{intake.pk}-fhir.json"'
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    [patient] = entries(bundle, "Patient")
    assert (patient["name"], patient["birthDate"]) == ([{"text": NAME}], "1985-03-27")
    [answers] = entries(bundle, "QuestionnaireResponse")
    assert answers["status"] == "completed"
    assert answers["questionnaire"] == f"{SITE}{QUESTIONNAIRE_PATH}"
    assert answers["subject"]["reference"] == next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is patient)
    assert conformance_problems(answers, published(client)) == []


def test_every_stored_answer_is_in_the_response_under_its_field_code_with_its_type(client, clinician):
    intake = intake_with_outcomes()
    client.force_login(clinician)
    bundle = json.loads(client.get(reverse("outcomes:intake-fhir", args=[intake.pk])).content)
    [response] = entries(bundle, "QuestionnaireResponse")
    by_code = {item["linkId"]: item["answer"] for item in response["item"]}
    in_form = {code for code in intake.answers if code in catalogue.QUESTIONS}
    assert set(by_code) == in_form
    assert by_code["ce_saddle_numbness"] == [{"valueCoding": {
        "system": f"{SITE}/fhir/CodeSystem/answers/ce_saddle_numbness", "code": "no", "display": "No"}}]  # fmt: skip
    assert by_code["pain_week_avg"] == [{"valueInteger": 4}]
    assert by_code["weight_kg"] == [{"valueDecimal": 61.5}]
    assert by_code["pain_start_date"] == [{"valueDate": intake.answers["pain_start_date"]}]
    assert by_code["consent"] == [{"valueBoolean": True}]
    assert [a["valueCoding"]["code"] for a in by_code["training_changes"]] == ["distance"]


@pytest.mark.parametrize("stored", [16.46, 800])
def test_the_walking_distance_goes_to_fhir_whether_stored_to_the_cent_or_in_whole_meters(client, clinician, stored):
    """An answer to the cent under an "integer" item was left out of the export; one stored before still goes out."""
    intake = intake_with_outcomes(leg_symptoms="yes", walking_distance_m=stored)
    client.force_login(clinician)
    bundle = json.loads(client.get(reverse("outcomes:intake-fhir", args=[intake.pk])).content)
    [response] = entries(bundle, "QuestionnaireResponse")
    by_code = {item["linkId"]: item["answer"] for item in response["item"]}
    assert by_code["walking_distance_m"] == [{"valueDecimal": stored}]
    assert conformance_problems(response, published(client)) == []


def test_peg_and_psfs_scores_are_observations_derived_from_the_response(client, clinician):
    intake = intake_with_outcomes()
    client.force_login(clinician)
    bundle = json.loads(client.get(reverse("outcomes:intake-fhir", args=[intake.pk])).content)
    observations = {o["code"]["coding"][0]["code"]: o for o in entries(bundle, "Observation")}
    assert set(observations) == {"peg", "psfs"}
    peg = observations["peg"]
    assert peg["code"]["coding"][0]["system"] == f"{SITE}/fhir/CodeSystem/outcome-instruments"
    assert peg["valueQuantity"]["value"] == 4.0  # (4 + 5 + 3) / 3
    assert peg["interpretation"] == [{"text": "Moderate"}]
    assert (peg["status"], peg["category"][0]["coding"][0]["code"]) == ("final", "survey")
    [response_entry] = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert peg["derivedFrom"] == [{"reference": response_entry["fullUrl"]}]
    psfs = observations["psfs"]
    assert psfs["valueQuantity"]["value"] == 3.0
    assert [(c["code"]["text"], c["valueInteger"]) for c in psfs["component"]] == [("Running 10 km", 3)]


def test_without_pegs_third_item_there_is_no_peg_observation(clinician, client):
    intake = submitted_intake()  # an intake answered before the form asked PEG's third item and the PSFS
    for code in ("pain_enjoyment_interference", "psfs_1_activity", "psfs_1"):
        intake.answers.pop(code)
    intake.save()
    client.force_login(clinician)
    bundle = json.loads(client.get(reverse("outcomes:intake-fhir", args=[intake.pk])).content)
    assert entries(bundle, "Observation") == []


def test_an_intake_stopped_at_the_safety_step_exports_as_in_progress(client, clinician):
    intake = make_intake("urgent_saddle_bladder", safety_only=True)
    client.force_login(clinician)
    bundle = json.loads(client.get(reverse("outcomes:intake-fhir", args=[intake.pk])).content)
    [response] = entries(bundle, "QuestionnaireResponse")
    assert response["status"] == "in-progress"
    assert {item["linkId"] for item in response["item"]} <= set(catalogue.CE_QUESTION_CODES) | {"ce_onset"}


def test_the_download_is_audited_like_the_intake_page_and_logs_no_patient_data(client, clinician, caplog):
    caplog.set_level(logging.DEBUG)
    intake = intake_with_outcomes()
    client.force_login(clinician)
    client.get(reverse("outcomes:intake-fhir", args=[intake.pk]))
    event = AuditEvent.objects.get(action="exported_intakes")
    assert (event.intake_id, event.actor, event.detail) == (intake.pk, clinician, "FHIR R4 Bundle downloaded")
    assert NAME not in caplog.text
    assert "Running 10 km" not in caplog.text


def test_the_download_needs_the_permission_to_read_answers_and_an_assessed_intake(client, front_desk, clinician):
    intake = intake_with_outcomes()
    client.force_login(front_desk)
    assert client.get(reverse("outcomes:intake-fhir", args=[intake.pk])).status_code == 403
    unassessed = make_intake()
    unassessed.level = None
    unassessed.save()
    client.force_login(clinician)
    assert client.get(reverse("outcomes:intake-fhir", args=[unassessed.pk])).status_code == 404
    assert client.get(reverse("outcomes:intake-fhir", args=[999999])).status_code == 404
    assert not AuditEvent.objects.filter(action="exported_intakes").exists()


def test_the_intake_page_offers_the_download(client, clinician):
    intake = intake_with_outcomes()
    client.force_login(clinician)
    html = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()
    assert f'href="/staff/intakes/{intake.pk}/fhir/"' in html
    assert "Download FHIR file" in html


def test_building_the_bundle_reads_the_database_once(django_assert_num_queries):
    intake_id = intake_with_outcomes().pk
    with django_assert_num_queries(1):
        intake = exports.intake_for_export(intake_id)
        assert intake is not None
        bundle = exports.intake_bundle(intake)
    assert [type(entry.resource).__name__ for entry in bundle.entry or []] == [
        "Patient", "QuestionnaireResponse", "Observation", "Observation"
    ]  # fmt: skip


# --- manage.py export_fhir ---------------------------------------------------------------------------------------


def test_export_fhir_prints_the_bundle_whose_response_matches_the_stored_answers(caplog):
    caplog.set_level(logging.DEBUG)
    intake = intake_with_outcomes()
    out = io.StringIO()
    call_command("export_fhir", intake=intake.pk, stdout=out)
    bundle = json.loads(out.getvalue())
    Bundle.model_validate(bundle)
    [response] = entries(bundle, "QuestionnaireResponse")
    assert {item["linkId"]: item["answer"] for item in response["item"]}["pain_interference"] == [{"valueInteger": 3}]
    assert {o["code"]["coding"][0]["code"] for o in entries(bundle, "Observation")} == {"peg", "psfs"}
    assert AuditEvent.objects.get(action="exported_intakes").intake_id == intake.pk
    assert NAME not in caplog.text


def test_export_fhir_names_a_missing_intake():
    with pytest.raises(CommandError, match="There is no intake 999999"):
        call_command("export_fhir", intake=999999, stdout=io.StringIO())


def test_a_bundle_that_does_not_validate_is_reported_without_the_patients_data():
    with pytest.raises(FhirInvalid) as raised:
        validated(Patient, {"resourceType": "Patient", "birthDate": "Zq Secret 1985"})
    assert "birthDate" in str(raised.value)
    assert "Zq Secret" not in str(raised.value)


def test_the_export_ids_are_stable_and_the_timestamp_is_the_time_of_export():
    from outcomes.fhir.bundle import IntakeRecord, bundle_data

    record = IntakeRecord(
        intake_id=7,
        completed=True,
        authored=datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC),
        answers={"pain_week_avg": 6, "pain_enjoyment_interference": 6, "pain_interference": 7},
        patient_name="Ann Example",
        birth_date=datetime.date(1980, 1, 2),
    )
    first = bundle_data(record, site_url=SITE, now=record.authored, instruments=[])
    later = bundle_data(
        dataclasses.replace(record, answers={**record.answers, "pain_now": 2}),
        site_url=SITE,
        now=record.authored + datetime.timedelta(days=1),
        instruments=[],
    )
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in later["entry"]]
    assert first["timestamp"] != later["timestamp"]
    assert codes.questionnaire_url(SITE) == f"{SITE}{QUESTIONNAIRE_PATH}"
    assert Decimal(str(first["entry"][1]["resource"]["item"][0]["answer"][0]["valueInteger"])) == 6


def test_the_published_distance_bounds_allow_the_longest_distance_a_us_runner_may_type(client):
    """250 miles a week is stored as 402.34 km; the published items said maxValue 400 (stop-32 review)."""
    items = {item["linkId"]: item for item in published(client)["item"]}
    for code in ("weekly_distance", "weekly_distance_before", "longest_run"):
        bounds = {
            extension["url"].rsplit("/", 1)[1]: extension["valueDecimal"] for extension in items[code]["extension"]
        }
        assert bounds == {"minValue": 0, "maxValue": 402.34}, code
