"""A fall as the cause of the pain is a red-flag answer (SP7) and is latched like a yes: changing the cause later
keeps SP7 until a clinician's review with an outcome (docs/clinical/TRIAGE.md, "Latched red flags and partial
pages")."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Intake, Level, RedFlagAnswer
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db

LIFTING = routine_answers(onset_cause="lifting_bending")
FALL = {**LIFTING, "onset_cause": "fall_impact"}


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


def _sp7_reason(intake: Intake) -> str:
    return str(intake.flags.get(code="SP7").reason)


def _red_flag_table(html: str) -> str:
    start = html.index('id="red-flag-answers-title"')
    return html[start : html.index("</table>", start)]


def _why_this_level(html: str) -> str:
    start = html.index('id="flags-title"')
    return html[start : html.index("</section>", start)]


def _staff_page(clinician, intake: Intake) -> str:
    staff = Client()
    staff.force_login(clinician)
    return staff.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()


def _fall_then_lifting(patient: Patient) -> Intake:
    answer_up_to(patient, "back_pain", LIFTING)
    assert patient.post_step("back_pain", FALL).status_code == 302
    intake = _intake(patient)
    assert (intake.level, set(intake.flags.values_list("code", flat=True))) == (Level.SERIOUS, {"SP7"})
    assert patient.post_step("back_pain", LIFTING).status_code == 302
    intake.refresh_from_db()
    return intake


def test_a_fall_changed_to_lifting_keeps_sp7_and_the_serious_level_and_staff_see_both_answers(
    patient, alert_calls, clinician
):
    intake = _fall_then_lifting(patient)
    assert intake.answers["onset_cause"] == "lifting_bending"
    assert intake.level == Level.SERIOUS
    reason = _sp7_reason(intake)
    assert "(cause of the pain answered “A fall, crash or blow” at " in reason
    assert ", changed to “Lifting or bending” at " in reason
    latch = RedFlagAnswer.objects.get(intake=intake, code="onset_cause", cleared_at__isnull=True)
    assert (latch.value, latch.changed_to_no_at is not None) == ("fall_impact", True)
    assert len(alert_calls) == 1  # the change did not alert again

    patient.answer_all(LIFTING)
    assert patient.client.post("/intake/review/").status_code == 302
    intake.refresh_from_db()
    assert (intake.status, intake.level) == (Intake.Status.SUBMITTED, Level.SERIOUS)
    assert "SP7" in set(intake.flags.values_list("code", flat=True))

    html = _staff_page(clinician, intake)
    table = _red_flag_table(html)
    assert "What do you think started the pain?" in table
    assert "<strong>A fall, crash or blow</strong>" in table
    assert "<strong>Lifting or bending</strong>" in table  # what it was changed to, not "No"
    assert "<strong>No</strong>" not in table
    assert "Counts until reviewed with an outcome" in table
    assert "(first answered A fall, crash or blow at" in html  # the answer list says what was said first


def test_a_clinician_reads_the_latched_fall_in_words_on_the_staff_page(patient, alert_calls, clinician):
    """Why SP7 still stands: the question and both causes as the answer list words them, not their field codes."""
    intake = _fall_then_lifting(patient)
    flags = _why_this_level(_staff_page(clinician, intake))
    assert "Possible fracture" in flags
    assert "(cause of the pain answered “A fall, crash or blow” at " in flags
    assert ", changed to “Lifting or bending” at " in flags
    assert "onset_cause" not in flags
    assert "fall_impact" not in flags
    assert "lifting_bending" not in flags


def test_a_review_with_an_outcome_clears_the_latched_fall_and_the_level_follows_the_answers(
    patient, alert_calls, clinician
):
    _fall_then_lifting(patient)
    patient.answer_all(LIFTING)
    patient.client.post("/intake/review/")
    intake = _intake(patient)
    staff = Client()
    staff.force_login(clinician)
    staff.post(reverse("dashboard:review", args=[intake.pk]), {"outcome": "routine_appointment", "note": "Mis-click."})
    intake.refresh_from_db()
    assert intake.is_reviewed
    assert intake.level == Level.ROUTINE
    assert "SP7" not in set(intake.flags.values_list("code", flat=True))
    assert not RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()
    assert "Cleared by" in _red_flag_table(_staff_page(clinician, intake))


def test_a_fall_chosen_again_is_answered_again_and_alerts_once(patient, alert_calls, clinician):
    intake = _fall_then_lifting(patient)
    assert patient.post_step("back_pain", FALL).status_code == 302
    intake.refresh_from_db()
    latch = RedFlagAnswer.objects.get(intake=intake, code="onset_cause", cleared_at__isnull=True)
    assert latch.changed_to_no_at is None  # answered again
    assert _sp7_reason(intake) == "Fall, crash or blow; or osteoporosis or long-term steroids: possible fracture"
    assert intake.level == Level.SERIOUS
    assert RedFlagAnswer.objects.filter(intake=intake).count() == 1
    assert len(alert_calls) == 1
    table = _red_flag_table(_staff_page(clinician, intake))
    assert "<strong>A fall, crash or blow</strong>" in table
    assert "Not changed" in table


def test_a_fall_sent_from_a_page_left_open_after_the_form_was_sent_is_latched_beside_it(patient, alert_calls):
    patient.answer_all(LIFTING)
    patient.client.post("/intake/review/")
    intake = _intake(patient)
    assert intake.level == Level.ROUTINE
    alerts_before = len(alert_calls)
    patient.client.post("/intake/step/back_pain/", {"onset_cause": "fall_impact"})  # an old tab, other answers blank
    intake.refresh_from_db()
    assert intake.answers["onset_cause"] == "lifting_bending"  # the form as it was sent
    assert intake.level == Level.SERIOUS
    reason = _sp7_reason(intake)
    assert "(cause of the pain answered “A fall, crash or blow” at " in reason
    assert reason.endswith(", after Send)")
    assert len(alert_calls) == alerts_before + 1


def test_a_fall_changed_twice_says_what_it_is_now_and_since_when(patient, alert_calls, clinician):
    intake = _fall_then_lifting(patient)
    first_change = RedFlagAnswer.objects.get(intake=intake, code="onset_cause").changed_to_no_at
    assert first_change is not None
    assert patient.post_step("back_pain", {**LIFTING, "onset_cause": "running"}).status_code == 302
    intake.refresh_from_db()
    latch = RedFlagAnswer.objects.get(intake=intake, code="onset_cause")
    assert latch.changed_to_no_at is not None
    assert latch.changed_to_no_at > first_change
    assert ", changed to “Running” at " in _sp7_reason(intake)
    assert intake.level == Level.SERIOUS
    assert len(alert_calls) == 1
    html = _staff_page(clinician, intake)
    assert "<strong>Running</strong>" in _red_flag_table(html)


def test_the_fall_as_the_answer_now_is_marked_as_a_red_flag_answer_in_the_staff_answer_list(patient, clinician):
    answer_up_to(patient, "back_pain", LIFTING)
    patient.post_step("back_pain", FALL)
    html = _staff_page(clinician, _intake(patient))
    row = html[html.index("<dt>What do you think started the pain?</dt>") :]
    assert row[: row.index("</dd>")].endswith('<span class="visually-hidden">(red-flag answer)</span>')
