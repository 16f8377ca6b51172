"""Outcome measures across visits (issue 12): PEG and PSFS scored from a pre-visit intake's and a follow-up's answers,
and a follow-up in FHIR: its own published Questionnaire, and a Bundle that validates and links to it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from intake import services
from intake.rules import answers as answer_codec
from intake.rules.catalogue import FOLLOW_UP
from outcomes import registry
from outcomes.instruments.scoring import change_is_important, score
from tests.intake.factories import follow_up_answers, follow_up_for, submitted_intake

pytestmark = pytest.mark.django_db

SITE = "https://portal.clinic.example"
FOLLOW_UP_PATH = "/fhir/Questionnaire/spine-follow-up-2027.1"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def answered_follow_up(**changes: object):  # type: ignore[no-untyped-def]
    visit = submitted_intake(psfs_1_activity="Running", psfs_1=4)
    _invitation, _token, intake = follow_up_for(visit)
    now = timezone.now()
    for step in FOLLOW_UP.step_slugs:
        services.save_step(intake, step, follow_up_answers(**changes), now=now)
    return visit, services.submit_intake(intake, now=now)


def test_peg_and_psfs_are_scored_from_the_intake_and_the_follow_up_and_the_change_is_read_against_its_mic():
    visit, follow_up = answered_follow_up()
    peg, psfs = registry.instrument("peg"), registry.instrument("psfs")
    before, after = answer_codec.from_json(visit.answers), answer_codec.from_json(follow_up.answers)

    peg_before, peg_after = score(peg, before), score(peg, after)
    psfs_before, psfs_after = score(psfs, before), score(psfs, after)

    assert peg_before is not None
    assert peg_before.value == Decimal("3.7")
    assert peg_after is not None
    assert peg_after.value == Decimal("2.0")
    assert change_is_important(peg_before, peg_after, peg)
    assert psfs_before is not None
    assert psfs_before.value == Decimal("4.0")
    assert psfs_after is not None
    assert psfs_after.value == Decimal("7.0")
    assert change_is_important(psfs_before, psfs_after, psfs)


def test_the_follow_up_questionnaire_is_published_valid_and_starts_with_the_safety_questions(client):
    response = client.get(FOLLOW_UP_PATH)
    assert response.status_code == 200
    data = json.loads(response.content)
    Questionnaire.model_validate(data)
    assert (data["id"], data["version"], data["url"]) == ("spine-follow-up-2027.1", "2027.1", f"{SITE}{FOLLOW_UP_PATH}")
    link_ids = [item["linkId"] for item in data["item"]]
    assert link_ids[:7] == ["ce_saddle_numbness", "ce_wiping_sensation", "ce_urine_start_difficulty",
                            "ce_urine_leak_or_no_sensation", "ce_bowel_control", "ce_both_legs_weaker",
                            "ce_sexual_change"]  # fmt: skip
    assert {"hands_clumsy", "balance_worse", "global_change", "follow_up_running", "psfs_1"} <= set(link_ids)
    assert "consent" not in link_ids


def test_a_follow_ups_bundle_validates_links_to_the_follow_up_questionnaire_and_carries_its_scores(client, clinician):
    _visit, follow_up = answered_follow_up()
    client.force_login(clinician)
    bundle = json.loads(client.get(reverse("outcomes:intake-fhir", args=[follow_up.pk])).content)
    Bundle.model_validate(bundle)
    [response] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert response["questionnaire"] == f"{SITE}{FOLLOW_UP_PATH}"
    published = {item["linkId"] for item in json.loads(client.get(FOLLOW_UP_PATH).content)["item"]}
    assert {item["linkId"] for item in response["item"]} <= published
    assert {item["linkId"]: item["answer"] for item in response["item"]}["global_change"][0]["valueCoding"][
        "code"
    ] == "better"
    scores = {
        e["resource"]["code"]["coding"][0]["code"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }
    assert {"peg", "psfs", "global_change", "running_status"} <= set(scores)
    assert scores["peg"]["valueQuantity"]["value"] == 2.0
