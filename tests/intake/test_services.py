"""Writes of the intake app: invitations, identity checks, all-or-nothing steps, triage results, one submission."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, cast

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import default_task_backend

from intake import services, tokens
from intake.models import Intake, IntakeFlag, Invitation, Level
from intake.rules.questionnaire import STEP_SLUGS
from intake.rules.questionnaire_checks import MSG_REQUIRED
from intake.rules.triage import assess
from tests.education.factories import ArticleFactory
from tests.intake.factories import BIRTH_DATE, make_invitation, routine_answers, submitted_intake

if TYPE_CHECKING:
    from django_tasks.backends.dummy import DummyBackend

pytestmark = pytest.mark.django_db


def _started(**kw) -> Intake:
    invitation, _ = make_invitation(**kw)
    return services.start_intake(invitation)


def test_an_invitation_stores_only_the_hash_of_its_token():
    invitation, token = make_invitation()
    assert len(token) >= 40
    assert invitation.token_hash == tokens.hash_token(token)
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())


def test_the_invitation_email_carries_the_link_and_no_patient_details_in_its_subject(settings):
    _, token = make_invitation(name="Jordan Quill", send_email=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@example.org"]
    assert f"{settings.SITE_URL}/intake/start/{token}/" in message.body
    assert "Jordan" not in message.subject
    assert "1985" not in f"{message.subject} {message.body}"


def test_the_queued_invitation_task_holds_a_sealed_token_not_the_link(settings):
    from messaging.models import OutboundMessage

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = cast("DummyBackend", default_task_backend)
    backend.clear()
    _, token = make_invitation(send_email=True)
    [result] = backend.results
    message = OutboundMessage.objects.get()
    assert result.args == [message.pk]  # the task carries the message's id only
    assert token not in str(OutboundMessage.objects.values().get())
    assert tokens.unseal(message.sealed_token) == token


def test_no_email_is_sent_when_not_asked_or_without_an_address():
    make_invitation(send_email=False)
    make_invitation(send_email=True, email="")
    assert mail.outbox == []


def test_the_right_birth_date_confirms_and_keeps_the_count_of_wrong_ones():
    invitation, _ = make_invitation()
    now = timezone.now()
    assert services.confirm_identity(invitation, datetime.date(2000, 1, 1), now=now) is services.IdentityCheck.WRONG
    assert services.confirm_identity(invitation, BIRTH_DATE, now=now) is services.IdentityCheck.CONFIRMED
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 1  # only a new link starts the count again
    assert invitation.identity_confirmed_at == now


def test_the_fifth_wrong_birth_date_locks_the_link_and_emails_the_front_desk_once():
    invitation, _ = make_invitation()
    results = [services.confirm_identity(invitation, datetime.date(2000, 1, 1), now=timezone.now()) for _ in range(6)]
    assert results[:4] == [services.IdentityCheck.WRONG] * 4
    assert results[4:] == [services.IdentityCheck.LOCKED] * 2
    assert len(mail.outbox) == 1
    assert services.confirm_identity(invitation, BIRTH_DATE, now=timezone.now()) is services.IdentityCheck.LOCKED


def test_the_lockout_limit_is_a_setting(settings):
    settings.INTAKE_MAX_IDENTITY_ATTEMPTS = 2
    invitation, _ = make_invitation()
    services.confirm_identity(invitation, datetime.date(2000, 1, 1), now=timezone.now())
    check = services.confirm_identity(invitation, datetime.date(2000, 1, 1), now=timezone.now())
    assert check is services.IdentityCheck.LOCKED


def test_a_new_link_replaces_the_old_one_and_lifts_the_lock():
    invitation, old = make_invitation()
    invitation.locked_at = timezone.now()
    invitation.failed_attempts = 5
    invitation.save()
    new = services.renew_link(invitation, send_email=False)
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.hash_token(new) != tokens.hash_token(old)
    assert invitation.locked_at is None
    assert invitation.failed_attempts == 0


def test_a_step_with_any_error_saves_nothing():
    intake = _started()
    services.save_step(intake, "about", routine_answers(), now=timezone.now())
    with pytest.raises(services.InvalidAnswers) as problem:
        services.save_step(
            intake, "about", routine_answers(height_cm=170, sex=None, date_of_birth=None), now=timezone.now()
        )
    assert problem.value.errors == {"date_of_birth": MSG_REQUIRED}
    intake.refresh_from_db()
    assert intake.answers["height_cm"] == 168  # the earlier save stands, untouched


def test_saving_a_step_keeps_other_steps_and_drops_this_steps_old_answers():
    intake = _started()
    services.save_step(intake, "about", routine_answers(), now=timezone.now())
    services.save_step(intake, "safety", routine_answers(), now=timezone.now())
    services.save_step(intake, "about", routine_answers(height_cm=None), now=timezone.now())
    intake.refresh_from_db()
    assert "height_cm" not in intake.answers
    assert intake.answers["ce_bowel_control"] == "no"
    assert intake.answers["date_of_birth"] == "1985-03-27"


def test_a_safety_concern_stores_the_intake_as_urgent_and_calls_the_alert_hook_once(alert_calls):
    intake = _started()
    answers = routine_answers(ce_both_legs_weaker="yes", ce_onset="getting_worse")
    services.save_step(intake, "safety", answers, now=timezone.now())
    services.save_step(intake, "safety", answers, now=timezone.now())
    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert intake.rules_version == "2027.1"
    assert list(intake.flags.values_list("code", "reason")) == [("CE6", "Weakness in both legs, new or getting worse")]
    assert alert_calls == [(intake.pk, Level.URGENT, None)]


def test_a_lone_sexual_function_change_is_urgent_at_once(alert_calls):
    # Rules 2027.1: CE7 is urgent like CE1-CE6 (the CES card lists it among the emergency signs); under 2026.1 it
    # waited for the end of the form as a serious flag.
    intake = _started()
    services.save_step(
        intake, "safety", routine_answers(ce_sexual_change="yes", ce_onset="older_stable"), now=timezone.now()
    )
    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert services.emergency_kind(intake) == "ces"
    assert alert_calls == [(intake.pk, Level.URGENT, None)]


def test_submitting_stores_level_flags_version_and_reading_list(alert_calls):
    intake = submitted_intake(cancer_history="yes", night_rest_pain="yes")
    assert intake.status == Intake.Status.SUBMITTED
    # Rules 2027.1 (NICE NG234): cancer history with night pain is MET, serious with a 24-hour contact; 2026.1 made
    # it urgent MSCC and sent the patient to the ER. Nerve symptoms with it are MSCC (tests/intake/test_triage.py).
    assert intake.level == Level.SERIOUS
    assert set(intake.flags.values_list("code", flat=True)) >= {"SP1", "SP9", "MET"}
    assert intake.recommended_articles[0] == "cancer-history-and-back-pain"
    assert len(intake.recommended_articles) <= 5
    assert alert_calls[-1] == (intake.pk, Level.SERIOUS, None)


def test_submitting_twice_returns_the_same_submission_and_alerts_and_emails_once(alert_calls):
    intake = _started()
    answers = routine_answers(weight_loss="yes")
    for slug in STEP_SLUGS:
        services.save_step(intake, slug, answers, now=timezone.now())
    first = services.submit_intake(intake, now=timezone.now())
    second = services.submit_intake(intake, now=timezone.now() + datetime.timedelta(seconds=1))
    assert first.pk == second.pk
    assert first.submitted_at == second.submitted_at
    assert len(alert_calls) == 1
    assert len([m for m in mail.outbox if "has your answers" in m.subject]) == 1


def test_a_stale_copy_of_the_intake_cannot_submit_a_second_time(alert_calls):
    intake = _started()
    for slug in STEP_SLUGS:
        services.save_step(intake, slug, routine_answers(), now=timezone.now())
    stale = Intake.objects.get(pk=intake.pk)  # e.g. a second tab loaded before the first tab sent
    services.submit_intake(intake, now=timezone.now())
    again = services.submit_intake(stale, now=timezone.now())
    assert again.status == Intake.Status.SUBMITTED
    assert len(alert_calls) == 1


def test_an_incomplete_intake_cannot_be_submitted_and_names_the_first_page_to_fix():
    intake = _started()
    services.record_consent(intake, now=timezone.now())
    services.save_step(intake, "safety", routine_answers(), now=timezone.now())
    services.save_step(intake, "about", routine_answers(), now=timezone.now())
    with pytest.raises(services.InvalidAnswers) as problem:
        services.submit_intake(intake, now=timezone.now())
    assert problem.value.step_slug == "back_pain"
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.IN_PROGRESS


def test_no_step_can_be_changed_after_submission():
    intake = submitted_intake()
    with pytest.raises(services.InvalidAnswers):
        services.save_step(intake, "visit", routine_answers(worries="late change"), now=timezone.now())


def test_record_assessment_replaces_the_flags_and_passes_the_previous_level(alert_calls):
    intake = submitted_intake(weight_loss="yes")
    result = assess(routine_answers(), today=timezone.localdate())
    services.record_assessment(intake, result, now=timezone.now())
    intake.refresh_from_db()
    assert intake.level == Level.ROUTINE
    assert set(IntakeFlag.objects.filter(intake=intake).values_list("code", flat=True)) == {"R3", "R5"}
    assert alert_calls[-1] == (intake.pk, Level.ROUTINE, Level.SERIOUS)


def test_the_confirmation_email_lists_the_reading_and_says_nothing_clinical_in_its_subject():

    ArticleFactory.create(slug="strength-and-core-training", title="Strength and core training")
    submitted_intake_with_email = services.create_submitted_intake_for_demo(
        answers=routine_answers(cancer_history="yes"), email="pat@example.org", patient_name="Jordan Quill"
    )
    [message] = [m for m in mail.outbox if m.to == ["pat@example.org"]]
    assert "Strength and core training" in message.body
    assert "Jordan" not in f"{message.subject} {message.body}"
    assert "cancer" not in f"{message.subject} {message.body}".lower()
    assert submitted_intake_with_email.level == Level.SERIOUS


def test_a_new_concern_on_the_safety_step_updates_the_flags_staff_see_before_the_end(alert_calls):
    intake = _started()
    services.save_step(
        intake, "safety", routine_answers(ce_bowel_control="yes", ce_onset="within_14_days"), now=timezone.now()
    )
    services.save_step(
        intake,
        "safety",
        routine_answers(ce_bowel_control="yes", ce_saddle_numbness="not_sure", ce_onset="within_14_days"),
        now=timezone.now(),
    )
    assert set(intake.flags.values_list("code", flat=True)) == {"CE1", "CE5"}
    assert alert_calls == [(intake.pk, Level.URGENT, None), (intake.pk, Level.URGENT, Level.URGENT)]


# --- consent and pages (issue 14) ------------------------------------------------------------------------------------


def test_consent_stores_itself_and_the_confirmed_birth_date_and_nothing_else():
    intake = _started(date_of_birth=datetime.date(1979, 8, 14))
    services.record_consent(intake, now=timezone.now())
    intake.refresh_from_db()
    assert intake.answers == {"consent": True, "date_of_birth": "1979-08-14"}
    assert intake.current_step == "safety"
    assert services.has_consent(intake)


def test_consent_keeps_a_birth_date_answered_on_the_form_before_2027():
    intake = _started()
    Intake.objects.filter(pk=intake.pk).update(answers={"date_of_birth": "1985-03-28"}, current_step="back_pain")
    services.record_consent(intake, now=timezone.now())
    intake.refresh_from_db()
    assert intake.answers["date_of_birth"] == "1985-03-28"
    assert intake.current_step == "back_pain"  # the resume point does not go back


def test_a_page_saves_only_its_own_questions_and_moves_to_the_next_page_asked():
    intake = _started()
    services.record_consent(intake, now=timezone.now())
    services.save_page(intake, "safety", routine_answers(), now=timezone.now())
    intake.refresh_from_db()
    assert set(intake.answers) == {"consent", "date_of_birth", "ce_saddle_numbness", "ce_wiping_sensation"}
    assert intake.current_step == "safety_bladder"


def test_a_page_with_a_wrong_answer_stores_nothing():
    intake = _started()
    services.record_consent(intake, now=timezone.now())
    with pytest.raises(services.InvalidAnswers) as problem:
        services.save_page(intake, "safety", {"ce_saddle_numbness": "no"}, now=timezone.now())
    assert problem.value.errors == {"ce_wiping_sensation": MSG_REQUIRED}
    intake.refresh_from_db()
    assert "ce_saddle_numbness" not in intake.answers


def test_the_running_page_stores_distances_in_kilometers_and_says_so():
    intake = _started()
    services.record_consent(intake, now=timezone.now())
    runner = {"running_status": "running", "runs_per_week": 3, "weekly_distance": 30, "training_changes": ["none"]}
    runner["distance_unit"] = "mi"
    services.save_page(intake, "running", runner, now=timezone.now())
    intake.refresh_from_db()
    assert intake.answers["distance_unit"] == "km"  # stored by the page, whatever was passed
    services.save_page(intake, "running", {"running_status": "not_a_runner"}, now=timezone.now())
    intake.refresh_from_db()
    assert "distance_unit" not in intake.answers
    assert "weekly_distance" not in intake.answers


def test_submitting_an_intake_without_a_stored_birth_date_takes_it_from_the_invitation():
    invitation, _ = make_invitation(date_of_birth=datetime.date(1950, 1, 2))
    intake = services.start_intake(invitation)
    answers = routine_answers(first_episode="yes")
    for slug in STEP_SLUGS:
        services.save_step(intake, slug, answers, now=timezone.now())
    stored = dict(Intake.objects.get(pk=intake.pk).answers)
    stored.pop("date_of_birth")
    Intake.objects.filter(pk=intake.pk).update(answers=stored)
    services.submit_intake(intake, now=timezone.now())
    intake.refresh_from_db()
    assert intake.answers["date_of_birth"] == "1950-01-02"
    assert "SP8" in set(intake.flags.values_list("code", flat=True))
