"""`send_due_messages --every 60` outlives database errors: follow-ups and reminders must not stop until someone
restarts it, and what it logs of an error names no patient."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import OperationalError

from intake.management.commands import send_due_messages

PATIENT_DETAIL = 'DETAIL:  Key (email)=(zq.due@example.org) already exists; "Zqmarker Patient"'


class StopLoop(Exception):
    pass


def test_the_loop_takes_a_fresh_connection_after_each_tick_and_logs_errors_without_patient_data(monkeypatch, caplog):
    """A database restart left the loop on its dead connection, failing every tick until restarted (the stop-30
    audit); the error's text, which can quote a row, went to the log with the traceback."""
    caplog.set_level(logging.DEBUG)
    events: list[str] = []
    runs: list[int] = []

    def sleep(seconds: float) -> None:
        events.append("sleep")
        if events.count("sleep") >= 4:
            raise StopLoop

    def send_due() -> dict[str, int]:
        runs.append(1)
        events.append("run")
        if len(runs) <= 2:
            raise OperationalError(f"server closed the connection unexpectedly {PATIENT_DETAIL}")
        return {"scheduled": 0, "follow_ups": 1}

    monkeypatch.setattr(send_due_messages, "time", SimpleNamespace(sleep=sleep))
    monkeypatch.setattr(send_due_messages, "close_old_connections", lambda: events.append("fresh connection"))
    monkeypatch.setattr(send_due_messages, "send_due_messages", send_due)
    with pytest.raises(StopLoop):
        call_command("send_due_messages", every=60)
    assert events[:6] == ["run", "sleep", "fresh connection", "run", "sleep", "fresh connection"]
    assert len(runs) == 4  # it went on through the errors and after them
    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    assert "could not run (OperationalError)" in logged
    assert "Zqmarker" not in logged
    assert "zq.due@example.org" not in logged
