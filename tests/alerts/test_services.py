"""Alerts: who is told, when, with what words, and that nothing is lost or sent twice."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from alerts import services
from alerts.models import Alert
from intake.models import Intake, Level
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.ESCALATION_EMAILS = ["lead@clinic.example"]
    settings.SITE_URL = "https://portal.clinic.example"
    settings.ESCALATE_AFTER_MINUTES = 15


def run_queued_tasks() -> None:
    """What `db_worker` does, in-process: run every ready task once."""
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        result.set_successful(result.task.call(*result.task_result.args, **result.task_result.kwargs))


def test_an_urgent_intake_queues_one_alert_and_the_worker_emails_the_on_call_address():
    intake = make_intake("urgent_saddle_bladder", name="Ann Urgent")
    services.intake_level_changed(intake, previous_level=None)
    assert DBTaskResult.objects.ready().count() == 1
    run_queued_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["on-call@clinic.example"]
    assert "Urgent" in message.subject
    assert f"https://portal.clinic.example/staff/intakes/{intake.pk}/" in message.body
    alert = Alert.objects.get()
    assert (alert.status, alert.attempts, alert.kind) == ("sent", 1, "urgent")


def test_alert_emails_carry_no_patient_data():
    intake = make_intake("urgent_saddle_bladder", name="Ann Urgentpatient")
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    message = mail.outbox[0]
    text = f"{message.subject} {message.body}"
    assert "Urgentpatient" not in text
    assert "saddle" not in text.lower()
    assert str(intake.invitation.date_of_birth) not in text


def test_a_serious_intake_alerts_too_but_sciatica_and_routine_do_not():
    for profile in ("sciatica_below_knee", "routine_plain"):
        services.intake_level_changed(make_intake(profile), previous_level=None)
    assert not Alert.objects.exists()
    serious = make_intake("serious_cancer")
    services.intake_level_changed(serious, previous_level=None)
    run_queued_tasks()
    assert [m.subject for m in mail.outbox] == ["[Spine Clinic Portal] Serious intake needs review"]


def test_no_second_alert_when_the_level_stays_urgent_or_is_called_again():
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    services.intake_level_changed(intake, previous_level=Level.URGENT)  # final submission, still urgent
    services.intake_level_changed(intake, previous_level=None)  # a repeated call
    run_queued_tasks()
    assert len(mail.outbox) == 1


def test_serious_then_urgent_sends_both_alerts():
    intake = make_intake("serious_cancer")
    services.intake_level_changed(intake, previous_level=None)
    intake.level = Level.URGENT
    services.intake_level_changed(intake, previous_level=Level.SERIOUS)
    run_queued_tasks()
    assert sorted(Alert.objects.values_list("kind", flat=True)) == ["serious", "urgent"]
    assert len(mail.outbox) == 2


def test_the_alert_is_rolled_back_with_the_intake():
    from django.db import transaction

    intake = make_intake("urgent_bowel")

    def save_that_fails() -> None:
        with transaction.atomic():
            services.intake_level_changed(intake, previous_level=None)
            raise RuntimeError("saving the intake failed")

    with pytest.raises(RuntimeError):
        save_that_fails()
    assert not Alert.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_failed_send_is_retried_later_with_backoff_and_then_sent_once(settings):
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    alert = Alert.objects.get()
    assert (alert.status, alert.attempts, alert.last_error) == ("pending", 1, "ConnectionRefusedError")
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=20)
    assert not DBTaskResult.objects.ready().exists()  # not due yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    run_queued_tasks()
    run_queued_tasks()
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_retry_delays_grow_and_stop_growing():
    delays = [services.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == sorted(delays)
    assert delays[0] == 30
    assert delays[-1] == 1800


def test_an_alert_keeps_trying_while_its_intake_waits_and_is_sent_when_the_mail_server_is_back(settings):
    """A mail server down for hours: the alert gave up after MESSAGE_MAX_ATTEMPTS (about three hours) and the urgent
    intake reached nobody (the stop-28 audit)."""
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    alert = Alert.objects.get()
    for _ in range(services.max_attempts() + 3):
        services.send(alert.pk)
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("pending", services.max_attempts() + 3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send(alert.pk) == "sent"
    assert len(mail.outbox) == 1


def test_an_alert_not_sent_yet_when_its_intake_is_reviewed_is_cancelled_not_sent_late(settings):
    """The mail server was down; a clinician reviewed the intake meanwhile. Once the server was back the on-call was
    told to review it anyway (the stop-29 audit)."""
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    alert = Alert.objects.get()
    assert services.send(alert.pk) == "retry"
    intake.is_reviewed = True
    intake.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send(alert.pk) == "cancelled"
    assert mail.outbox == []


def test_an_alert_of_an_earlier_round_is_cancelled_when_a_new_round_has_its_own(settings, clinician):
    """Reviewed, then reopened by new red flags, while the mail server was down: the first round's alert and the
    second's both went out once it was back, two alike e-mails for one intake."""
    from intake.models import Intake
    from intake.services import mark_reviewed, record_red_flags

    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    intake = make_intake("urgent_bowel", safety_only=True)
    services.intake_level_changed(intake, previous_level=None)
    first = Alert.objects.get()
    services.send(first.pk)
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    second = Alert.objects.exclude(pk=first.pk).get(kind="urgent")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send(first.pk) == "cancelled"
    assert services.send(second.pk) == "sent"
    assert len(mail.outbox) == 1


def test_alerts_retry_on_the_same_policy_as_every_other_e_mail(settings):
    """One policy for every e-mail the portal sends (messaging.delivery); the two copies had drifted apart."""
    settings.MESSAGE_RETRY_DELAYS = (0.5, 1)
    settings.MESSAGE_MAX_ATTEMPTS = 3
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [0.5, 1, 1]
    assert services.max_attempts() == 3


def test_the_sweeper_requeues_an_alert_whose_task_was_left_running_by_a_dead_worker():
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    task = DBTaskResult.objects.get()
    task.claim("dead-worker")  # the worker died here
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert services.sweep(now=later)["requeued"] == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    run_queued_tasks()
    assert len(mail.outbox) == 1
    assert services.sweep(now=later + datetime.timedelta(minutes=5))["requeued"] == 0


def test_the_sweeper_leaves_a_task_that_is_waiting_for_a_worker_or_running_now():
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert services.sweep(now=later)["requeued"] == 0  # READY: the worker is just slow
    DBTaskResult.objects.get().claim("busy-worker")
    assert services.sweep(now=timezone.now() + datetime.timedelta(seconds=90))["requeued"] == 0


def test_an_urgent_intake_unreviewed_after_15_minutes_escalates_once():
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    assert services.sweep(now=timezone.now() + datetime.timedelta(minutes=10))["escalated"] == 0
    after = timezone.now() + datetime.timedelta(minutes=16)
    assert services.sweep(now=after)["escalated"] == 1
    assert services.sweep(now=after)["escalated"] == 0
    run_queued_tasks()
    escalations = [m for m in mail.outbox if m.to == ["lead@clinic.example"]]
    assert len(escalations) == 1
    assert "ESCALATION" in escalations[0].subject
    assert "15 minutes" in escalations[0].subject


def test_a_reviewed_urgent_intake_does_not_escalate():
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    intake.is_reviewed = True
    intake.save()
    assert services.sweep(now=timezone.now() + datetime.timedelta(minutes=30))["escalated"] == 0


def test_an_escalation_already_queued_is_cancelled_if_the_intake_is_reviewed_before_it_is_sent():
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    services.sweep(now=timezone.now() + datetime.timedelta(minutes=20))
    intake.is_reviewed = True
    intake.save()
    run_queued_tasks()
    assert Alert.objects.get(kind="escalation").status == "cancelled"
    assert len(mail.outbox) == 1


def test_alerts_sweep_command_runs_once(capsys):
    from django.core.management import call_command

    call_command("alerts_sweep", verbosity=2)
    assert "re-queued 0, escalated 0" in capsys.readouterr().out


def test_a_new_red_flag_after_the_review_opens_the_intake_again_and_is_alerted_and_escalated(clinician):
    """The clinician called the patient and reviewed the urgent intake; the patient, still answering, then sent
    another red flag. It reached nobody (the stop-28 audit): the intake stayed reviewed, and one alert per intake and
    kind blocked a new one. Now the intake is not reviewed any more (top of the queue), a new round of alerts goes out,
    and it escalates if nobody reviews it again."""
    from intake.models import Intake
    from intake.services import mark_reviewed, record_red_flags

    intake = make_intake("urgent_bowel", safety_only=True)
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    assert Intake.objects.get(pk=intake.pk).is_reviewed

    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.review_round) == (False, 1)
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["on-call@clinic.example"], ["on-call@clinic.example"]]
    assert services.sweep(now=timezone.now() + datetime.timedelta(minutes=16))["escalated"] == 1


def test_the_same_flags_stored_again_after_the_review_leave_it_reviewed(clinician):
    """Sending the form, or a page with the same answers, after the review is not news."""
    from intake.models import Intake
    from intake.services import mark_reviewed
    from intake.services.assessment import retriage

    intake = make_intake("urgent_bowel", safety_only=True)
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    Intake.objects.filter(pk=intake.pk).update(rules_version="2026.1")  # so the retriage stores its result again
    retriage(Intake.objects.get(pk=intake.pk), now=timezone.now(), apply=True)
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.review_round) == (True, 0)
    run_queued_tasks()
    assert len(mail.outbox) == 1


def _reviewed_under_rules_without_mscc(clinician, *, days_ago: int = 0):
    """A cancer history with clumsy hands, reviewed by a clinician when the rules (2026.1) called it serious and did
    not know MSCC: what a rules upgrade finds in the queue."""
    from django.db.models import F

    from intake.models import Intake, IntakeFlag
    from intake.services import create_submitted_intake_for_demo, mark_reviewed
    from tests.intake.factories import routine_answers

    intake = create_submitted_intake_for_demo(answers=routine_answers(cancer_history="yes", hands_clumsy="yes"))
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    IntakeFlag.objects.filter(intake=intake, code="MSCC").delete()
    old_flags = sorted(set(intake.flags.values_list("code", flat=True)))
    back = datetime.timedelta(days=days_ago)
    Intake.objects.filter(pk=intake.pk).update(
        level=Level.SERIOUS,
        rules_version="2026.1",
        reviewed_flags=old_flags,
        submitted_at=F("submitted_at") - back,
        assessed_at=F("assessed_at") - back,
        appointment_at=F("appointment_at") - back,
    )
    mail.outbox.clear()
    return intake


def test_new_rules_open_a_reviewed_intake_again_when_its_visit_is_ahead(clinician):
    """A rules upgrade that finds cord compression (MSCC) in an intake reviewed as serious, visit in two days: back to
    the top of the queue, unreviewed, and the on-call is paged (it used to be stored urgent and still "reviewed", its
    alert cancelled as the intake was reviewed)."""
    from django.core.management import call_command

    from intake.models import Intake

    intake = _reviewed_under_rules_without_mscc(clinician)
    out = StringIO()
    call_command("retriage", "--apply", stdout=out)
    assert f"intake {intake.pk}: serious -> urgent, reviewed before: opened again" in out.getvalue()
    intake = Intake.objects.get(pk=intake.pk)
    assert (intake.level, intake.is_reviewed, intake.review_round) == (Level.URGENT, False, 1)
    run_queued_tasks()
    assert [(m.to, "Urgent" in m.subject) for m in mail.outbox] == [(["on-call@clinic.example"], True)]


def test_a_dry_run_says_which_reviewed_intakes_new_rules_would_open_again_and_changes_nothing(clinician):
    from django.core.management import call_command

    from intake.models import Intake

    intake = _reviewed_under_rules_without_mscc(clinician)
    out = StringIO()
    call_command("retriage", stdout=out)
    assert f"intake {intake.pk}: serious -> urgent, reviewed before: would be opened again" in out.getvalue()
    intake = Intake.objects.get(pk=intake.pk)
    assert (intake.level, intake.is_reviewed) == (Level.SERIOUS, True)
    run_queued_tasks()
    assert mail.outbox == []


def test_new_rules_leave_an_old_reviewed_intake_reviewed_and_name_it_for_a_clinician(clinician):
    """Sent two months ago, the visit past: the patient has been seen. The new level is stored, nobody is paged, and
    the command names the intake so a clinician can look."""
    from django.core.management import call_command

    from intake.models import Intake

    intake = _reviewed_under_rules_without_mscc(clinician, days_ago=60)
    out = StringIO()
    call_command("retriage", "--apply", stdout=out)
    assert f"intake {intake.pk}: serious -> urgent\n" in out.getvalue()
    assert "1 reviewed intake(s) from more than 30 days ago" in out.getvalue()
    assert f"for a clinician to look at: intake {intake.pk}" in out.getvalue()
    intake = Intake.objects.get(pk=intake.pk)
    assert (intake.level, intake.is_reviewed, intake.review_round) == (Level.URGENT, True, 0)
    run_queued_tasks()
    assert mail.outbox == []


def test_a_reviews_own_reassessment_does_not_open_the_intake_again(clinician):
    """Clearing a latched cauda equina answer can bring up a flag it hid (MET, once MSCC is gone): the review it came
    from saw the intake; it stays reviewed and nobody is paged (found in review, stop 28)."""
    from intake.models import Intake
    from intake.services import mark_reviewed
    from tests.dashboard.factories import make_latched_intake

    now = timezone.now()
    intake = make_latched_intake(
        profile="serious_cancer_spinal_pain", said_at=now - datetime.timedelta(minutes=20), changed_at=now
    )
    run_queued_tasks()
    sent = len(mail.outbox)
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    intake = Intake.objects.get(pk=intake.pk)
    assert (intake.is_reviewed, intake.review_round) == (True, 0)
    run_queued_tasks()
    assert len(mail.outbox) == sent


def test_a_flag_the_review_saw_gone_and_back_is_not_news(clinician):
    """The patient, still answering after the clinician's call, changes the answer behind a flag the review saw to
    "no" and back to "yes": the intake stays reviewed (found in review, stop 28: each flip paged on-call)."""
    from intake.models import Intake
    from intake.rules import answers as answer_codec
    from intake.rules.catalogue import assess_answers
    from intake.services import mark_reviewed
    from intake.services.assessment import form_of, record_assessment

    intake = make_intake("serious_cancer")
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    answers = answer_codec.from_json(intake.answers)
    today = timezone.localdate()

    def judged(**changes: object):
        return assess_answers(form_of(intake), {**answers, **changes}, today=today, interim=True)

    for result in (judged(cancer_history="no"), judged()):
        record_assessment(Intake.objects.get(pk=intake.pk), result, now=timezone.now(), may_reopen=True)
    intake.refresh_from_db()
    assert (intake.level, intake.is_reviewed, intake.review_round) == (Level.SERIOUS, True, 0)
    run_queued_tasks()
    assert len(mail.outbox) == 1


def test_an_alert_stops_trying_once_its_intake_no_longer_calls_for_anyone(settings):
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    intake.level = Level.ROUTINE
    intake.save()
    alert = Alert.objects.get()
    for _ in range(services.max_attempts()):
        services.send(alert.pk)
    alert.refresh_from_db()
    assert alert.status == "failed"


def test_a_cauda_equina_yes_given_again_after_a_review_cleared_it_opens_the_intake_again(clinician):
    """Yes, then no; the clinician's review cleared the latched yes; then yes again: a new answer, not a flip of one
    the review saw (found in review, stop 28: the review's note had recorded the flag before clearing it)."""
    from intake.models import Intake
    from intake.services import mark_reviewed, record_red_flags, save_page

    intake = make_intake("routine_plain", safety_only=True)
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    run_queued_tasks()
    save_page(
        Intake.objects.get(pk=intake.pk),
        "safety",
        {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no"},
        now=timezone.now(),
    )
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="routine_appointment")
    assert Intake.objects.get(pk=intake.pk).is_reviewed

    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    intake.refresh_from_db()
    assert (intake.level, intake.is_reviewed, intake.review_round) == (Level.URGENT, False, 1)
    run_queued_tasks()
    assert len(mail.outbox) == 2


def test_a_reopened_intake_is_alerted_even_when_its_flags_did_not_change_in_that_step(clinician):
    """A flag stored by a step that never reopens (the result stored again at sending, a re-triage), then the same
    result from the patient's answers: the intake reopens, and that is announced, so its new round is alerted and
    escalated (found reading the reopen rule, stop 28)."""
    from intake.models import Intake
    from intake.rules import answers as answer_codec
    from intake.rules.catalogue import assess_answers
    from intake.services import mark_reviewed
    from intake.services.assessment import form_of, record_assessment

    intake = make_intake("sciatica_below_knee")
    mark_reviewed(intake, by=clinician)
    answers = {**answer_codec.from_json(intake.answers), "cancer_history": "yes"}
    flagged = assess_answers(form_of(intake), answers, today=timezone.localdate(), interim=True)
    record_assessment(Intake.objects.get(pk=intake.pk), flagged, now=timezone.now())  # not from answers
    assert Intake.objects.get(pk=intake.pk).is_reviewed
    record_assessment(Intake.objects.get(pk=intake.pk), flagged, now=timezone.now(), may_reopen=True)
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.review_round) == (False, 1)
    assert sorted(Alert.objects.values_list("round", flat=True)) == [0, 1]  # the storing step, then the reopening


def test_an_urgent_alert_asks_for_a_call_now_and_names_a_follow_up_as_one():
    """docs/clinical/TRIAGE.md: urgent means phone the patient immediately (the e-mail said "today"); a follow-up's
    alert said "pre-visit answers"."""
    from alerts.delivery import message_for
    from tests.intake.factories import follow_up_for, submitted_intake

    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    _subject, body = message_for(Alert.objects.get(intake=intake))
    assert "pre-visit answers were triaged URGENT" in body
    assert "phone the patient now" in body
    _invitation, _token, follow_up = follow_up_for(submitted_intake())
    follow_up.level = Level.URGENT
    follow_up.save()
    services.intake_level_changed(follow_up, previous_level=None)
    _subject, body = message_for(Alert.objects.get(intake=follow_up))
    assert "follow-up answers were triaged URGENT" in body


def test_each_failed_call_left_without_a_review_escalates_again(clinician):
    """docs/clinical/TRIAGE.md: "could not reach" keeps the intake unreviewed and it keeps escalating. One escalation
    per round was sent, and a failed call after it sent none (the stop-29 audit)."""
    from intake.services import mark_reviewed

    start = timezone.now()
    intake = make_intake("urgent_bowel")
    services.intake_level_changed(intake, previous_level=None)
    run_queued_tasks()
    assert services.sweep(now=start + datetime.timedelta(minutes=16))["escalated"] == 1
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        mark_reviewed(intake, by=clinician, outcome="could_not_reach")
    assert services.sweep(now=start + datetime.timedelta(minutes=30))["escalated"] == 0  # the call was 10 min ago
    assert services.sweep(now=start + datetime.timedelta(minutes=36))["escalated"] == 1
    assert services.sweep(now=start + datetime.timedelta(minutes=90))["escalated"] == 0  # once per failed call
    run_queued_tasks()
    second = Alert.objects.get(kind="escalation", attempt=1)
    assert second.status == "sent"
    assert "could not reach the patient (1 failed call so far)" in mail.outbox[-1].body
    # The subject said "not reviewed after 15 minutes", as the first escalation's: the lead could not tell this one,
    # about a call that failed, from a repeat of that one without opening it.
    assert mail.outbox[-1].subject == (
        "[Spine Clinic Portal] ESCALATION: urgent intake not reviewed 15 minutes after a call that could not reach "
        "the patient"
    )
    assert "Ann" not in mail.outbox[-1].subject

    with time_machine.travel(start + datetime.timedelta(minutes=95), tick=False):
        mark_reviewed(intake, by=clinician, outcome="emergency_care")
    assert services.sweep(now=start + datetime.timedelta(minutes=200))["escalated"] == 0


def test_the_serious_alert_says_by_when_the_patients_receipt_promised_a_call():
    tuesday_9 = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    with time_machine.travel(tuesday_9, tick=False):
        serious = make_intake("serious_cancer", submitted_at=tuesday_9)
        services.intake_level_changed(serious, previous_level=None)
        run_queued_tasks()
    [message] = mail.outbox
    # Clinic hours Mon-Fri 08:00-17:00, calls within 2 hours, America/New_York (EST in March before the change).
    assert "The patient's receipt says we will call by Tue Mar 2, 11:00 AM EST." in message.body


def test_a_serious_alert_sent_just_before_closing_points_to_the_promised_morning_not_to_today():
    """In the last 30 minutes before closing the receipt promises the next working day's call
    (intake.rules.callback.LAST_CALL_MINUTES); the on-call's e-mail still said to call "the same day in clinic
    hours", which the patient was not promised and the clinic's hours no longer left room for."""
    tuesday_1645 = datetime.datetime(2027, 3, 2, 16, 45, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    with time_machine.travel(tuesday_1645, tick=False):
        serious = make_intake("serious_cancer", submitted_at=tuesday_1645)
        services.intake_level_changed(serious, previous_level=None)
        run_queued_tasks()
    [message] = mail.outbox
    assert "The patient's receipt says we will call by Wed Mar 3, 10:00 AM EST." in message.body
    assert "same day" not in message.body


def test_a_serious_alert_before_the_form_is_sent_promises_nothing():
    serious = make_intake("serious_cancer", safety_only=False)
    Intake.objects.filter(pk=serious.pk).update(submitted_at=None)
    serious.refresh_from_db()
    services.intake_level_changed(serious, previous_level=None)
    run_queued_tasks()
    [message] = mail.outbox
    assert "receipt" not in message.body
