"""Stopping a real PostgreSQL under the running portal gives 503 pages, and the portal recovers by itself."""

from __future__ import annotations

from tests.reliability.conftest import run_script


def test_pages_answer_503_with_retry_after_while_the_database_is_down_and_recover_when_it_returns():
    result = run_script("db_down.py")
    assert result.returncode == 0, result.stdout + result.stderr
    down = [line for line in result.stdout.splitlines() if line.lstrip().startswith("down ")]
    assert len(down) == 4, result.stdout  # three pages and a patient's POST
    assert all(" 503 in " in line for line in down), down
    assert all("Retry-After None" not in line for line in down[:3]), down
    assert "answers kept: True" in result.stdout
    assert "recovered: every page answers normally" in result.stdout
    assert "step saved: True" in result.stdout
