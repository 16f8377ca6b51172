"""`make` installs what is missing: a deleted .venv is made again with the requirements in it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")

# Stands in for python3 and for the venv's python: `-m venv DIR` makes DIR/bin/python (this script again), and every
# other call is only written down, so the test sees which installs make asks for without installing anything.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$CALLS"
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
"""


def _install(project: Path, calls: Path) -> list[str]:
    calls.write_text("")
    result = subprocess.run(  # noqa: S603
        [MAKE or "make", "install", f"PYTHON={project / 'fake-python'}"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "CALLS": str(calls)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return calls.read_text().splitlines()


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_a_deleted_venv_is_made_again_with_the_requirements_installed(tmp_path):
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    # npm's part is up to date: this test is about Python's.
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / ".package-lock.json").write_text("{}")
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    calls = tmp_path / "calls"
    requirements = "-m pip install --quiet -r requirements-dev.txt"

    assert requirements in _install(tmp_path, calls)
    assert _install(tmp_path, calls) == []  # the second time it installs nothing new (README, "Two commands")

    shutil.rmtree(tmp_path / ".venv")  # what a user does to start again
    assert requirements in _install(tmp_path, calls)
