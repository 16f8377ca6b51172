"""Alerts through a real `manage.py db_worker` process: exactly one e-mail, whatever fails on the way.

The worker is a separate process, so it must see committed data in the same test database: this needs PostgreSQL
(pytest-django's SQLite test database lives in memory, invisible to another process).
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from alerts import services
from alerts.models import Alert
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_env(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("A worker process needs a database it can share: run with DATABASE_URL=postgres://...")
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,  # the test database (test_<name>), not the development one
        "DEBUG": "0",
        "EMAIL_BACKEND": "tests.alerts.mail_backends.FlakyFileBackend",
        "ALERT_EMAILS": "on-call@clinic.example",
        "SITE_URL": "https://portal.clinic.example",
        "ALERT_TEST_OUTBOX": str(tmp_path / "outbox.jsonl"),
        "ALERT_TEST_ATTEMPTS": str(tmp_path / "attempts.txt"),
    }
    return env


def outbox(env) -> list[dict]:
    path = Path(env["ALERT_TEST_OUTBOX"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def attempts(env) -> int:
    path = Path(env["ALERT_TEST_ATTEMPTS"])
    return len(path.read_text().splitlines()) if path.exists() else 0


def run_worker_batch(env) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )


def queue_urgent_alert():
    intake = make_intake("urgent_saddle_bladder", name="Ann Urgent")
    services.intake_level_changed(intake, previous_level=None)
    return intake


def test_an_urgent_intake_produces_exactly_one_email(worker_env):
    intake = queue_urgent_alert()
    run_worker_batch(worker_env)
    run_worker_batch(worker_env)
    sent = outbox(worker_env)
    assert len(sent) == 1
    assert sent[0]["to"] == ["on-call@clinic.example"]
    assert f"/staff/intakes/{intake.pk}/" in sent[0]["body"]
    assert "Ann" not in sent[0]["subject"] + sent[0]["body"]


def test_exactly_one_email_when_the_first_send_attempt_fails(worker_env):
    worker_env["ALERT_TEST_FAIL_FIRST"] = "1"
    queue_urgent_alert()
    run_worker_batch(worker_env)
    assert attempts(worker_env) == 1
    assert outbox(worker_env) == []
    assert Alert.objects.get().status == "pending"
    # The retry waits for its backoff; let that time pass.
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_worker_batch(worker_env)
    run_worker_batch(worker_env)
    assert attempts(worker_env) == 2
    assert len(outbox(worker_env)) == 1
    assert Alert.objects.get().status == "sent"


def test_exactly_one_email_when_the_worker_is_killed_mid_send(worker_env):
    worker_env["ALERT_TEST_HANG_FIRST"] = "1"
    queue_urgent_alert()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while attempts(worker_env) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert attempts(worker_env) == 1, "the worker never started sending"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING  # left behind (django-tasks #46)
    assert services.sweep(now=timezone.now() + datetime.timedelta(minutes=5))["requeued"] == 1
    run_worker_batch(worker_env)
    run_worker_batch(worker_env)
    assert len(outbox(worker_env)) == 1
    assert Alert.objects.get().status == "sent"
