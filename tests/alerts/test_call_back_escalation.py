"""A serious intake's receipt promised a call by a time (intake/call_backs.py): when that time passes and no review
has answered it since the intake was sent, the lead is e-mailed once (alerts.services.sweep). Clinic hours are the
default, Mon-Fri 08:00-17:00, calls within 2 hours, in America/New_York."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from alerts import services
from alerts.models import Alert
from intake.models import Intake
from intake.services import mark_reviewed
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

CLINIC = zoneinfo.ZoneInfo("America/New_York")
TUESDAY_9 = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=CLINIC)
PROMISED = datetime.datetime(2027, 3, 2, 11, 0, tzinfo=CLINIC)


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.ESCALATION_EMAILS = ["lead@clinic.example"]
    settings.SITE_URL = "https://portal.clinic.example"


def _run_queued_tasks() -> None:
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        result.set_successful(result.task.call(*result.task_result.args, **result.task_result.kwargs))


def _sent_serious(name: str = "Sam Serious") -> Intake:
    with time_machine.travel(TUESDAY_9, tick=False):
        intake = make_intake("serious_fracture", name=name, submitted_at=TUESDAY_9)
    assert intake.call_back_by == PROMISED
    return intake


def _sweep_at(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        escalated = services.sweep(now=moment)["escalated"]
        _run_queued_tasks()
    return escalated


def test_the_lead_hears_once_when_the_promised_time_passes_with_nobody_reviewing():
    _sent_serious()

    assert _sweep_at(PROMISED - datetime.timedelta(minutes=1)) == 0
    assert _sweep_at(PROMISED) == 1
    assert _sweep_at(PROMISED + datetime.timedelta(minutes=30)) == 0

    [message] = mail.outbox
    assert message.to == ["lead@clinic.example"]
    assert message.subject == "[Spine Clinic Portal] ESCALATION: a promised call-back time has passed"
    assert "would call by Tue Mar 2, 11:00 AM EST" in message.body
    assert "Please make sure someone calls the patient now." in message.body
    assert "Sam" not in f"{message.subject} {message.body}"  # no patient details, as every alert


def test_a_review_in_time_means_nobody_is_told(clinician):
    intake = _sent_serious()
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=1), tick=False):
        mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")

    assert _sweep_at(PROMISED + datetime.timedelta(minutes=5)) == 0
    assert not Alert.objects.filter(kind=Alert.Kind.CALL_BACK).exists()


def test_calls_that_could_not_reach_the_patient_are_counted_in_the_e_mail(clinician):
    intake = _sent_serious()
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=1), tick=False):
        mark_reviewed(intake, by=clinician, outcome="could_not_reach")

    assert _sweep_at(PROMISED) == 1

    [message] = mail.outbox
    assert "(1 call could not reach the patient)" in message.body


def test_an_intake_with_no_promise_is_never_escalated_this_way():
    with time_machine.travel(TUESDAY_9, tick=False):
        make_intake("routine_plain", submitted_at=TUESDAY_9)
        make_intake("urgent_bowel", submitted_at=TUESDAY_9)  # told to go to the emergency room instead

    assert _sweep_at(PROMISED + datetime.timedelta(hours=1)) == 0
    assert not Alert.objects.filter(kind=Alert.Kind.CALL_BACK).exists()
