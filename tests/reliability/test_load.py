"""A short run of the load script (the README has a longer one): zero errors and zero lost submissions."""

from __future__ import annotations

from tests.reliability.conftest import run_script


def test_twenty_seconds_of_mixed_traffic_give_no_errors_and_lose_no_submission():
    result = run_script("load.py", "--seconds", "20", "--threads", "8", timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "errors 0" in result.stdout
    assert ", lost 0" in result.stdout
