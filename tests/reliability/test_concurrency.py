"""Double submission and many simultaneous intakes against gunicorn and a private PostgreSQL.

The suite sends 60 different intakes at once (a fifth urgent, a fifth serious) through 2 gunicorn workers of 8
threads: two processes racing, every intake in flight together. reliability/README.md has the 500-intake run.
"""

from __future__ import annotations

from tests.reliability.conftest import run_script

INTAKES = 60


def test_fifty_sends_of_one_intake_make_one_submission_and_many_intakes_make_as_many_rows_and_one_alert_per_flagged(
    postgres_template,
):
    result = run_script(
        "concurrency.py", "--intakes", str(INTAKES), "--workers", "2", "--threads", "8", template=postgres_template
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "50 simultaneous sends of one intake: statuses [302], status submitted, alerts 1," in result.stdout
    flagged = sum(number % 5 in (0, 1) for number in range(1000, 1000 + INTAKES))  # see reliability/patients.py
    assert (
        f"{INTAKES} different intakes sent at once: {INTAKES} submitted rows, {flagged} urgent or serious, "
        f"{flagged} alerts; 0 server errors"
    ) in result.stdout
