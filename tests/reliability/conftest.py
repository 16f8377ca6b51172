"""The reliability scripts run as subprocesses against a private PostgreSQL and gunicorn: no test database needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)
    if not (PG_BIN / "initdb").exists() and os.environ.get("CI") != "true":
        skip = pytest.mark.skip(reason=f"PostgreSQL server binaries not found in {PG_BIN}")
        for item in items:
            if "reliability" in item.keywords:
                item.add_marker(skip)


def run_script(name: str, *args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "reliability" / name), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    return result
