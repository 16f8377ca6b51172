"""intake/migrations/0029: a form still being answered that stored a red-flag answer before such answers were latched
(every yes before 0004, the fall or leg answers beside a cancer history before they were latched) gets its latch, so
the patient's later "no" no longer takes away a flag staff were alerted for."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from intake import services
from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.questionnaire import page_of
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db

migration = importlib.import_module("intake.migrations.0029_latch_red_flag_answers_stored_before_latching")

LEG_NUMBNESS = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "thigh",
    "worse_back_or_leg": "back",
    "leg_numbness_tingling": "yes",
    "leg_weakness": "no",
    "sitting_eases": "no",
}


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


def _codes(intake: Intake) -> set[str]:
    return set(intake.flags.values_list("code", flat=True))


def _slug(code: str) -> str:
    page = page_of(code)
    assert page is not None
    return page.slug


def test_a_cauda_equina_yes_stored_before_latches_existed_is_kept_when_the_patient_then_says_no(patient):
    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    assert response["Location"] == "/intake/important/"
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    RedFlagAnswer.objects.filter(intake=_intake(patient)).delete()  # stored before 0004: no latch

    migration.latch_stored_red_flag_answers(apps, None)
    latch = RedFlagAnswer.objects.get(intake=_intake(patient), code="ce_saddle_numbness", cleared_at__isnull=True)
    assert (latch.value, latch.given_before) == ("yes", True)

    assert patient.post_step("safety", routine_answers(ce_saddle_numbness="no")).status_code == 302
    intake = _intake(patient)
    assert intake.answers["ce_saddle_numbness"] == "no"
    assert intake.level == Level.URGENT
    assert "CE1" in _codes(intake)


def test_leg_numbness_stored_beside_a_cancer_history_before_it_was_latched_keeps_mscc_when_taken_back(patient):
    answers = routine_answers(**LEG_NUMBNESS)
    answer_up_to(patient, "general_health", answers)
    patient.client.post("/intake/step/general_health/", {"cancer_history": "yes"})
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    assert "MSCC" in _codes(_intake(patient))
    RedFlagAnswer.objects.filter(
        intake=_intake(patient), code="leg_numbness_tingling"
    ).delete()  # before leg answers latched

    migration.latch_stored_red_flag_answers(apps, None)

    slug = _slug("leg_numbness_tingling")
    assert patient.post_step(slug, {**answers, "leg_numbness_tingling": "no"}).status_code == 302
    intake = _intake(patient)
    assert intake.answers["leg_numbness_tingling"] == "no"
    assert intake.level == Level.URGENT
    assert "MSCC" in _codes(intake)


def test_a_latch_a_review_cleared_and_the_forms_not_to_touch_are_left_as_they_are(patient, clinician):
    patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    services.mark_reviewed(_intake(patient), by=clinician, outcome="emergency_care")
    sent = services.create_submitted_intake_for_demo(answers=routine_answers(cancer_history="yes"))
    RedFlagAnswer.objects.filter(intake=sent).delete()
    before = set(RedFlagAnswer.objects.values_list("pk", flat=True))

    migration.latch_stored_red_flag_answers(apps, None)

    assert set(RedFlagAnswer.objects.values_list("pk", flat=True)) == before
    assert not RedFlagAnswer.objects.filter(cleared_at__isnull=True).exists()
