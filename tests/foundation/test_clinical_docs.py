"""Code comments cite the clinical documents by their repository path, and every cited document exists.

The clinical ground truth lives in ``docs/clinical/`` (triage, intake, articles) and the operational notes in
``docs/PITFALLS.md``. A comment that names a document the reader cannot find is worse than none, so: every ``docs/``
Markdown path named in a tracked Python file must exist, and no Python file may name one of these documents by its
bare file name.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "node_modules", "staticfiles", "__pycache__"}

CLINICAL = ("TRIAGE", "INTAKE", "ARTICLES")
OPERATIONAL = ("PITFALLS",)
CANONICAL = {name: f"docs/clinical/{name}.md" for name in CLINICAL} | {name: f"docs/{name}.md" for name in OPERATIONAL}

DOCS_PATH = re.compile(r"(?<![\w/.-])docs/[\w./-]+?\.md\b")
DOC_NAME = re.compile(r"(?<![\w.-])((?:[\w.-]+/)*)(" + "|".join(CANONICAL) + r")\.md\b")


def _tracked_python_files() -> list[Path]:
    """The repository's tracked ``.py`` files; without git, every ``.py`` file outside tool directories."""
    git = shutil.which("git")
    if git is not None:
        # Fixed arguments and no shell: nothing untrusted reaches the command line.
        listed = subprocess.run(  # noqa: S603
            [git, "ls-files", "-z", "--", "*.py"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if listed.returncode == 0:
            return sorted(ROOT / name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file())
    return sorted(path for path in ROOT.rglob("*.py") if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts))


PYTHON_FILES = _tracked_python_files()


def _mentions(pattern: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    """Every match of ``pattern`` in the Python files, with ``path:line`` for the failure message."""
    found = []
    for path in PYTHON_FILES:
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(ROOT)}:{line}", match))
    return found


def test_python_files_are_found():
    assert any(path.name == "triage.py" for path in PYTHON_FILES), "the repository's Python files were not listed"


@pytest.mark.parametrize("path", [*sorted(CANONICAL.values()), "docs/clinical/README.md"])
def test_clinical_and_operational_documents_exist(path):
    assert (ROOT / path).is_file(), f"{path} is missing"


def test_every_docs_markdown_path_named_in_python_exists():
    missing = [
        f"{where}: {match.group(0)}" for where, match in _mentions(DOCS_PATH) if not (ROOT / match.group(0)).is_file()
    ]
    assert not missing, "comments name documents that do not exist:\n" + "\n".join(missing)


def test_python_names_the_documents_by_their_repository_path():
    bare = [
        f"{where}: {match.group(0)} (write {CANONICAL[match.group(2)]})"
        for where, match in _mentions(DOC_NAME)
        if match.group(0) != CANONICAL[match.group(2)]
    ]
    assert not bare, "documents named without their docs/ path:\n" + "\n".join(bare)


def test_the_code_cites_the_clinical_documents():
    cited = {match.group(0) for _, match in _mentions(DOCS_PATH)}
    assert {CANONICAL[name] for name in CLINICAL} <= cited


@pytest.mark.parametrize("name", CLINICAL)
def test_each_clinical_document_states_version_status_and_open_questions(name):
    text = (ROOT / CANONICAL[name]).read_text(encoding="utf-8")
    first_line = text.splitlines()[0]
    assert first_line.startswith("# ")
    assert "2027.1" in first_line
    assert "clinical ground truth" in text.split("\n## ", 1)[0]
    assert "not diagnosis" in text.split("\n## ", 1)[0]
    assert "\n## Open questions for the clinical lead\n" in text


def test_clinical_readme_lists_the_documents_and_how_to_change_the_rules():
    text = (ROOT / "docs/clinical/README.md").read_text(encoding="utf-8")
    for name in CLINICAL:
        assert f"{name}.md" in text
    assert "intake/rules/" in text
    assert "RULES_VERSION" in text
