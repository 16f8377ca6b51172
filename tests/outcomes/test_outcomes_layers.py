"""The outcomes app keeps to the layers (tests/foundation/test_layers.py): it reads intake rows and never writes
them, and nothing below it imports it."""

from __future__ import annotations

from tests.foundation.test_layers import APPS, _imported, _model_writes, _modules


def test_outcomes_writes_no_invitation_intake_flag_or_review_rows():
    writes = [write for path in _modules("outcomes") for write in _model_writes(path.read_text(), str(path))]
    assert writes == [], "write through intake.services instead:\n" + "\n".join(writes)


def test_no_app_below_outcomes_imports_it():
    below = [app for app in APPS if app not in {"dashboard", "outcomes"}]
    upward = sorted(
        f"{path}: {name}"
        for app in below
        for path in _modules(app)
        for name in _imported(path)
        if name.split(".")[0] == "outcomes"
    )
    assert upward == []
