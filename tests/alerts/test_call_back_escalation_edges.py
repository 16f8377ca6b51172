"""The call-back escalation (alerts.services._escalate_missed_call_backs; found in the review of the stop-31
commits): an intake that became urgent after it was sent is not e-mailed to the lead a second time as "triaged
SERIOUS" (it has the urgent alert and its own
escalations, as `delivery._superseded_by_urgent` already decides for the serious alert), and promises that had passed
before the escalation existed (intake 0015's backfill) do not page the lead by the dozen on the first sweep after the
deploy. Clinic hours are the default, Mon-Fri 08:00-17:00, calls within 2 hours, in America/New_York."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

from alerts import services
from alerts.models import Alert
from intake.models import Intake, Level
from intake.services import record_red_flags
from tests.dashboard.factories import make_intake

CLINIC = zoneinfo.ZoneInfo("America/New_York")
TUESDAY_9 = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=CLINIC)
PROMISED = datetime.datetime(2027, 3, 2, 11, 0, tzinfo=CLINIC)


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.ESCALATION_EMAILS = ["lead@clinic.example"]


def _run_queued_tasks() -> None:
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        result.set_successful(result.task.call(*result.task_result.args, **result.task_result.kwargs))


def _sweep_at(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        escalated = services.sweep(now=moment)["escalated"]
        _run_queued_tasks()
    return escalated


@pytest.mark.django_db
def test_an_intake_that_became_urgent_after_sending_is_not_escalated_again_as_serious():
    """Sent serious at 9:00 (receipt: "by 11:00"); at 9:20 a cauda equina answer from another tab makes it urgent: the
    on-call is alerted at once and the lead at 9:35. At 11:00 the lead must not get a third e-mail saying the patient's
    answers were "triaged SERIOUS"."""
    with time_machine.travel(TUESDAY_9, tick=False):
        intake = make_intake("serious_fracture", submitted_at=TUESDAY_9)
    assert intake.call_back_by == PROMISED
    became_urgent = TUESDAY_9 + datetime.timedelta(minutes=20)
    with time_machine.travel(became_urgent, tick=False):
        record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=became_urgent)
        _run_queued_tasks()
    assert Intake.objects.get(pk=intake.pk).level == Level.URGENT
    assert _sweep_at(became_urgent + datetime.timedelta(minutes=15)) == 1  # the urgent escalation

    _sweep_at(PROMISED)

    assert not Alert.objects.filter(kind=Alert.Kind.CALL_BACK).exists()
    assert [m for m in mail.outbox if "SERIOUS" in m.body] == []


@pytest.mark.django_db
def test_a_call_back_e_mail_still_unsent_when_its_intake_becomes_urgent_is_cancelled(settings):
    """Queued at 11:00 while the mail server is down; at 11:10 the intake becomes urgent (its own alert and escalation
    follow): the call-back e-mail, sent once the server is back, would tell the lead it was triaged SERIOUS."""
    with time_machine.travel(TUESDAY_9, tick=False):
        intake = make_intake("serious_fracture", submitted_at=TUESDAY_9)
    with time_machine.travel(PROMISED, tick=False):
        services.sweep(now=PROMISED)  # queued, not run: the server is down
    [alert] = Alert.objects.filter(kind=Alert.Kind.CALL_BACK)
    later = PROMISED + datetime.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=later)
        assert services.send(alert.pk, now=later) == Alert.Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_promises_passed_before_the_escalation_existed_do_not_page_the_lead_on_the_first_sweep():
    """Serious intakes sent weeks ago and never marked reviewed (patients seen at their visit since): migrating to this
    release stores their promise (intake 0015) and the very first sweep e-mailed the lead "call the patient now" for
    each."""
    weeks_ago = TUESDAY_9 - datetime.timedelta(weeks=3)
    with time_machine.travel(weeks_ago, tick=False):
        old = [make_intake("serious_fracture", submitted_at=weeks_ago, seed=seed) for seed in range(3)]
    deploy = TUESDAY_9
    executor = MigrationExecutor(connection)
    before = [("intake", "0013_reviewed_flags_of_earlier_reviews"), ("alerts", "0004_alert_delivered_to")]
    with time_machine.travel(deploy, tick=False):
        executor.migrate(before)  # the database as the last release left it
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # this release's migrations
    assert all(Intake.objects.get(pk=intake.pk).call_back_by is not None for intake in old)  # staff still see them

    assert _sweep_at(deploy + datetime.timedelta(minutes=1)) == 0
    assert mail.outbox == []

    # A promise made after the deploy is escalated as usual.
    with time_machine.travel(TUESDAY_9, tick=False):
        make_intake("serious_fracture", submitted_at=TUESDAY_9, seed=9)
    assert _sweep_at(PROMISED) == 1
