"""`Intake.last_review_before_sending` says what the two times it stands for say (`reviewed_at < submitted_at`) after
every write of either: a review, its undo, sending, a reopening by new red flags, a follow-up's, and the demo data.
The sweep's call-back look-up reads intakes reviewed before sending through it (alerts.services; intake 0025): a flag
left behind would keep the lead from hearing of a passed promise, or page them for one a review had answered."""

from __future__ import annotations

import datetime
import importlib
import zoneinfo

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from alerts import services as alerts
from alerts.models import Alert
from intake.models import Intake, Level
from intake.rules import answers as answer_codec
from intake.rules.catalogue import FOLLOW_UP
from intake.services import mark_reviewed, record_red_flags, review_token, save_step, submit_intake, undo_review
from intake.services.demo import create_assessed_intake
from tests.intake.factories import follow_up_answers, follow_up_for, make_invitation, routine_answers, submitted_intake

pytestmark = pytest.mark.django_db

CLINIC = zoneinfo.ZoneInfo("America/New_York")
TUESDAY_9 = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=CLINIC)
PROMISED = datetime.datetime(2027, 3, 2, 11, 0, tzinfo=CLINIC)  # the receipt's call-back for a form sent at 9:00


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.ESCALATION_EMAILS = ["lead@clinic.example"]


def _stored(intake: Intake) -> bool:
    flag: bool = Intake.objects.values_list("last_review_before_sending", flat=True).get(pk=intake.pk)
    return flag


def _out_of_step() -> list[int]:
    """Intakes whose stored flag says other than their times."""
    rows = Intake.objects.values_list("pk", "last_review_before_sending", "reviewed_at", "submitted_at")
    return [
        pk
        for pk, flag, reviewed, sent in rows
        if flag != (reviewed is not None and sent is not None and reviewed < sent)
    ]


def _at(moment: datetime.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def _call_backs_escalated_at(moment: datetime.datetime) -> int:
    with _at(moment):
        escalated = alerts.sweep(now=moment)["escalated"]
        for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
            result.claim("test-worker")
            result.set_successful(result.task.call(*result.task_result.args, **result.task_result.kwargs))
    return escalated


def _serious_mid_form(name: str) -> Intake:
    """Flagged serious at the end of the form, not sent yet."""
    with _at(TUESDAY_9 - datetime.timedelta(hours=1)):
        invitation, _token = make_invitation(name=name, appointment_at=TUESDAY_9 + datetime.timedelta(days=3))
        intake = create_assessed_intake(
            invitation=invitation,
            answers=routine_answers(cancer_history="yes"),
            today=TUESDAY_9.date(),
            submitted_at=None,
            status=Intake.Status.IN_PROGRESS,
            current_step=answer_codec.REVIEW,
        )
    assert intake.level == Level.SERIOUS
    return intake


def test_the_flag_follows_a_review_before_sending_the_sending_a_review_after_it_and_its_undo(clinician):
    """Reviewed mid-form, sent, reviewed again with an outcome (which answers the receipt's promise), and that review
    undone (logged on the wrong patient's chart): the promise is owed again, and the lead hears when it passes."""
    intake = _serious_mid_form("Early Review")
    with _at(TUESDAY_9 - datetime.timedelta(minutes=30)):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    assert not _stored(intake)  # reviewed, but not sent: no promise yet

    with _at(TUESDAY_9):
        submit_intake(Intake.objects.get(pk=intake.pk), now=TUESDAY_9)
    assert _stored(intake)

    with _at(TUESDAY_9 + datetime.timedelta(minutes=30)):
        mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="same_day_call_advice")
    assert not _stored(intake)
    assert _call_backs_escalated_at(PROMISED - datetime.timedelta(minutes=30)) == 0

    with _at(TUESDAY_9 + datetime.timedelta(minutes=45)):
        reviewed = Intake.objects.get(pk=intake.pk)
        assert undo_review(reviewed, by=clinician, review=review_token(reviewed)).undone
    assert _stored(intake)  # the review before sending is the last one again
    assert _out_of_step() == []
    assert _call_backs_escalated_at(PROMISED) == 1
    assert Alert.objects.filter(intake=intake, kind=Alert.Kind.CALL_BACK).count() == 1


def test_new_red_flags_reopening_an_intake_leave_its_reviews_and_the_flag_as_they_were(clinician):
    """Reopening writes neither time: an intake reviewed before sending still owes its call, one reviewed after
    sending still does not (its urgent alert and escalations ask for a call now)."""
    early = _serious_mid_form("Reopened Early")
    with _at(TUESDAY_9 - datetime.timedelta(minutes=30)):
        mark_reviewed(early, by=clinician, outcome="routine_appointment")
    with _at(TUESDAY_9):
        submit_intake(Intake.objects.get(pk=early.pk), now=TUESDAY_9)
    late = _serious_mid_form("Reopened Late")
    with _at(TUESDAY_9):
        submit_intake(Intake.objects.get(pk=late.pk), now=TUESDAY_9)
        mark_reviewed(Intake.objects.get(pk=late.pk), by=clinician, outcome="same_day_call_advice")

    reopened_at = TUESDAY_9 + datetime.timedelta(minutes=20)
    with _at(reopened_at):
        for intake in (early, late):
            record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=reopened_at)
    assert [Intake.objects.get(pk=i.pk).review_round for i in (early, late)] == [1, 1]

    assert (_stored(early), _stored(late)) == (True, False)
    assert _out_of_step() == []


def test_a_follow_up_reviewed_before_it_was_sent_carries_the_flag_and_one_reviewed_after_does_not(clinician):
    visit = submitted_intake()
    _invitation, _token, before = follow_up_for(visit, time_point="6w")
    _invitation, _token, after = follow_up_for(visit, time_point="3m")
    with _at(TUESDAY_9 - datetime.timedelta(hours=1)):
        mark_reviewed(before, by=clinician, note="Read the first page.")
    with _at(TUESDAY_9):
        for follow_up in (before, after):
            for step in FOLLOW_UP.step_slugs:
                save_step(follow_up, step, follow_up_answers(), now=TUESDAY_9)
            submit_intake(Intake.objects.get(pk=follow_up.pk), now=TUESDAY_9)
    with _at(TUESDAY_9 + datetime.timedelta(hours=1)):
        mark_reviewed(Intake.objects.get(pk=after.pk), by=clinician, note="Read the follow-up.")

    assert (_stored(before), _stored(after)) == (True, False)
    assert _out_of_step() == []


def test_demo_and_test_data_written_with_both_times_carry_the_flag():
    """`create_assessed_intake`'s column overrides and a plain `save()` are writers too (demo data, tests)."""
    invitation, _token = make_invitation(name="Demo Early")
    demo = create_assessed_intake(
        invitation=invitation,
        answers=routine_answers(),
        today=TUESDAY_9.date(),
        submitted_at=TUESDAY_9,
        is_reviewed=True,
        reviewed_at=TUESDAY_9 - datetime.timedelta(minutes=5),
    )
    assert _stored(demo)

    demo.submitted_at = TUESDAY_9 - datetime.timedelta(hours=1)
    demo.save(update_fields=["submitted_at"])
    assert not _stored(demo)
    assert _out_of_step() == []


def test_the_migration_fills_the_flag_of_intakes_reviewed_before_sending_and_their_promise_is_escalated(clinician):
    """Intakes stored before the flag (0024 adds it False for all) get it from their times (0025), so a promise owed
    after a review before sending is still escalated after the deploy."""
    from django.apps import apps

    fill = importlib.import_module("intake.migrations.0025_last_review_before_sending_backfill_and_index").fill
    early = _serious_mid_form("Filled Early")
    with _at(TUESDAY_9 - datetime.timedelta(minutes=30)):
        mark_reviewed(early, by=clinician, outcome="routine_appointment")
    late = _serious_mid_form("Filled Late")
    with _at(TUESDAY_9):
        for intake in (early, late):
            submit_intake(Intake.objects.get(pk=intake.pk), now=TUESDAY_9)
        mark_reviewed(Intake.objects.get(pk=late.pk), by=clinician, outcome="same_day_call_advice")
    Intake.objects.update(last_review_before_sending=False)  # as 0024 leaves every intake

    fill(apps, None)

    assert (_stored(early), _stored(late)) == (True, False)
    assert _out_of_step() == []
    assert _call_backs_escalated_at(PROMISED) == 1
    assert Alert.objects.get(kind=Alert.Kind.CALL_BACK).intake_id == early.pk


def test_an_intake_the_previous_release_sent_during_the_deploy_still_has_its_promise_escalated(clinician):
    """During a deploy, web processes still on the code before the flag send forms after 0025 filled it: an intake
    reviewed mid-form and sent by them keeps the flag False, and its passed promise was never escalated. The sweep sets
    the flag of the day's sent intakes whose times say so before it looks."""
    intake = _serious_mid_form("Sent By Old Code")
    with _at(TUESDAY_9 - datetime.timedelta(minutes=30)):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    with _at(TUESDAY_9):
        submit_intake(Intake.objects.get(pk=intake.pk), now=TUESDAY_9)
    Intake.objects.filter(pk=intake.pk).update(last_review_before_sending=False)  # as the previous release sends it

    assert _call_backs_escalated_at(PROMISED) == 1
    assert Alert.objects.get(kind=Alert.Kind.CALL_BACK).intake_id == intake.pk
    assert _out_of_step() == []
