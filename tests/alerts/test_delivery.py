"""Sending an alert: every on-call address gets it, soon after the mail server is back, without holding up the
intake, and never with words an urgent intake has overtaken."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from intake.models import Intake, Level
from tests.alerts.smtp_server import LocalSMTPServer
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

FAILING = "tests.alerts.mail_backends.AlwaysFailingBackend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"
ON_CALL = ["on-call-a@clinic.example", "on-call-b@clinic.example"]


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.ALERT_EMAILS = ON_CALL
    settings.ESCALATION_EMAILS = ["lead@clinic.example"]
    settings.SITE_URL = "https://portal.clinic.example"
    settings.ESCALATE_AFTER_MINUTES = 15


@pytest.fixture
def smtp_server(settings):
    with LocalSMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        yield server


def queue_urgent_alert() -> Alert:
    services.intake_level_changed(make_intake("urgent_bowel"), previous_level=None)
    return Alert.objects.get()


def test_an_on_call_address_the_mail_server_turns_away_gets_the_alert_once_it_takes_it(smtp_server):
    """One e-mail to both addresses, the server answering 451 for one: smtplib raised nothing, the alert was marked
    sent and that address never had it (the alert delivery audit)."""
    smtp_server.refusing = {"on-call-b@clinic.example"}
    alert = queue_urgent_alert()
    assert services.send(alert.pk) == "retry"
    assert smtp_server.delivered == [["on-call-a@clinic.example"]]
    smtp_server.refusing = set()
    assert services.send(alert.pk) == "sent"
    assert services.send(alert.pk) == "sent"  # a duplicated task
    assert smtp_server.delivered == [["on-call-a@clinic.example"], ["on-call-b@clinic.example"]]


def test_an_alert_is_not_sent_while_an_on_call_address_is_still_missing(smtp_server):
    smtp_server.refusing = {"on-call-a@clinic.example"}
    alert = queue_urgent_alert()
    for _ in range(3):
        services.send(alert.pk)
    alert.refresh_from_db()
    assert (alert.status, alert.delivered_to, alert.last_error) == (
        "pending",
        ["on-call-b@clinic.example"],
        "SMTPRecipientsRefused",
    )
    assert smtp_server.received_by("on-call-b@clinic.example") == 1


def postgresql_sql(query: Query) -> str:
    """The SQL PostgreSQL would be sent for `query`, compiled without a server: these tests run on SQLite, which has
    no row locks and leaves FOR UPDATE out of its SQL altogether."""
    compile_only = PostgreSQLWrapper({**connection.settings_dict, "OPTIONS": {}}, alias="compile-only")
    compile_only.connection = object()  # stands in for a connection, so nothing connects; any use of it fails
    compile_only.autocommit = False  # as inside transaction.atomic(), where select_for_update may be compiled
    sql, _params = query.get_compiler(connection=compile_only).as_sql()
    return str(sql)


def test_sending_an_alert_locks_only_the_alert_row_on_postgresql_not_its_intake(monkeypatch):
    """A plain FOR UPDATE with the intake joined locks the intake's row too on PostgreSQL, for the whole SMTP round
    trip: a patient's next red-flag answer, the emergency page or a clinician's review waited on the mail server, up to
    the statement timeout (the alert delivery audit). Every locking query `send` runs is compiled for PostgreSQL."""
    alert = queue_urgent_alert()
    locking: list[Query] = []
    execute_sql = SQLCompiler.execute_sql

    def recording_locks(compiler: SQLCompiler, *args, **kwargs):
        if compiler.query.select_for_update:
            locking.append(compiler.query.clone())
        return execute_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", recording_locks)
    assert services.send(alert.pk) == "sent"
    statements = [postgresql_sql(query) for query in locking]
    assert statements
    assert any('JOIN "intake_intake"' in sql for sql in statements)  # the intake is read with the alert ...
    assert all(sql.endswith('FOR UPDATE OF "alerts_alert"') for sql in statements)  # ... but not locked


def run_the_worker_every_30_seconds(*, start: datetime.datetime, minutes: int, mail_down_for: int, settings) -> None:
    """What the worker and the sweeper do, at each half minute: queue due escalations and try every alert that is
    due (its task's run_after is the row's next_attempt_at), the mail server down for the first `mail_down_for`
    minutes."""
    for step in range(minutes * 2 + 1):
        now = start + datetime.timedelta(seconds=30 * step)
        settings.EMAIL_BACKEND = FAILING if now < start + datetime.timedelta(minutes=mail_down_for) else WORKING
        with time_machine.travel(now, tick=False):
            services.sweep(now=now)
            due = Alert.objects.filter(status=Alert.Status.PENDING, next_attempt_at__lte=now)
            for alert_id in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True):
                services.send(alert_id, now=now)


def test_after_a_mail_outage_the_on_call_has_the_urgent_alert_within_a_minute_and_before_the_escalation(settings):
    """A 20-minute outage: on the patient messages' backoff the urgent alert reached the on-call 28 minutes after the
    server was back, after the lead's escalation, which says the on-call was alerted 15 minutes before."""
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        alert = queue_urgent_alert()
    run_the_worker_every_30_seconds(start=start, minutes=60, mail_down_for=20, settings=settings)
    alert.refresh_from_db()
    escalation = Alert.objects.get(kind=Alert.Kind.ESCALATION)
    assert alert.sent_at is not None
    assert escalation.sent_at is not None
    assert alert.sent_at <= start + datetime.timedelta(minutes=21)
    assert alert.sent_at <= escalation.sent_at


def test_an_alert_whose_intake_no_longer_calls_for_anyone_backs_off_like_any_e_mail(settings):
    """Only an alert whose intake waits for a review is tried every minute; otherwise the messages' backoff spares
    the mail server."""
    settings.EMAIL_BACKEND = FAILING
    alert = queue_urgent_alert()
    Intake.objects.filter(pk=alert.intake_id).update(level=Level.ROUTINE)
    now = timezone.now()
    for _ in range(6):
        services.send(alert.pk, now=now)
    alert.refresh_from_db()
    assert alert.next_attempt_at == now + datetime.timedelta(minutes=30)


def test_a_serious_alert_still_waiting_when_its_intake_turns_urgent_is_not_sent_after_the_urgent_one(settings):
    """Mail down; the intake was serious, then urgent in the same round. Once the server was back the on-call had the
    urgent alert ("phone the patient now") and then the serious one ("the next working morning")."""
    settings.EMAIL_BACKEND = FAILING
    intake = make_intake("serious_cancer")
    services.intake_level_changed(intake, previous_level=None)
    serious = Alert.objects.get()
    assert services.send(serious.pk) == "retry"
    intake.level = Level.URGENT
    intake.save()
    services.intake_level_changed(intake, previous_level=Level.SERIOUS)
    urgent = Alert.objects.get(kind=Alert.Kind.URGENT)
    assert urgent.round == serious.round
    settings.EMAIL_BACKEND = WORKING
    assert services.send(urgent.pk) == "sent"
    assert services.send(serious.pk) == "cancelled"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([address], "[Spine Clinic Portal] Urgent intake needs review") for address in ON_CALL
    ]


def test_the_leads_escalation_says_the_on_call_alert_has_not_gone_through_when_it_has_not(settings):
    """The on-call mailbox turned the alert away for 15 minutes; the lead's e-mail said the intake was not reviewed
    "15 minutes after the on-call alert", so the lead took it that the on-call knew, and waited on them."""
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.OnCallRefusedBackend"
    start = timezone.now()
    alert = queue_urgent_alert()
    assert services.send(alert.pk, now=start) == "retry"
    assert services.sweep(now=start + datetime.timedelta(minutes=16))["escalated"] == 1
    escalation = Alert.objects.get(kind=Alert.Kind.ESCALATION)
    assert services.send(escalation.pk) == "sent"
    [lead] = mail.outbox
    assert lead.to == ["lead@clinic.example"]
    assert "after the on-call alert" not in lead.body
    assert "The on-call alert e-mail has not gone through" in lead.body
    assert "phone the on-call clinician" in lead.body
    # Its subject said "not reviewed after 15 minutes" alone, as when the on-call had been told (no patient data).
    assert lead.subject == (
        "[Spine Clinic Portal] ESCALATION: urgent intake not reviewed after 15 minutes, "
        "and the on-call alert has not gone through"
    )


def test_the_leads_escalation_still_says_the_on_call_was_alerted_when_they_were():
    start = timezone.now()
    alert = queue_urgent_alert()
    assert services.send(alert.pk, now=start) == "sent"
    services.sweep(now=start + datetime.timedelta(minutes=16))
    assert services.send(Alert.objects.get(kind=Alert.Kind.ESCALATION).pk) == "sent"
    lead = mail.outbox[-1]
    assert "15 minutes after the on-call alert" in lead.body
    assert "has not gone through" not in lead.body
    assert lead.subject == "[Spine Clinic Portal] ESCALATION: urgent intake not reviewed after 15 minutes"
