"""A serious intake's receipt promised a call by a time (intake/call_backs.py): when that time passes and no review
has answered it since the intake was sent, the lead is e-mailed once (alerts.services.sweep). Not an intake urgent
since it was sent (it has the urgent alert and its own escalations, as `delivery._superseded_by_urgent` decides for
the serious alert), and not promises that had passed before the escalation existed (intake 0015's backfill): those
paged the lead by the dozen on the first sweep after the deploy (both found in the review of the stop-31 commits).
Clinic hours are the default, Mon-Fri 08:00-17:00, calls within 2 hours, in America/New_York."""

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
from intake.services import mark_reviewed, record_red_flags
from intake.services.review import InvalidReview
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
    assert "make sure someone calls the patient now." in message.body
    assert "Sam" not in f"{message.subject} {message.body}"  # no patient details, as every alert


def _serious_alert_tried_at_9(intake: Intake) -> None:
    with time_machine.travel(TUESDAY_9, tick=False):
        services.intake_level_changed(intake, previous_level=None)
        _run_queued_tasks()


def test_the_leads_call_back_e_mail_says_the_on_call_alert_went_through_and_when():
    _serious_alert_tried_at_9(_sent_serious())

    assert _sweep_at(PROMISED) == 1

    [on_call, lead] = mail.outbox
    assert (on_call.to, lead.to) == (["on-call@clinic.example"], ["lead@clinic.example"])
    assert "The on-call alert e-mail for this intake went through on Tue Mar 2, 9:00 AM EST." in lead.body
    assert "has not gone through" not in lead.body


def test_the_leads_call_back_e_mail_says_when_the_on_call_alert_has_not_gone_through(settings):
    """The on-call mailbox turning the serious alert away since 9:00: the lead's e-mail said only that the promised
    time had passed, so the lead took it that the on-call knew of the patient."""
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.OnCallRefusedBackend"
    _serious_alert_tried_at_9(_sent_serious())

    assert _sweep_at(PROMISED) == 1

    [lead] = mail.outbox
    assert lead.to == ["lead@clinic.example"]
    assert "The on-call alert e-mail for this intake has not gone through to every on-call address yet" in lead.body
    assert "so the on-call clinician may not know" in lead.body
    assert "Please phone the on-call clinician, or make sure someone calls the patient now." in lead.body
    assert "went through on" not in lead.body


def test_the_leads_call_back_e_mail_says_when_no_on_call_alert_went_out():
    _sent_serious()  # no alert row: as for an alert cancelled unsent

    assert _sweep_at(PROMISED) == 1

    [lead] = mail.outbox
    assert "No on-call alert e-mail for this intake went through, so the on-call clinician may not know" in lead.body


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


def _reviewed_mid_form_then_sent(clinician, *, sent: datetime.datetime, name: str) -> Intake:
    """Flagged serious mid-form, reviewed then (30 minutes before `sent`), and sent at `sent`: its receipt promises a
    call two hours later (clinic hours)."""
    from intake.rules import answers as answer_codec
    from intake.services import submit_intake
    from intake.services.demo import create_assessed_intake
    from tests.intake.factories import make_invitation, routine_answers

    with time_machine.travel(sent - datetime.timedelta(minutes=30), tick=False):
        invitation, _token = make_invitation(name=name, appointment_at=sent + datetime.timedelta(days=3))
        intake = create_assessed_intake(
            invitation=invitation,
            answers=routine_answers(cancer_history="yes"),
            today=sent.date(),
            submitted_at=None,
            status=Intake.Status.IN_PROGRESS,
            current_step=answer_codec.REVIEW,
        )
        assert intake.level == Level.SERIOUS
        mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    with time_machine.travel(sent, tick=False):
        submit_intake(Intake.objects.get(pk=intake.pk), now=sent)
    intake.refresh_from_db()
    assert (intake.call_back_by, intake.is_reviewed) == (sent + datetime.timedelta(hours=2), True)
    return intake


def test_a_promise_made_after_a_review_before_sending_is_shown_and_escalated_when_it_passes(clinician, client):
    """Flagged serious mid-form and reviewed then; the patient sends later and is promised a call by 11:00. The
    intake stays reviewed, and the promise was shown nowhere and never escalated: the sweeper and the queue looked
    only at unreviewed intakes (the stop-32 audit of the notifications). A review before sending answers no promise."""
    _reviewed_mid_form_then_sent(clinician, sent=TUESDAY_9, name="Reviewed Early")

    assert _sweep_at(PROMISED - datetime.timedelta(minutes=1)) == 0
    assert _sweep_at(PROMISED) == 1
    assert [message.to for message in mail.outbox if "call by" in message.body.lower()] == [["lead@clinic.example"]]
    with time_machine.travel(PROMISED + datetime.timedelta(minutes=5), tick=False):
        intake = Intake.objects.get(invitation__patient_name="Reviewed Early")
        mark_reviewed(intake, by=clinician, outcome="could_not_reach")
        client.force_login(clinician)
        [row] = [row for row in client.get("/staff/queue/").context["rows"] if row.patient_name == "Reviewed Early"]
        page = client.get(f"/staff/intakes/{intake.pk}/").content.decode()
    assert "Call was due" in row.html
    assert "Not reached" in row.html  # a failed call after sending is shown too (review of the stop-32 commits)
    assert "The receipt's call is owed until the sent form is reviewed with an outcome" in page


def test_a_review_after_sending_answers_a_promise_made_after_a_review_before_sending(clinician, client):
    """The intake already marked reviewed (before sending), a clinician's review of the sent form changed nothing
    (`mark_reviewed` updated only unreviewed intakes): the promise stayed "Call was due" for good and the lead was
    paged anyway (review of the stop-32 commits)."""
    intake = _reviewed_mid_form_then_sent(clinician, sent=TUESDAY_9, name="Answered Later")
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=1), tick=False):
        mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="same_day_call_advice")

    assert _sweep_at(PROMISED + datetime.timedelta(minutes=5)) == 0
    with time_machine.travel(PROMISED + datetime.timedelta(minutes=5), tick=False):
        client.force_login(clinician)
        [row] = [row for row in client.get("/staff/queue/").context["rows"] if row.patient_name == "Answered Later"]
    assert "call-by" not in row.html
    assert "✓" in row.html


@pytest.mark.django_db(transaction=True)
def test_promises_after_a_review_before_sending_passed_weeks_before_the_deploy_do_not_page_the_lead(clinician):
    """Such promises were never escalated before stop 32; the first sweep after the deploy would have paged the lead
    for each, weeks on (review of the stop-32 commits): alerts 0007 records them as not escalated."""
    weeks_ago = TUESDAY_9 - datetime.timedelta(weeks=3)
    old = [_reviewed_mid_form_then_sent(clinician, sent=weeks_ago, name=f"Old {n}") for n in range(2)]
    executor = MigrationExecutor(connection)
    with time_machine.travel(TUESDAY_9, tick=False):
        executor.migrate([("alerts", "0006_call_backs_passed_before_escalation")])  # as the last release left it
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        _run_queued_tasks()  # what was queued weeks ago (each intake's serious alert) is long sent
    mail.outbox.clear()

    assert _sweep_at(TUESDAY_9 + datetime.timedelta(minutes=1)) == 0
    assert mail.outbox == []
    assert Alert.objects.filter(intake__in=old, kind=Alert.Kind.CALL_BACK, status=Alert.Status.CANCELLED).count() == 2


def test_a_bare_note_on_the_sent_form_does_not_answer_the_promised_call(clinician, client):
    """Only a review with an outcome answers the promise: a note ("left a voicemail") took the intake off the
    escalation path (review of the stop-32 commits). The review form asks for an outcome, as for any first review."""
    intake = _reviewed_mid_form_then_sent(clinician, sent=TUESDAY_9, name="Bare Note")
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=1), tick=False):
        client.force_login(clinician)
        assert client.get(f"/staff/intakes/{intake.pk}/").context["review_form"].outcome_required
        with pytest.raises(InvalidReview, match="Choose what happened"):
            mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, note="Left a voicemail, will try later.")

    assert _sweep_at(PROMISED + datetime.timedelta(minutes=5)) == 1


def test_a_note_after_sending_leaves_a_review_before_sending_as_it_was_when_no_call_is_owed(clinician, front_desk):
    """A routine form reviewed before sending: a later note keeps who reviewed it, and when (review of the stop-32
    commits: it was rewritten for every intake reviewed before sending)."""
    from intake.rules import answers as answer_codec
    from intake.services import submit_intake
    from intake.services.demo import create_assessed_intake
    from tests.intake.factories import make_invitation, routine_answers

    early = TUESDAY_9 - datetime.timedelta(minutes=30)
    with time_machine.travel(early, tick=False):
        invitation, _token = make_invitation(
            name="Early Reviewed", appointment_at=TUESDAY_9 + datetime.timedelta(days=3)
        )
        intake = create_assessed_intake(
            invitation=invitation,
            answers=routine_answers(),
            today=TUESDAY_9.date(),
            submitted_at=None,
            status=Intake.Status.IN_PROGRESS,
            current_step=answer_codec.REVIEW,
        )
        assert mark_reviewed(intake, by=clinician, note="Read the answers so far.").newly_reviewed
    with time_machine.travel(TUESDAY_9, tick=False):
        submit_intake(Intake.objects.get(pk=intake.pk), now=TUESDAY_9)
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=1), tick=False):
        later = mark_reviewed(Intake.objects.get(pk=intake.pk), by=front_desk, note="Phoned about parking.")

    intake.refresh_from_db()
    assert intake.call_back_by is None
    assert not later.newly_reviewed
    assert (intake.reviewed_by, intake.reviewed_at) == (clinician, early)


# A history of promises answered long ago: what the sweep's look-up must not read. Twenty thousand: at this size
# PostgreSQL, guessing a third of the rows for `reviewed_at < submitted_at`, priced reading the whole table below the
# index and read it every minute (about 20 ms; intake 0025).
ANSWERED_HISTORY = 20_000


def _answered_history(like: Intake, count: int) -> None:
    """`count` intakes sent one every ten minutes until a month before `like`, their call-back promised and answered
    by a review an hour after sending, as a clinic's history is: copies of `like` and its invitation, made by two
    INSERT ... SELECT statements (a second or so; saving them one by one would take minutes)."""
    from intake.models import Invitation

    assert like.submitted_at is not None
    quote = connection.ops.quote_name

    def copy(model: type[Invitation] | type[Intake], source: str, overrides: dict[str, str]) -> str:
        names = [column for field in model._meta.concrete_fields if not field.primary_key and (column := field.column)]
        select = ", ".join(overrides.get(name, f"t.{quote(name)}") for name in names)
        columns = ", ".join(quote(name) for name in names)
        return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {select} FROM {source}"  # noqa: S608

    sent = "%(latest)s::timestamptz - n * interval '10 minutes'"
    with connection.cursor() as cursor:
        cursor.execute(
            copy(
                Invitation,
                f"generate_series(1, %(count)s) n JOIN {quote(Invitation._meta.db_table)} t ON t.id = %(like)s",
                {"token_hash": "'history-' || n", "pending_token_hash": "NULL"},
            ),
            {"count": count, "like": like.invitation_id},
        )
        cursor.execute(
            copy(
                Intake,
                f"generate_series(1, %(count)s) n "
                f"JOIN {quote(Invitation._meta.db_table)} i ON i.token_hash = 'history-' || n "
                f"JOIN {quote(Intake._meta.db_table)} t ON t.id = %(like)s",
                {
                    "invitation_id": "i.id",
                    "submitted_at": sent,
                    "call_back_by": f"{sent} + interval '2 hours'",
                    "is_reviewed": "true",
                    "reviewed_at": f"{sent} + interval '1 hour'",
                },
            ),
            {"count": count, "like": like.pk, "latest": like.submitted_at - datetime.timedelta(days=30)},
        )


def _plan_nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _plan_nodes(child))]


def test_the_sweeps_call_back_look_up_reads_index_ranges_not_the_whole_history():
    """The promise reviewed before sending widened the look-up past its partial index, and the every-minute sweep
    read every intake (review of the stop-32 commits); each branch has an index of its own (intake 0016).

    The planner picks a plan by the table's size and statistics: on the empty table of a new test database it read
    the intakes through `intake_submitted_at` (every intake sent: the whole history) however the query was written,
    and this test failed when run alone. So the test gives the table a history and its statistics first.

    With sequential reads allowed, as in production: at 20,000 intakes reviewed after sending the planner still read
    them all (about 20 ms every minute), guessing a third of them reviewed before sending (`reviewed_at <
    submitted_at`, two columns it keeps no statistics across). The stored `last_review_before_sending` has statistics
    (intake 0025): the plan is asserted, never a time, so a slow machine does not fail it."""
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the plan that matters is PostgreSQL's (SQLite, for `make run`, reads its few rows whole)")
    _answered_history(_sent_serious(), ANSWERED_HISTORY)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_intake")
        cursor.execute("ANALYZE alerts_alert")
        # And the tables the copies refer to: their foreign keys are checked when the test ends (deferred), by plans
        # this connection may have made while those tables held a row or two (a scan of the whole table, cached):
        # 20,000 such scans of 20,000 rows passed the statement timeout at the end of a suite run.
        cursor.execute("ANALYZE intake_invitation, intake_patient, auth_user")
    with CaptureQueriesContext(connection) as queries:
        services.sweep(now=TUESDAY_9)
    [sql] = [q["sql"] for q in queries.captured_queries if '"call_back_by" <=' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        [[explained]] = cursor.fetchall()
    nodes = _plan_nodes(explained[0]["Plan"])
    # What a failure shows: each step of the plan, what it reads and how.
    plan = " / ".join(
        " ".join(str(node.get(key, "")) for key in ("Node Type", "Relation Name", "Index Name", "Index Cond", "Filter"))
        for node in nodes
    )
    intake_scans = [node for node in nodes if node.get("Relation Name") == "intake_intake"]
    assert intake_scans, plan
    assert all(node["Node Type"] in ("Bitmap Heap Scan", "Index Scan") for node in intake_scans), plan
    # Every index the intakes are read through is one of the two partial indexes, read as a range up to now.
    read_through = [node for scan in intake_scans for node in _plan_nodes(scan) if "Index Name" in node]
    assert {node["Index Name"] for node in read_through} == {
        "intake_call_back_waiting",
        "intake_call_back_early_review",
    }, plan
    assert all("call_back_by <=" in node.get("Index Cond", "") for node in read_through), plan
    # Why the indexes win: the planner expects the few rows there are, not a third of the history.
    assert all(node["Plan Rows"] < 100 for node in intake_scans), plan
