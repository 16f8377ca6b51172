"""Settings, personas and Hypothesis profiles shared by the whole suite."""

from __future__ import annotations

import gc
import logging
import os
import tempfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.roles import CLINICAL_REVIEWERS, CLINICIANS, CONTENT_EDITORS, FRONT_DESK

# Hypothesis: no test may pass or fail on how fast the machine is, so no per-example deadline and no "too slow" health
# check. "suite" (the default) keeps Hypothesis's 100 examples where a test does not ask for its own count; "ci" is
# the same examples every run (derandomized, so a red build reproduces); "thorough" tries ten times as many, for a
# run by hand: HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/intake
hypothesis_settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100, print_blob=True
)
hypothesis_settings.register_profile("ci", hypothesis_settings.get_profile("suite"), derandomize=True, database=None)
hypothesis_settings.register_profile("thorough", hypothesis_settings.get_profile("suite"), max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def _scan_static_files_once_per_process() -> None:
    """Each test's Client builds the middleware again, and WhiteNoiseMiddleware then lists and stats every collected
    static file (about 900, the admin's included): 0.13 s a test on this machine, a quarter of a typical intake
    test's time and minutes of the suite. The files do not change during a run (`make test` collects them first), so
    each process scans a root once per combination of the settings the scan reads and every later middleware gets
    the same entries. Production builds its middleware once per process and is untouched."""
    from django.conf import settings
    from whitenoise.base import WhiteNoise

    scan = WhiteNoise.update_files_dictionary
    scanned: dict[tuple, dict] = {}

    def update_files_dictionary(self, root, prefix):
        read = sorted(name for name in dir(settings) if name.startswith("WHITENOISE_"))
        read += ["DEBUG", "STATIC_URL", "PERMISSIONS_POLICY"]  # the last: clinic_portal/static_headers.py
        key = (root, prefix, *(repr(getattr(settings, name, None)) for name in read))
        if key not in scanned:
            own, self.files = self.files, {}
            try:
                scan(self, root, prefix)
                scanned[key] = self.files
            finally:
                self.files = {**own, **self.files}
            return
        self.files.update(scanned[key])

    WhiteNoise.update_files_dictionary = update_files_dictionary


_scan_static_files_once_per_process()


def _bytecode_kept_for_subprocesses() -> None:
    """With PYTHONDONTWRITEBYTECODE set (it is on the machines that run `make test`: no __pycache__ is ever written in
    the tree), every Python process a test starts (`manage.py check --deploy` and the like, a few dozen in the suite)
    compiled the portal's 200-odd modules from source again: about a quarter of each one's second. Those processes
    keep their bytecode outside the tree instead (PYTHONPYCACHEPREFIX, one folder per user), so the second one to
    start reads what the first compiled. Python checks each cached file against its source, so an edited module is
    compiled again. Where bytecode is written as usual, nothing changes."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
        del os.environ["PYTHONDONTWRITEBYTECODE"]
        os.environ["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), f"clinic-portal-pycache-{os.getuid()}")


_bytecode_kept_for_subprocesses()


def _flush_small_tables_with_delete() -> None:
    """A transactional test (the browser tests, the races) ends with a flush of the test database. On PostgreSQL that
    is one TRUNCATE of all 49 tables, which makes new files for each table and index: 0.2-0.7 s a flush here, against
    about 0.015 s for a DELETE of each table in one transaction (the rows a test leaves are a handful). The tables end
    as empty either way; the foreign keys are all deferrable (Django makes them so), so the order does not matter. The
    audit trail's two tables are truncated still: their triggers refuse every DELETE (audit/migrations/0008), and a
    row trigger never sees a TRUNCATE. Then post_migrate puts back content types, permissions and the roles (about
    0.13 s): in one transaction instead of one per app (about 40 commits), and only when a test changed those four
    tables; when their rows are exactly as the last post_migrate left them (one query compares them), they are kept
    instead of deleted and made again. Production never flushes; a flush that resets sequences or cascades is left as
    Django does it."""
    from django.core.management import sql
    from django.core.management.commands import flush
    from django.db import connections, transaction
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    refilled = ("django_content_type", "auth_permission", "auth_group", "auth_group_permissions")
    append_only = ("audit_auditevent", "audit_eventintake")
    # Per database: the four tables' rows as the last post_migrate left them, and whether this flush kept them.
    after_post_migrate: dict[str, str] = {}
    kept: dict[str, bool] = {}

    def rows_of_refilled(connection) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {table} t"  # noqa: S608
                    for table in refilled
                )
            )
            return " ".join(row[0] for row in cursor.fetchall())

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        alias = self.connection.alias
        kept[alias] = False
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if set(refilled) <= set(tables) and after_post_migrate.get(alias) == rows_of_refilled(self.connection):
            kept[alias] = True
            tables = [table for table in tables if table not in refilled]
        deletes = [f"DELETE FROM {self.quote_name(table)};" for table in tables if table not in append_only]  # noqa: S608 - Django's own names
        truncated = [self.quote_name(table) for table in tables if table in append_only]
        return [
            "SET CONSTRAINTS ALL DEFERRED;",
            *deletes,
            *([f"TRUNCATE {', '.join(truncated)};"] if truncated else []),
        ]

    emit = sql.emit_post_migrate_signal

    def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
        if kept.pop(db, False):
            return
        with transaction.atomic(using=db):
            emit(verbosity, interactive, db, **kwargs)
        if connections[db].vendor == "postgresql":
            after_post_migrate[db] = rows_of_refilled(connections[db])

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    flush.emit_post_migrate_signal = emit_post_migrate_signal  # type: ignore[attr-defined]


_flush_small_tables_with_delete()


def _fewer_full_garbage_collections() -> None:
    """Python's cycle collector went through every object of a test process (half a million: Django, the portal,
    Hypothesis, Faker, the tests) every ten passes over its younger objects, 0.2-0.4 s each time here: a tenth of a
    test process's time (measured with gc.callbacks: 2-8 s of each 20-100 s run of a few test files). The objects
    alive once the tests are collected (the modules, nearly all of them) are set aside for good (gc.freeze, in
    pytest_collection_finish below) and the whole-process pass comes ten times less often. Objects are still freed as
    soon as nothing refers to them, young cycles as often as before, and old cycles in the rarer full passes; a
    test process ends about 4 % larger (255 MB against 245 MB after 1,000 tests)."""
    gc.set_threshold(700, 10, 100)  # Python's defaults are (700, 10, 10)


_fewer_full_garbage_collections()


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()


def vacuum_test_database() -> None:
    """VACUUM the test database: the rows that tests' rolled-back transactions and flushes left dead are made free
    space again. The PostgreSQL here runs with autovacuum off, and `--reuse-db` keeps each test database from one run
    to the next, so the dead rows piled up: 190 MB of dead articles, translations and stored versions after a few runs
    of the starter library tests, every one of them read again by each query that scans a whole table (the sweeps'
    snapshot of every table in tests/security/test_csrf.py: 12-16 s a sweep on such a database, 3 s on a vacuumed one).
    Only outside a transaction, where PostgreSQL allows it."""
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, vacuumed once per test process before the first test (a few tenths of a second
    after a run, more after many)."""
    with django_db_blocker.unblock():
        vacuum_test_database()


FAST_AND_QUIET = {
    # Argon2 costs ~0.13 s a check here (docs/PITFALLS.md); tests use a fast hasher.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    # Tests run over plain http; production keeps SSL redirect on.
    "SECURE_SSL_REDIRECT": False,
    # Rate limits would make unrelated tests depend on how many requests they make; tests/security turns them on.
    "RATELIMIT_ENABLE": False,
}


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    for name, value in FAST_AND_QUIET.items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Spanish leaves Spanish active in the test's thread (LocaleMiddleware activates a language and
    nothing puts it back), so a later test in the same process would read its messages in Spanish: back to the
    default after every test, so no test depends on which ran before it (found when two Spanish-page tests happened
    to run before tests/intake/test_forms.py in one process)."""
    yield
    translation.deactivate()


def _staff(django_user_model, username: str, group: str | None, *, is_staff: bool = False, superuser: bool = False):
    user = django_user_model.objects.create_user(
        username=username,
        password="correct-horse-battery",
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.org",
        is_staff=is_staff or superuser,
        is_superuser=superuser,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return _staff(django_user_model, "editor", CONTENT_EDITORS, is_staff=True)


@pytest.fixture
def front_desk(django_user_model):
    return _staff(django_user_model, "frontdesk", FRONT_DESK)


@pytest.fixture
def clinician(django_user_model):
    return _staff(django_user_model, "clinician", CLINICIANS)


@pytest.fixture
def administrator(django_user_model):
    return _staff(django_user_model, "administrator", None, superuser=True)


def staff_personas() -> dict[str, object]:
    """The staff accounts of the fixtures above, and a clinical reviewer, made at once (for data built once per
    module)."""
    users = get_user_model()
    return {
        "editor": _staff(users, "editor", CONTENT_EDITORS, is_staff=True),
        "reviewer": _staff(users, "reviewer", CLINICAL_REVIEWERS, is_staff=True),
        "front_desk": _staff(users, "frontdesk", FRONT_DESK),
        "clinician": _staff(users, "clinician", CLINICIANS),
        "administrator": _staff(users, "administrator", None, superuser=True),
    }


@pytest.fixture(scope="session")
def _public_page_stamp(tmp_path_factory):
    return str(tmp_path_factory.mktemp("public-pages") / "generation")


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test(settings, _public_page_stamp):
    """Issue 16 keeps public pages and the queue's counts of past intakes: every test starts without them."""
    from dashboard import queue_counts
    from education import cache

    settings.PUBLIC_PAGE_CACHE_STAMP = _public_page_stamp
    cache.clear()
    queue_counts.forget_history()


# Loggers whose level a command run in a test sets for the rest of the process: `db_worker` at verbosity 0 silences
# the task loggers (django_tasks_db's configure_logging), and a later test that reads what they log would see nothing.
_LOGGERS_COMMANDS_SET = ("django_tasks", "django_tasks_db")


@pytest.fixture(autouse=True)
def _logger_levels_as_configured():
    loggers = [logging.getLogger(name) for name in _LOGGERS_COMMANDS_SET]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


# The slowest tests first: the reliability scripts (a private PostgreSQL and gunicorn each) and the browser tests.
# `make test` spreads tests over one process per core and an idle process takes tests from a busy one; with the long
# tests first, the run ends on short ones and no process waits long for another's last test.
_SLOW_FIRST = ("tests/reliability/", "tests/browser/")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    def slowness(item) -> int:
        path = str(item.fspath)
        return next((rank for rank, part in enumerate(_SLOW_FIRST) if part in path), len(_SLOW_FIRST))

    items.sort(key=slowness)  # stable: the order within each group stays as collected
