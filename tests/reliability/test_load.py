"""A short run of the load script (the README has a two-minute one): zero errors and zero lost submissions.

Four seconds, four client threads against two gunicorn workers: every thread starts with a whole patient intake and
finishes it however long it takes, so each run sends at least four, next to article reads, searches and staff pages.
"""

from __future__ import annotations

import re

from tests.reliability.conftest import run_script


def test_a_short_run_of_mixed_traffic_gives_no_errors_and_loses_no_submission(postgres_template):
    result = run_script(
        "load.py", "--seconds", "4", "--threads", "4", "--workers", "2", "--patients", "100", template=postgres_template
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "errors 0" in result.stdout
    sent = re.search(r"intakes sent (\d+), found submitted (\d+), lost 0", result.stdout)
    assert sent, result.stdout
    assert int(sent[1]) >= 4, sent[0]
    assert sent[1] == sent[2], sent[0]
