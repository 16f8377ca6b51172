"""A clinic adds an instrument as a data file in a directory named by OUTCOME_INSTRUMENT_DIRS, and a bad file is
refused with messages that say what to fix. The instrument here is made up (no licensed wording is ever shipped)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from outcomes import registry
from outcomes.checks import instrument_files
from outcomes.instruments.loader import InstrumentError, load_directories, load_file
from outcomes.instruments.model import Instrument
from outcomes.instruments.scoring import Score, change, change_is_important, score

# An invented questionnaire: four choice items scored 0-4, reported as a percentage like the Oswestry style.
WOBBLE = """
code = "knee_wobble"
name = "Knee Wobble Index (made up for tests)"
version = "0.1"
licence = "Invented for the portal's tests; no real instrument."
asked_at = ["intake", "follow_up"]

{items}

[scoring]
method = "percent"
items = ["wobble_1", "wobble_2", "wobble_3", "wobble_4"]
max_missing = 1
decimals = 0

[[bands]]
min = 0
max = 20
label = "Steady"

[[bands]]
min = 21
max = 60
label = "Wobbly"

[[bands]]
min = 61
max = 100
label = "Jelly"

[minimal_important_change]
value = 10
direction = "lower_is_better"
"""
WOBBLE_ITEM = """
[[items]]
code = "wobble_{n}"
kind = "choice"
label = "How wobbly is knee task {n}?"
options = [
  {{ code = "none", label = "Not at all", points = 0 }},
  {{ code = "bit", label = "A bit", points = 1 }},
  {{ code = "some", label = "Some", points = 2 }},
  {{ code = "lots", label = "Lots", points = 3 }},
  {{ code = "all", label = "All the time", points = 4 }},
]
"""


def scored(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """The score, which these answers must give."""
    result = score(instrument, answers)
    assert result is not None
    return result


def band_of(result: Score) -> str | None:
    return result.band.label if result.band else None


def wobble_file(directory: Path, text: str | None = None) -> Path:
    path = directory / "knee_wobble.toml"
    items = "\n".join(WOBBLE_ITEM.format(n=n) for n in range(1, 5))
    path.write_text(text if text is not None else WOBBLE.format(items=items))
    return path


def problems_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(InstrumentError) as raised:
        load_file(path)
    return str(raised.value)


def test_an_instrument_in_a_clinic_directory_is_loaded_through_the_setting_and_scored(settings, tmp_path):
    wobble_file(tmp_path)
    settings.OUTCOME_INSTRUMENT_DIRS = [str(tmp_path)]
    instruments = registry.instruments()
    assert list(instruments) == ["global_change", "peg", "psfs", "running_status", "knee_wobble"]
    wobble = registry.instrument("knee_wobble")
    assert [each.code for each in registry.asked_at("follow_up")][-1] == "knee_wobble"

    full = scored(wobble, {"wobble_1": "lots", "wobble_2": "some", "wobble_3": "bit", "wobble_4": "none"})
    assert (full.value, band_of(full), full.missing) == (Decimal(38), "Wobbly", ())
    # One item may be missing: the percentage is of what the three answered items could score (5 of 12).
    one_missing = scored(wobble, {"wobble_1": "lots", "wobble_2": "some", "wobble_3": "none"})
    assert (one_missing.value, one_missing.missing) == (Decimal(42), ("wobble_4",))
    assert score(wobble, {"wobble_1": "lots", "wobble_2": "some"}) is None  # two missing: too many
    assert band_of(scored(wobble, {f"wobble_{n}": "all" for n in range(1, 5)})) == "Jelly"
    assert band_of(scored(wobble, {f"wobble_{n}": "none" for n in range(1, 5)})) == "Steady"

    later = scored(wobble, {"wobble_1": "some", "wobble_2": "bit", "wobble_3": "none", "wobble_4": "none"})
    assert later.value == Decimal(19)
    assert change_is_important(full, later, wobble)  # 38 -> 19: better by 19 points
    assert change(full, later, wobble).way == "better"
    assert not change_is_important(full, Decimal(30), wobble)  # 8 points: less than the 10 that matter


def test_the_setting_is_reread_for_other_directories(settings, tmp_path):
    settings.OUTCOME_INSTRUMENT_DIRS = []
    assert "knee_wobble" not in registry.instruments()
    wobble_file(tmp_path)
    settings.OUTCOME_INSTRUMENT_DIRS = [str(tmp_path)]
    assert "knee_wobble" in registry.instruments()


def test_manage_py_check_reports_each_problem_of_a_bad_clinic_file(settings, tmp_path):
    (tmp_path / "broken.toml").write_text('code = "broken"\nname = "Broken"\n')
    settings.OUTCOME_INSTRUMENT_DIRS = [str(tmp_path)]
    errors = instrument_files()
    text = "\n".join(error.msg for error in errors)
    assert {error.id for error in errors} == {"outcomes.E001"}
    assert "broken.toml: version: must be non-empty text" in text
    assert "broken.toml: scoring: is missing" in text
    settings.OUTCOME_INSTRUMENT_DIRS = []
    assert instrument_files() == []


def test_a_missing_directory_and_a_second_instrument_with_one_code_are_refused(tmp_path):
    with pytest.raises(InstrumentError, match="not a directory"):
        load_directories([tmp_path / "nowhere"])
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    wobble_file(first)
    wobble_file(second)
    with pytest.raises(InstrumentError, match="instrument code 'knee_wobble' is already used by"):
        load_directories([first, second])


SCALE_INSTRUMENT = """
code = "tiny"
name = "Tiny"
version = "1"
licence = "made up"
asked_at = ["intake"]

[[items]]
code = "a"
kind = "{kind}"
label = "A?"
min_anchor = "low"
max_anchor = "high"

[[items]]
code = "b"
kind = "scale"
label = "B?"
min_anchor = "low"
max_anchor = "high"

[scoring]
method = "{method}"
items = {items}
decimals = 1
{bands}
"""


def tiny(kind: str = "scale", method: str = "mean", items: str = '["a", "b"]', bands: str = "") -> str:
    return SCALE_INSTRUMENT.format(kind=kind, method=method, items=items, bands=bands)


def band(low: object, high: object, label: str) -> str:
    return f'\n[[bands]]\nmin = {low}\nmax = {high}\nlabel = "{label}"\n'


def test_a_valid_small_instrument_loads(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(tiny(bands=band(0, 4.9, "Low") + band(5.0, 10, "High")))
    instrument = load_file(path)
    assert instrument.score_range == (Decimal(0), Decimal(10))
    assert band_of(scored(instrument, {"a": 5, "b": 4})) == "Low"  # 4.5


def test_an_unknown_kind_is_named_with_the_kinds_that_exist(tmp_path):
    text = problems_of(tmp_path, tiny(kind="slider"))
    assert "bad.toml: items[0] (a): unknown kind 'slider'; use one of scale, choice, activity" in text


def test_scoring_that_names_an_unknown_item_says_which(tmp_path):
    text = problems_of(tmp_path, tiny(items='["a", "c"]'))
    assert "scoring items: refers to an unknown item 'c' (items: a, b)" in text


def test_an_unknown_scoring_method_is_refused(tmp_path):
    assert "unknown method 'median'" in problems_of(tmp_path, tiny(method="median"))


def test_bands_with_a_gap_are_refused(tmp_path):
    text = problems_of(tmp_path, tiny(bands=band(0, 4.8, "Low") + band(5.0, 10, "High")))
    assert "gap between 'Low' (up to 4.8) and 'High' (from 5.0)" in text


def test_overlapping_bands_are_refused(tmp_path):
    text = problems_of(tmp_path, tiny(bands=band(0, 5, "Low") + band(5.0, 10, "High")))
    assert "'Low' (0-5) and 'High' (5.0-10) overlap" in text


def test_bands_must_cover_every_possible_score(tmp_path):
    text = problems_of(tmp_path, tiny(bands=band(1, 4.9, "Low") + band(5.0, 9, "High")))
    assert "bands: must cover every possible score, from 0 to 10; they cover 1 to 9" in text


def test_a_band_bound_finer_than_the_score_is_refused(tmp_path):
    text = problems_of(tmp_path, tiny(bands=band(0, 4.95, "Low") + band(4.96, 10, "High")))
    assert "4.95 has more decimals than the score (1: scoring decimals)" in text


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = problems_of(
        tmp_path,
        """
        code = "Bad Code"
        version = "1"
        licence = "x"
        asked_at = ["discharge"]
        colour = "blue"

        [[items]]
        code = "a"
        kind = "choice"
        label = "A?"
        options = [{ code = "x", label = "X" }, { code = "x", label = "Y" }]

        [scoring]
        method = "sum"
        items = ["a"]
        max_missing = 1

        [minimal_important_change]
        value = 2
        direction = "up"
        """,
    )
    for expected in (
        "unknown key 'colour'",
        "code: must be a code of lower-case letters",
        "name: must be non-empty text",
        "asked_at: unknown occasion 'discharge'; use intake or follow_up",
        "options[1]: the option code 'x' is used twice",
        "the choice item 'a' is scored, so every option needs points",
        "scoring max_missing: must be from 0 to 0",
        "minimal_important_change direction: must be one of lower_is_better, higher_is_better; got 'up'",
    ):
        assert expected in text, expected


def test_a_file_that_is_not_toml_says_so(tmp_path):
    assert "bad.toml: not valid TOML" in problems_of(tmp_path, "code = \n")
