"""No licensed instrument wording ships with the portal (docs/clinical/INTAKE.md, "Outcome measures": the Oswestry
Disability Index, STarT Back, PROMIS and EQ-5D may not be reproduced). The scan looks for a few short, distinctive
fragments of those instruments in everything a patient could be shown: the instrument files, their translation list
and the intake questionnaire. A clinic's licensed files live outside the repository (OUTCOME_INSTRUMENT_DIRS)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(
    [
        *(ROOT / "outcomes" / "instruments" / "data").iterdir(),
        ROOT / "outcomes" / "instruments" / "messages.py",
        ROOT / "intake" / "rules" / "questionnaire.py",
    ]
)

# Short fragments only, enough to recognise a copied item, never a whole one.
FRAGMENTS = {
    "ODI": (
        "look after myself normally",
        "pain prevents me from sitting",
        "pain prevents me from standing",
        "pain prevents me from travelling",
        "lift heavy weights without extra pain",
        "my social life is normal",
    ),
    "STarT Back": (
        "spread down your leg(s)",
        "condition like mine to be physically active",
        "worrying thoughts have been going through my mind",
        "never going to get any better",
        "dressed more slowly than usual",
        "how bothersome has your back pain been",
    ),
    "EQ-5D": ("no problems in walking about", "no problems washing or dressing myself"),
    "PROMIS": ("pain interfere with your day to day activities",),
}


def normalised(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


def licensed_fragments_in(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if not path.is_file():
            continue
        text = normalised(path.read_text(encoding="utf-8"))
        for owner, fragments in FRAGMENTS.items():
            found += [f"{path.name}: {owner} wording {fragment!r}" for fragment in fragments if fragment in text]
    return found


def test_the_shipped_instruments_and_questionnaire_hold_no_licensed_wording():
    assert any(path.suffix == ".toml" for path in SHIPPED)
    found = licensed_fragments_in(SHIPPED)
    assert not found, "\n".join(found)


def test_the_scan_finds_a_copied_fragment_however_it_is_spaced_or_cased(tmp_path):
    copied = tmp_path / "copied.toml"
    copied.write_text('label = "Worrying thoughts have been\n   going through my mind a lot"\n')
    assert licensed_fragments_in([copied]) == [
        "copied.toml: STarT Back wording 'worrying thoughts have been going through my mind'"
    ]
