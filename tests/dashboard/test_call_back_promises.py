"""The call-back staff are told of is the one the patient was told of (intake/call_backs.py): none when the receipt
gave the emergency advice instead, none left once a review after sending answered it, and none for a level reached
after sending (found in the review of the stop-31 commits).

Clinic hours are the default, Mon-Fri 08:00-17:00, calls within 2 hours, in America/New_York.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from alerts.models import Alert
from intake import services as intake_services
from intake.models import Intake, Level
from intake.rules.patient_messages import patient_message
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

CLINIC = zoneinfo.ZoneInfo("America/New_York")
QUEUE = reverse("dashboard:queue")
MONDAY_9 = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=CLINIC)  # a Monday: the receipt says "by 11:00 AM"
WEDNESDAY_10 = datetime.datetime(2027, 3, 3, 10, 0, tzinfo=CLINIC)


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.ESCALATION_EMAILS = ["lead@clinic.example"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _run_queued_tasks() -> None:
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        result.set_successful(result.task.call(*result.task_result.args, **result.task_result.kwargs))


def _row_html(response, name: str) -> str:
    [row] = [row for row in response.context["rows"] if row.patient_name == name]
    return row.html


def _receipt_message(intake: Intake):
    """What `intake.patient_views.done` (and `tasks.render_confirmation`) decide to say, with the same arguments."""
    from django.conf import settings
    from django.utils import timezone

    from intake.call_backs import clinic_hours

    return patient_message(
        level=intake.level_code,
        emergency=intake_services.emergency_kind(intake),
        answers={},
        flag_codes=[flag.code for flag in intake.flags.all()],
        sent_at_local=timezone.localtime(intake.submitted_at),
        hours=clinic_hours(),
        within_hours=settings.CLINIC_CALLBACK_HOURS,
    )


def test_a_serious_intake_whose_receipt_gives_the_emergency_advice_promises_staff_no_call(client, clinician):
    """An intake stored under rules 2026.1 with CE7 alone is `serious` with a CE flag until `retriage --apply` runs:
    its receipt and e-mail give the cauda equina emergency wording ("do not wait for a call from us"), no call-back."""
    with time_machine.travel(MONDAY_9 + datetime.timedelta(minutes=30), tick=False):
        intake = make_intake(
            "urgent_sexual", name="Legacy Ce7", submitted_at=MONDAY_9, level=Level.SERIOUS, rules_version="2026.1"
        )
        message = _receipt_message(intake)
        assert message.kind == "ces"  # the emergency wording
        assert message.callback is None  # no call promised
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Legacy Ce7")
        page = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()

    assert "Call by" not in row
    assert "receipt says we will call" not in page


def test_a_reopened_intake_is_not_shown_overdue_against_the_promise_its_first_review_answered(client, clinician):
    """Sent Monday 9:00 (receipt: "by 11:00"), called and reviewed at 10:00; on Wednesday a red flag from another tab
    reopens it. The Monday promise was kept; staff must not be told the call-back is two days overdue, nor the on-call
    that the receipt promised a call on Monday."""
    from intake.services import mark_reviewed, record_red_flags

    with time_machine.travel(MONDAY_9, tick=False):
        intake = make_intake("serious_fracture", name="Kept Promise", submitted_at=MONDAY_9)
    with time_machine.travel(MONDAY_9 + datetime.timedelta(hours=1), tick=False):
        mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    with time_machine.travel(WEDNESDAY_10, tick=False):
        record_red_flags(Intake.objects.get(pk=intake.pk), {"cancer_history": "yes"}, now=WEDNESDAY_10)
        intake.refresh_from_db()
        assert (intake.is_reviewed, intake.review_round, intake.level) == (False, 1, Level.SERIOUS)
        _run_queued_tasks()
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Kept Promise")
        page = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()

    [alert] = Alert.objects.filter(round=1)
    [message] = [m for m in mail.outbox if m.subject.endswith("Serious intake needs review")]
    assert alert.kind == Alert.Kind.SERIOUS
    assert "Call was due" not in row
    assert "Call-back overdue" not in page
    assert "Mon Mar 1" not in message.body


def test_a_serious_level_reached_after_sending_is_not_told_as_promised_before_then(client, clinician):
    """Sent Monday 9:00 as routine: receipt and e-mail say "we have your answers", no call. On Wednesday a red flag
    from another tab makes it serious. The patient was never told "by Monday 11:00"; staff and the on-call are."""
    from intake.services import record_red_flags

    with time_machine.travel(MONDAY_9, tick=False):
        intake = make_intake("routine_plain", name="Late Serious", submitted_at=MONDAY_9)
        assert _receipt_message(intake).kind == "confirmation"  # what the receipt and e-mail said at Send
    with time_machine.travel(WEDNESDAY_10, tick=False):
        record_red_flags(Intake.objects.get(pk=intake.pk), {"cancer_history": "yes"}, now=WEDNESDAY_10)
        intake.refresh_from_db()
        assert intake.level == Level.SERIOUS
        _run_queued_tasks()
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Late Serious")

    [message] = mail.outbox
    # The alert, sent Wednesday 10:00, says the patient was promised a call two days before the intake was serious.
    assert "Mon Mar 1" not in message.body
    # ... and the queue calls it overdue from the moment it first appears as serious.
    assert "Call was due Mon Mar 1" not in row


def test_a_review_before_the_form_was_sent_leaves_the_receipts_promise_standing(client, clinician):
    """Urgent at the safety step, called and reviewed at 8:00, reopened by a later answer, sent at 9:00 as serious: its
    receipt promised "by 11:00" after that review, so staff still see it (the fix must not hide it)."""
    with time_machine.travel(MONDAY_9 + datetime.timedelta(minutes=30), tick=False):
        make_intake(
            "serious_fracture",
            name="Reviewed Before Sending",
            submitted_at=MONDAY_9,
            reviewed_at=MONDAY_9 - datetime.timedelta(hours=1),
            review_round=1,
        )
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Reviewed Before Sending")

    assert "Call by Mon Mar 1, 11:00 AM" in row


def test_the_patient_page_asks_for_a_review_of_a_form_reviewed_only_before_it_was_sent(client, clinician):
    """Reviewed at 8:00 mid-way, sent at 9:00 as serious with a call promised by 11:00: the page does not say
    "✓ Reviewed" or offer "Add a note", as for a finished review; it says the sent form needs one and offers to mark
    it reviewed (a bare note is refused there)."""
    with time_machine.travel(MONDAY_9 + datetime.timedelta(minutes=30), tick=False):
        early = make_intake(
            "serious_fracture",
            name="Reviewed Before Sending",
            submitted_at=MONDAY_9,
            reviewed_at=MONDAY_9 - datetime.timedelta(hours=1),
            is_reviewed=True,
            reviewed_by=clinician,
        )
        answered = make_intake(
            "serious_fracture",
            name="Reviewed After Sending",
            submitted_at=MONDAY_9 - datetime.timedelta(hours=1),
            reviewed_at=MONDAY_9,
            is_reviewed=True,
            reviewed_by=clinician,
        )
        client.force_login(clinician)
        owed = client.get(reverse("dashboard:intake", args=[early.pk])).content.decode()
        done = client.get(reverse("dashboard:intake", args=[answered.pk])).content.decode()

    assert "✓ Reviewed" not in owed
    assert "The sent form is not reviewed yet (reviewed before it was sent" in owed
    assert 'id="review-title">Mark reviewed</h2>' in owed
    assert ">Mark reviewed</button>" in owed
    assert "Go to “Mark reviewed”" in owed
    assert "Add a note" not in owed

    assert "✓ Reviewed by" in done
    assert 'id="review-title">Add a note</h2>' in done
    assert "Go to “Add a note”" in done
