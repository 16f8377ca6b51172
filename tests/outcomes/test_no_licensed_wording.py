"""No licensed instrument wording ships with the portal (docs/clinical/INTAKE.md, "Outcome measures": the Oswestry
Disability Index, STarT Back, PROMIS and EQ-5D may not be reproduced). The scan looks for a few short, distinctive
fragments of those instruments in everything a patient could be shown: the instrument files, their translation list,
the intake and follow-up questionnaires, the patient pages' templates, the message catalogue and the starter
articles. A clinic's licensed files live outside the repository (OUTCOME_INSTRUMENT_DIRS).

The fragments are kept as digests, not as text, so that this file does not reproduce the wording it guards against:
each is the first 16 hex digits of the SHA-256 of its words (`words`, joined by single spaces), with its word count.
To add one, digest it with `digest(words(fragment))` in a shell and keep only the pair.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(
    [
        *(ROOT / "outcomes" / "instruments" / "data").iterdir(),
        ROOT / "outcomes" / "instruments" / "messages.py",
        ROOT / "intake" / "rules" / "questionnaire.py",
        ROOT / "intake" / "rules" / "follow_up.py",
        ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po",
        *(ROOT / "templates" / "intake").rglob("*.html"),
        *(ROOT / "templates" / "intake").rglob("*.txt"),
        *(ROOT / "education" / "content" / "articles").rglob("*.md"),
    ]
)

Fragments = Mapping[str, Sequence[tuple[int, str]]]

# (number of words, digest) of short fragments of each instrument's items, enough to recognise a copied item.
FRAGMENTS: Fragments = {
    "ODI": (
        (4, "56c4e387648cf170"),
        (5, "a5b8c404bbe472d7"),
        (5, "6560125ccd0ce3fb"),
        (5, "a993951855d3060d"),
        (6, "530a70564c3e17db"),
        (5, "f65f0db30a0faefa"),
    ),
    "STarT Back": (
        (5, "7bca5c6b415bd799"),
        (7, "f2cd6ecc47990e3d"),
        (8, "b4187251baf3f434"),
        (6, "a25e3b4246de3bfb"),
        (5, "41a53e1665325f02"),
        (7, "125ad9dcb74df7ad"),
    ),
    "EQ-5D": ((5, "801030b76690d71f"), (6, "ccdcbcd345b6a3e0")),
    "PROMIS": ((8, "8b4cce419a0d182e"),),
}


_WORD = re.compile(r"[a-z0-9']+")


def _plain(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def words(text: str) -> list[str]:
    """Lower-case words (letters, digits, apostrophes), whatever the spacing, line breaks or punctuation."""
    return _WORD.findall(_plain(text))


def digest(run: Sequence[str]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def licensed_fragments_in(paths: list[Path], fragments: Fragments = FRAGMENTS) -> list[str]:
    """One line per fragment found: the file, the instrument, and where in the file (its first word's line)."""
    found = []
    for path in paths:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        spans = [(match.group(), text.count("\n", 0, match.start()) + 1) for match in _WORD.finditer(_plain(text))]
        tokens = [token for token, _ in spans]
        for owner, wanted in fragments.items():
            for length, fragment in wanted:
                for start in range(len(tokens) - length + 1):
                    if digest(tokens[start : start + length]) == fragment:
                        found.append(f"{path.name}, line {spans[start][1]}: {owner} wording ({length} words)")
    return found


def test_the_shipped_instruments_and_questionnaire_hold_no_licensed_wording():
    assert {".toml", ".po", ".html", ".md"} <= {path.suffix for path in SHIPPED}
    found = licensed_fragments_in(SHIPPED)
    assert not found, "\n".join(found)


def test_the_scan_finds_a_fragment_however_it_is_spaced_cased_or_broken_across_lines(tmp_path):
    # Made-up words stand in for an instrument's: the mechanism is what is tested here.
    fragments = {"Made-up scale": ((5, digest(words("the purple kettle sings loudly"))),)}
    copied = tmp_path / "copied.toml"
    copied.write_text('intro = "Plain words."\nlabel = "The Purple kettle\n   sings LOUDLY, often"\n')
    assert licensed_fragments_in([copied], fragments) == ["copied.toml, line 2: Made-up scale wording (5 words)"]
    assert licensed_fragments_in([copied], {"Made-up scale": ((4, digest(words("purple kettle sings often"))),)}) == []


def test_every_guarded_fragment_is_kept_as_a_digest_with_its_word_count():
    assert all(
        length >= 4 and re.fullmatch(r"[0-9a-f]{16}", value) for pairs in FRAGMENTS.values() for length, value in pairs
    )
