"""The reliability scripts run as subprocesses against a private PostgreSQL and gunicorn: no test database needed.

The suite runs them at small sizes (see each test; reliability/README.md has the full-size runs). Their behaviour
checks fail the test; slowness never does: a script that reports the machine too slow (exit 75, a `TOO SLOW:` line) or
that overruns its generous bound is skipped with a message saying so.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability import harness
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


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory, request) -> Iterator[Path]:
    """A stopped private PostgreSQL, its `portal` database migrated (with the cache table): its data directory.

    Made once per test run by the harness's own functions (initdb, CREATE DATABASE, prepare_database); each script
    then starts from a copy (reliability/harness.py, RELIABILITY_PG_TEMPLATE) instead of spending about 5 s on the
    same set-up. In a run that creates its test databases afresh on PostgreSQL (`--create-db`, as CI's), the
    `portal` database is a copy of this process's test database, made first and just migrated
    (`_fresh_test_database`), instead of a third migration of its own: the process that waits for the template
    meanwhile makes its own test database, which it needs later anyway (the other waited idle while one migrated).
    Under pytest-xdist the processes share it: the first to take the lock builds it, the others wait for it; the
    last process using it removes it.
    """
    fresh = _fresh_test_database(request)
    # A worker's base temporary directory is <this run's directory>/<worker>: their parent is this run's, and only
    # this run's. The lock files live there; the server itself in /tmp, where the `postgres` user can reach it.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    shared = tmp_path_factory.getbasetemp().parent if worker else tmp_path_factory.getbasetemp()
    build_lock, users_lock, where = (shared / f"portal-pg-template.{part}" for part in ("lock", "users", "path"))
    with open(build_lock, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        if where.exists():
            server = PrivatePostgres(directory=Path(where.read_text()))
        else:
            server = PrivatePostgres(directory=Path(tempfile.mkdtemp(prefix="portal-pg-template-")))
            try:
                server.init()
                server.start()
                server.create_database()
                if fresh is not None:
                    _copy_database(fresh, server)
                harness.prepare_database(harness.portal_env(server.url()), migrated=fresh is not None)
                server.stop("fast")  # a clean shutdown: the copies start without crash recovery
            except harness.TooSlow as error:
                server.cleanup()
                pytest.skip(f"machine too slow to make the reliability scripts' PostgreSQL template: {error}")
            except BaseException:
                server.cleanup()
                raise
            where.write_text(str(server.directory))
        # A shared hold for as long as this process may copy it, taken before the build lock is let go; at the end,
        # whoever can hold it alone (under the build lock) removes the template.
        using = open(users_lock, "a")  # noqa: SIM115 - held until the end of the session, closed below
        fcntl.flock(using, fcntl.LOCK_SH)
    yield server.data
    with open(build_lock, "a") as lock, using:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fcntl.flock(using, fcntl.LOCK_UN)
        try:
            fcntl.flock(using, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another process still uses it, and removes it when it is done
        where.unlink(missing_ok=True)
        shutil.rmtree(server.directory, ignore_errors=True)


def _fresh_test_database(request) -> str | None:
    """This process's test database, made now, when the run creates them afresh on PostgreSQL (`--create-db`): just
    migrated, nothing else in it yet. None otherwise (a kept test database holds what earlier runs left)."""
    from django.db import connection

    if connection.vendor != "postgresql" or not request.config.getvalue("create_db"):
        return None
    request.getfixturevalue("django_db_setup")
    return str(connection.settings_dict["NAME"])


def _copy_database(name: str, server: PrivatePostgres) -> None:
    """Test database `name` of the suite's PostgreSQL, schema and rows, into the private server's `portal`."""
    from django.db import connection

    source = connection.settings_dict
    dump = [
        str(PG_BIN / "pg_dump"),
        *("-h", source["HOST"] or "localhost", "-p", str(source["PORT"] or 5432), "-U", source["USER"] or "postgres"),
        "--no-owner",
        "--no-privileges",
        name,
    ]
    restore = [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-o", os.devnull, server.url()]
    environment = {**os.environ, "PGPASSWORD": source["PASSWORD"] or ""}
    dumped = subprocess.run(dump, capture_output=True, env=environment, check=True, timeout=SCRIPT_TIMEOUT)  # noqa: S603
    subprocess.run(restore, input=dumped.stdout, capture_output=True, check=True, timeout=SCRIPT_TIMEOUT)  # noqa: S603


def run_script(
    name: str, *args: str, template: Path | None = None, timeout: float = SCRIPT_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run reliability/<name> under this interpreter; skip (never fail) when the machine is too slow for it.

    With `template` (the `postgres_template` fixture), its private PostgreSQL is a copy of that one.
    """
    command = [sys.executable, str(ROOT / "reliability" / name), *args]
    env = {**os.environ, "RELIABILITY_PG_TEMPLATE": str(template)} if template is not None else None
    # Its own process group, so that on a timeout nothing it started (gunicorn, PostgreSQL) outlives it.
    process = subprocess.Popen(  # noqa: S603 - our own script
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
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
