"""Loaded by pytest (`-p` in pyproject.toml) before Django starts.

The suite runs with production-like settings (DEBUG off), which require a SECRET_KEY; give it a test-only one when
the environment has none.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-production-use-0123456789")
# The live server for browser tests speaks plain http; SecurityMiddleware reads this once, at start-up, before any
# per-test settings override could apply. Production keeps the redirect on (tests/foundation/test_settings.py).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Each test process (pytest-xdist runs one per core) keeps its own public-page cache in memory, so each gets its own
# generation stamp too, in a private directory: a change made by one process's test must not empty another's cache
# mid-test. The stamp is rewritten at every article save; memory-backed /dev/shm keeps that cheap on a busy disk.
# (xdist's workers inherit the controller's environment: a stamp this plugin made in another process is replaced.)
_OWNER = "CLINIC_PORTAL_TEST_STAMP_OWNER"
if "PUBLIC_PAGE_CACHE_STAMP" not in os.environ or os.environ.get(_OWNER, str(os.getpid())) != str(os.getpid()):
    _MEMORY_DISK = Path("/dev/shm")  # noqa: S108 - a private directory is made in it below
    _stamp_dir = tempfile.mkdtemp(
        prefix="clinic-portal-tests-", dir=_MEMORY_DISK if os.access(_MEMORY_DISK, os.W_OK) else None
    )
    os.environ["PUBLIC_PAGE_CACHE_STAMP"] = os.path.join(_stamp_dir, "public-pages")
    os.environ[_OWNER] = str(os.getpid())
    atexit.register(shutil.rmtree, _stamp_dir, ignore_errors=True)


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # xdist's hook (before its own); unknown without xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`--numprocesses=auto` (`make test`): one test process more than the cores this process may run on. A browser
    test spends about half its time waiting (for Chromium, the live server, the database) and leaves its core idle;
    the extra process fills it. On this 2-core machine the whole suite took 400 s with three processes against 439 s
    with two (7 December 2026), the cores 99 % busy instead of 85 %."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1
