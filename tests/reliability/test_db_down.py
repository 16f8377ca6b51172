"""A real PostgreSQL stopped, then frozen, under the running portal (sync and threaded gunicorn workers): 503 pages
with Retry-After within the deadline, the patient's answers kept, and recovery by itself.

The suite opens one page (the front-desk queue: session, user and queue all in the database) and posts one patient
step per fault; reliability/README.md has the full run (three pages). About 15 s.
"""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.db import connection

from clinic_portal.db_backend import watchdog as db_watchdog
from tests.reliability.conftest import run_script

CYCLES = 4  # stopped and frozen, under sync and gthread workers


def test_stopped_or_frozen_database_gives_503_with_answers_kept_within_the_deadline_and_pages_recover(
    postgres_template,
):
    result = run_script("db_down.py", "--pages", "/staff/queue/", template=postgres_template)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.count("PostgreSQL stopped (pg_ctl stop -m immediate)") == 2, out
    assert out.count("PostgreSQL frozen (SIGSTOP to its ") == 2, out
    assert "(sync, 2 workers)" in out, out
    assert "(gthread, 2 workers x 4 threads)" in out, out
    down = [line for line in out.splitlines() if line.lstrip().startswith("down ")]
    assert len(down) == 2 * CYCLES, out  # the queue page and a patient's POST, per cycle
    assert all(" 503 in " in line for line in down), down
    assert all("Retry-After 30" in line for line in down if "POST" not in line), down
    assert out.count("answers kept: True") == CYCLES, out
    assert out.count("recovered: every page answers normally") == CYCLES, out
    assert out.count("step saved: True") == CYCLES, out
    # Exit 0 means every 503 came within the deadline (a late one exits 75, a skip); the summary says so too.
    summary = re.findall(r"^  (stopped|frozen) .* 503 within ([\d.]+) s +recovered in ([\d.]+) s$", out, re.M)
    assert len(summary) == CYCLES, out
    assert all(float(seconds) <= 5 for _fault, seconds, _recovered in summary), summary


needs_postgres = pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")


@needs_postgres
@pytest.mark.django_db
def test_the_server_enforces_the_statement_timeout_from_settings():
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting, unit FROM pg_settings WHERE name = 'statement_timeout'")
        assert cursor.fetchone() == (str(settings.DB_STATEMENT_TIMEOUT_MS), "ms")


@needs_postgres
@pytest.mark.django_db
def test_a_slow_query_on_a_running_server_is_never_cut_by_the_frozen_server_watchdog():
    # Silent longer than the watchdog waits before checking the server, plus the check's own bound: the server
    # answers the check, so the query runs to its end.
    connection.ensure_connection()
    assert db_watchdog.watched_count() >= 1
    seconds = db_watchdog.SILENCE_SECONDS + db_watchdog.PROBE_TIMEOUT_SECONDS + 0.5
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    assert time.monotonic() - started >= seconds
