"""Double submission and 500 simultaneous intakes against gunicorn and a private PostgreSQL."""

from __future__ import annotations

from tests.reliability.conftest import run_script


def test_fifty_sends_of_one_intake_make_one_submission_and_500_intakes_make_500_rows_and_one_alert_per_flagged():
    result = run_script("concurrency.py", "--intakes", "500", timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "50 simultaneous sends of one intake: statuses [302], status submitted, alerts 1" in result.stdout
    assert "500 different intakes sent at once: 500 submitted rows" in result.stdout
