"""The reliability scripts run as subprocesses against a private PostgreSQL and gunicorn: no test database needed.

The suite runs them at small sizes (see each test; reliability/README.md has the full-size runs). Their behaviour
checks fail the test; slowness never does: a script that reports the machine too slow (exit 75, a `TOO SLOW:` line) or
that overruns its generous bound is skipped with a message saying so.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reliability.harness import EXIT_TOO_SLOW, PrivatePostgres

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# A bound for a wedged machine, far above a normal run (each script takes 5-25 s here); RELIABILITY_TEST_TIMEOUT
# overrides it.
SCRIPT_TIMEOUT = float(os.environ.get("RELIABILITY_TEST_TIMEOUT", "300"))
# After SIGTERM a script stops gunicorn and removes its private PostgreSQL; this long, then everything is killed.
CLEAN_UP_SECONDS = 60


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)
    if not (PG_BIN / "initdb").exists() and os.environ.get("CI") != "true":
        skip = pytest.mark.skip(reason=f"PostgreSQL server binaries not found in {PG_BIN}")
        for item in items:
            if "reliability" in item.keywords:
                item.add_marker(skip)


def run_script(name: str, *args: str, timeout: float = SCRIPT_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run reliability/<name> under this interpreter; skip (never fail) when the machine is too slow for it."""
    command = [sys.executable, str(ROOT / "reliability" / name), *args]
    # Its own process group, so that on a timeout nothing it started (gunicorn, PostgreSQL) outlives it.
    process = subprocess.Popen(  # noqa: S603 - our own script
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stdout, stderr = _stop(process)
        _show(stdout, stderr)
        pytest.skip(
            f"machine too slow: reliability/{name} {' '.join(args)} did not finish within {timeout:.0f} s "
            f"(a normal run takes well under a minute; RELIABILITY_TEST_TIMEOUT raises the bound). "
            f"Its last lines: {_tail(stdout + stderr)}"
        )
    _show(stdout, stderr)
    if process.returncode == EXIT_TOO_SLOW:
        reason = next((line for line in stdout.splitlines() if line.startswith("TOO SLOW:")), "TOO SLOW")
        pytest.skip(f"machine too slow for reliability/{name} {' '.join(args)}: {reason}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM to the script (it then cleans up after itself), SIGKILL to its whole group if that takes too long."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=CLEAN_UP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        try:
            stdout, stderr = process.communicate(timeout=CLEAN_UP_SECONDS)
        except subprocess.TimeoutExpired:  # something outside the group still holds its output open
            stdout, stderr = "", ""
        # pg_ctl starts PostgreSQL in a session of its own, so the kill above did not reach it: stop it here.
        for directory in re.findall(r"^private PostgreSQL data in (\S+)$", stderr, flags=re.MULTILINE):
            PrivatePostgres(directory=Path(directory)).cleanup()
        return stdout, stderr


def _show(stdout: str, stderr: str) -> None:
    print(stdout)
    print(stderr, file=sys.stderr)


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "(no output)"
