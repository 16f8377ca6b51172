"""`alerts_sweep --every 60` outlives database errors: escalations must not stop until someone restarts it."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from alerts import services as alert_services
from alerts.management.commands import alerts_sweep
from messaging import services as message_services

PATIENT_DETAIL = 'DETAIL:  Key (email)=(zq.sweep@example.org) already exists; "Zqmarker Patient"'


class StopLoop(Exception):
    pass


@pytest.fixture(autouse=True)
def _worker_answers(monkeypatch):
    """The worker's ping is a sweep of its own (tests/alerts/test_worker_ping.py): not these tests' subject."""
    monkeypatch.setattr(alert_services, "ping_worker", lambda **kwargs: {"pinged": 0})


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The loop's sleeps, recorded instead of slept; the sixth one ends the loop."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) >= 6:
            raise StopLoop

    # The command's own `time.sleep` only: patching the time module itself would also catch other threads' sleeps
    # (the database watchdog's), which end the loop early.
    monkeypatch.setattr(alerts_sweep, "time", SimpleNamespace(sleep=sleep))
    monkeypatch.setattr(alerts_sweep, "close_old_connections", lambda: None)
    return slept


def failing_for(times: int, result: dict[str, int]):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def sweep(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError(f"server closed the connection unexpectedly {PATIENT_DETAIL}")
        return result

    sweep.calls = calls  # type: ignore[attr-defined]
    return sweep


def test_the_loop_survives_database_errors_with_backoff_and_logs_them_without_patient_data(monkeypatch, waits, caplog):
    caplog.set_level(logging.DEBUG)
    sweep = failing_for(4, {"requeued": 0, "escalated": 1})
    monkeypatch.setattr(alert_services, "sweep", sweep)
    monkeypatch.setattr(message_services, "sweep", lambda **kwargs: {"requeued": 0})
    with pytest.raises(StopLoop):
        call_command("alerts_sweep", every=60)
    assert len(sweep.calls) == 6  # it kept sweeping through the outage and after it
    assert waits == [1, 2, 4, 8, 60, 60]  # backing off, never longer than --every, then the usual interval
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 4
    assert all("OperationalError" in r.getMessage() for r in errors)
    assert "zq.sweep" not in caplog.text
    assert "Zqmarker" not in caplog.text
    for record in caplog.records:
        assert "zq.sweep" not in str(record.__dict__)


def test_a_failing_message_sweep_does_not_stop_escalations(monkeypatch, waits, capsys):
    sweep = failing_for(0, {"requeued": 0, "escalated": 1})
    monkeypatch.setattr(alert_services, "sweep", sweep)
    monkeypatch.setattr(message_services, "sweep", failing_for(100, {"requeued": 0}))
    with pytest.raises(StopLoop):
        call_command("alerts_sweep", every=60)
    assert len(sweep.calls) == 6
    assert capsys.readouterr().out.count("escalated 1") == 6


def test_a_single_sweep_that_fails_exits_with_an_error_after_running_the_other_sweep(monkeypatch, caplog):
    monkeypatch.setattr(alerts_sweep, "close_old_connections", lambda: None)
    monkeypatch.setattr(alert_services, "sweep", failing_for(1, {}))
    messages_sweep = failing_for(0, {"requeued": 0})
    monkeypatch.setattr(message_services, "sweep", messages_sweep)
    with pytest.raises(CommandError, match="alerts sweep failed"):
        call_command("alerts_sweep")
    assert len(messages_sweep.calls) == 1
    assert "zq.sweep" not in caplog.text


def test_the_backoff_starts_at_a_second_and_never_exceeds_the_interval():
    assert [alerts_sweep.backoff(n, 60) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert alerts_sweep.backoff(5, 5) == 5
    assert alerts_sweep.backoff(3, 0.1) == 1
