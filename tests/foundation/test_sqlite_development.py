"""`make run` on SQLite: a server, a worker and a sweeper share one file without "database is locked"."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

from clinic_portal import settings as portal_settings
from tests.foundation.test_settings import ROOT, run_manage


def _connection_to(path: str) -> DatabaseWrapper:
    """A connection to a SQLite file with the options the settings give `make run`'s database."""
    config = {**settings.DATABASES["default"], "NAME": path, "ENGINE": "django.db.backends.sqlite3"}
    config["OPTIONS"] = dict(portal_settings.SQLITE_DEVELOPMENT_OPTIONS)
    return DatabaseWrapper(config, alias="sqlite-development-check")


def test_the_development_database_uses_write_ahead_logging_and_waits_for_the_write_lock(tmp_path):
    """Read from the settings as `make run` loads them (a SQLite file), whatever database this suite runs on."""
    result = run_manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))",
        env={"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options == portal_settings.SQLITE_DEVELOPMENT_OPTIONS
    assert "journal_mode=wal" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_two_writers_on_one_file_both_succeed(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        _three_writers(str(tmp_path / "dev.sqlite3"))


def _three_writers(path: str) -> None:
    setup = _connection_to(path)
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("CREATE TABLE saves (n INTEGER)")
    setup.close()
    failures: list[str] = []

    def write(count: int) -> None:
        connection = _connection_to(path)
        try:
            for n in range(count):
                with connection.cursor() as cursor:
                    cursor.execute("BEGIN IMMEDIATE")
                    cursor.execute("INSERT INTO saves VALUES (%s)", [n])
                    cursor.execute("COMMIT")
        except Exception as error:  # a lock error here is what the settings prevent
            failures.append(type(error).__name__)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(200,)) for _ in range(3)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    check = _connection_to(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM saves")
        assert cursor.fetchone()[0] == 600
    check.close()
    assert failures == []


def test_the_files_the_development_database_leaves_beside_it_are_ignored_by_git(tmp_path, django_db_blocker):
    """While `make run` serves, and after it is stopped with Ctrl-C, SQLite's write-ahead log and its index sit beside
    db.sqlite3: a new user's `git status` must not offer them for a commit."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    with django_db_blocker.unblock():
        connection = _connection_to(str(tmp_path / "db.sqlite3"))
        try:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE saves (n INTEGER)")
            left = sorted(path.name for path in tmp_path.iterdir())
        finally:
            connection.close()
    assert left == ["db.sqlite3", "db.sqlite3-shm", "db.sqlite3-wal"]
    not_ignored = [
        name
        for name in left
        if subprocess.run(  # noqa: S603
            ["git", "check-ignore", "--quiet", "--no-index", name],  # noqa: S607
            cwd=ROOT,
            check=False,
        ).returncode
        != 0
    ]
    assert not_ignored == []


def test_make_runs_migrate_on_sqlite_prints_no_warning(tmp_path):
    """`make run` migrates a SQLite file: a first-time user was shown "SQLite does not support indexes with non-key
    columns ... Silence this warning if you don't care about it" on every run, about a PostgreSQL-only covering
    index (the queue's), and could not tell whether to care."""
    result = run_manage(
        "check",
        "--database",
        "default",
        env={"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout
