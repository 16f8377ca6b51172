"""Stopping a real PostgreSQL under the running portal gives 503 pages, and the portal recovers by itself."""

from __future__ import annotations

from tests.reliability.conftest import run_script


def test_pages_answer_503_with_retry_after_while_the_database_is_down_and_recover_when_it_returns():
    result = run_script("db_down.py", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "503" in result.stdout
    assert "answers kept: True" in result.stdout
    assert "recovered: every page answers normally" in result.stdout
    assert "step saved: True" in result.stdout
