"""A mail outage with real `manage.py db_worker` processes: every alert, invitation, confirmation and lockout e-mail,
a follow-up and a pre-visit reminder (queued by the dispatcher, `intake.services.follow_ups`) are delivered exactly
once after the mail server comes back, and no patient address reaches a log or the task table.

The mail server (tests/alerts/mail_backends.py, OutageFileBackend) refuses, quoting the addresses, while a file
exists; the test removes the file once every e-mail has been refused at least twice. Patient e-mails retry after
half a second (tests/messaging/worker_settings.py), and so do the alerts, which share the messages' retry policy
(the test still brings any alert retry queued later forward, as tests/alerts/test_worker.py does).

Nothing here depends on how fast the machine is: every wait polls the database against a generous deadline, and a
worker that does not start in time skips the test with a message. Like tests/alerts/test_worker.py it needs
PostgreSQL (the workers must see the test database): run with DATABASE_URL=postgres://...
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from alerts import services as alert_services
from alerts.models import Alert
from intake import services
from intake.models import Invitation
from intake.services import follow_ups
from messaging import services as message_services
from messaging.models import OutboundMessage
from tests.intake.factories import BIRTH_DATE, routine_answers

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]

PATIENTS = 4
WORKERS = 2
# Far above a normal run (a few seconds); they only bound a wedged machine.
WORKER_START_TIMEOUT = 90.0
OUTAGE_TIMEOUT = 180.0
DELIVERY_TIMEOUT = 240.0
PATIENT_DOMAIN = "patients.example"
URGENT = {"ce_saddle_numbness": "yes", "ce_onset": "within_14_days"}


@pytest.fixture
def worker_env(tmp_path) -> dict[str, str]:
    if connection.vendor != "postgresql":
        pytest.skip("Worker processes need a database they can share: run with DATABASE_URL=postgres://...")
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,  # the test database (test_<name>), not the development one
        "DJANGO_SETTINGS_MODULE": "tests.messaging.worker_settings",
        "DEBUG": "0",
        "EMAIL_BACKEND": "tests.alerts.mail_backends.OutageFileBackend",
        "ALERT_EMAILS": "on-call@clinic.example",
        "FRONT_DESK_EMAILS": "front-desk@clinic.example",
        "SITE_URL": "https://portal.clinic.example",
        "ALERT_TEST_OUTBOX": str(tmp_path / "outbox.jsonl"),
        "ALERT_TEST_ATTEMPTS": str(tmp_path / "attempts.txt"),
        "MAIL_TEST_OUTAGE": str(tmp_path / "mail-server-down"),
        "WORKER_LOG": str(tmp_path / "worker.log"),
    }


@contextlib.contextmanager
def workers(env: dict[str, str], count: int) -> Iterator[None]:
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"]
    with Path(env["WORKER_LOG"]).open("a") as log:
        processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
            for _ in range(count)
        ]
        try:
            yield
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def wait_until(condition: Callable[[], bool], *, timeout: float, tick: Callable[[], None] = lambda: None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tick()
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def outbox(env: dict[str, str]) -> list[dict]:
    path = Path(env["ALERT_TEST_OUTBOX"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def let_alert_retries_come_due() -> None:
    DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="alerts.tasks.send_alert", run_after__gt=timezone.now()
    ).update(run_after=timezone.now())


def make_patients() -> tuple[list[str], list[str]]:
    """For each patient, an invitation e-mail and an urgent intake (a confirmation and an alert); and a link locked by
    wrong dates of birth (the front desk's e-mail). Returns (invitation addresses, confirmation addresses)."""
    invited, confirmed = [], []
    for number in range(PATIENTS):
        invitation, _ = services.create_invitation(
            patient_name=f"Outage Invitee{number}",
            email=f"invite{number}@{PATIENT_DOMAIN}",
            date_of_birth=BIRTH_DATE,
            appointment_at=timezone.now() + datetime.timedelta(days=2),
            created_by=None,
            send_email=True,
        )
        invited.append(invitation.email)
        intake = services.create_submitted_intake_for_demo(
            answers=routine_answers(**URGENT), email=f"receipt{number}@{PATIENT_DOMAIN}", patient_name="Outage Sender"
        )
        confirmed.append(intake.invitation.email)
    locked, _ = services.create_invitation(
        patient_name="Outage Locked",
        email=f"locked@{PATIENT_DOMAIN}",
        date_of_birth=BIRTH_DATE,
        appointment_at=timezone.now() + datetime.timedelta(days=2),
        created_by=None,
        send_email=False,
    )
    for _ in range(services.max_identity_attempts()):
        services.confirm_identity(locked, datetime.date(2000, 1, 1), now=timezone.now())
    return invited, confirmed


def dispatch_follow_up_and_reminder() -> tuple[str, str]:
    """A visit six weeks ago whose follow-up falls due (and its confirmation), and an unfinished intake a week before
    its appointment (its reminder): the dispatcher queues both. Returns (follow-up address, reminder address)."""
    now = timezone.now()
    visit = services.create_submitted_intake_for_demo(
        answers=routine_answers(),
        email=f"follow-up@{PATIENT_DOMAIN}",
        patient_name="Outage Followed",
        appointment_at=now - datetime.timedelta(days=43),
    )
    unfinished, _ = services.create_invitation(
        patient_name="Outage Reminded",
        email=f"reminded@{PATIENT_DOMAIN}",
        date_of_birth=BIRTH_DATE,
        appointment_at=now + datetime.timedelta(days=7),
        created_by=None,
        send_email=False,
    )
    Invitation.objects.filter(pk=unfinished.pk).update(created_at=now - datetime.timedelta(days=3))
    counts = follow_ups.send_due_messages(now=now)
    assert (counts["follow_ups"], counts["pre_visit_reminders"]) == (1, 1)
    return visit.invitation.email, unfinished.email


def test_every_email_is_delivered_exactly_once_after_a_mail_outage(worker_env):
    outage = Path(worker_env["MAIL_TEST_OUTAGE"])
    outage.touch()  # the mail server is down
    invited, confirmed = make_patients()
    followed, reminded = dispatch_follow_up_and_reminder()
    assert OutboundMessage.objects.count() == 2 * PATIENTS + 4
    assert Alert.objects.count() == PATIENTS

    with workers(worker_env, WORKERS):
        if not wait_until(lambda: Path(worker_env["ALERT_TEST_ATTEMPTS"]).exists(), timeout=WORKER_START_TIMEOUT):
            pytest.skip(f"machine too slow: no worker tried a send within {WORKER_START_TIMEOUT:.0f} s")

        def all_refused_twice() -> bool:
            return (
                not OutboundMessage.objects.filter(attempts__lt=2).exists()
                and not Alert.objects.filter(attempts__lt=1).exists()
            )

        assert wait_until(all_refused_twice, timeout=OUTAGE_TIMEOUT), "the workers stopped retrying during the outage"
        assert not OutboundMessage.objects.exclude(status="pending").exists()  # refused, and waiting to retry
        assert outbox(worker_env) == []
        outage.unlink()  # the mail server is back

        def all_sent() -> bool:
            return (
                not OutboundMessage.objects.exclude(status="sent").exists()
                and not Alert.objects.exclude(status="sent").exists()
            )

        assert wait_until(all_sent, timeout=DELIVERY_TIMEOUT, tick=let_alert_retries_come_due), (
            list(OutboundMessage.objects.values_list("kind", "status", "attempts", "last_error")),
            list(Alert.objects.values_list("kind", "status", "attempts", "last_error")),
        )
        time.sleep(1)  # a second copy, if anything were to send one, would have time to arrive

    later = timezone.now() + datetime.timedelta(minutes=10)
    assert message_services.sweep(now=later) == {"requeued": 0}
    assert alert_services.sweep(now=later)["requeued"] == 0

    sent = outbox(worker_env)
    copies = collections.Counter((tuple(m["to"]), m["subject"], m["body"]) for m in sent)
    assert all(count == 1 for count in copies.values()), copies
    received = collections.Counter(m["to"][0] for m in sent)
    for address in invited + confirmed:
        assert received[address] == 1, address
    assert received["front-desk@clinic.example"] == 1  # the lockout
    assert received[followed] == 2  # the confirmation, then the follow-up six weeks later
    assert received[reminded] == 1
    assert set(OutboundMessage.objects.values_list("kind", flat=True)) >= {"follow_up", "pre_visit_reminder"}
    alert_links = [m["body"] for m in sent if m["to"] == ["on-call@clinic.example"]]
    assert len(alert_links) == PATIENTS
    for alert in Alert.objects.all():
        assert sum(f"/staff/intakes/{alert.intake_id}/" in body for body in alert_links) == 1
    assert len(sent) == 2 * PATIENTS + 1 + PATIENTS + 3
    assert set(OutboundMessage.objects.values_list("last_error", flat=True)) == {""}

    log = Path(worker_env["WORKER_LOG"]).read_text()
    assert "SMTPRecipientsRefused" in log  # the refusals were logged...
    assert PATIENT_DOMAIN not in log  # ...without the addresses they quoted
    assert "Outage" not in log
    assert PATIENT_DOMAIN not in str(list(DBTaskResult.objects.values()))
