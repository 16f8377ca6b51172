"""Reading instrument definitions from TOML files, one instrument per file, and checking them.

Why data files: a clinic that holds a licence for an instrument (ODI, STarT Back) adds it by dropping a file into a
directory listed in the OUTCOME_INSTRUMENT_DIRS setting, without code (docs/clinical/INTAKE.md, "Outcome measures").
The shipped files are in `data/` beside this module. A file is checked whole and every problem is reported at once,
each with the file and the place in it (``items[2] (walk): unknown kind 'slider'``), so the person writing one can fix
it in one go. The format is described in `data/README.md`.

Public API
----------
- ``load_file(path) -> Instrument`` and ``parse(data, source="") -> Instrument`` (raise ``InstrumentError``).
- ``load_directories(directories) -> dict[str, Instrument]``: every ``*.toml`` of each directory, in name order; a
  missing directory, a bad file or two instruments with one code raise ``InstrumentError``.
- ``SHIPPED_DIR``: the directory of the shipped definitions.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from outcomes.instruments.model import (
    DIRECTIONS,
    KINDS,
    METHODS,
    OCCASIONS,
    Band,
    Coding,
    Direction,
    Instrument,
    Item,
    Kind,
    Method,
    MinimalImportantChange,
    Occasion,
    Option,
    Scoring,
)

SHIPPED_DIR = Path(__file__).resolve().parent / "data"
CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_DECIMALS = 3

_TOP_KEYS = {"code", "name", "version", "licence", "asked_at", "items", "scoring", "bands", "minimal_important_change",
             "reference", "codings"}  # fmt: skip
_ITEM_KEYS = {"code", "kind", "label", "hint", "min", "max", "min_anchor", "max_anchor", "options", "activity_code",
              "activity_label"}  # fmt: skip
_SCORING_KEYS = {"method", "items", "max_missing", "decimals"}


class InstrumentError(ValueError):
    """One or more problems in definition files; `problems` lists them, each starting with its file's name."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class _Problems:
    """Collects problems for one file, each prefixed with the file's name."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(f"{self.source}: {where}: {message}" if where else f"{self.source}: {message}")


def load_directories(directories: Iterable[Path]) -> dict[str, Instrument]:
    instruments: dict[str, Instrument] = {}
    problems: list[str] = []
    for directory in directories:
        if not directory.is_dir():
            problems.append(f"{directory}: not a directory (check OUTCOME_INSTRUMENT_DIRS)")
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                instrument = load_file(path)
            except InstrumentError as error:
                problems.extend(error.problems)
                continue
            earlier = instruments.get(instrument.code)
            if earlier is not None:
                problems.append(f"{path}: instrument code {instrument.code!r} is already used by {earlier.source}")
                continue
            instruments[instrument.code] = instrument
    if problems:
        raise InstrumentError(problems)
    return instruments


def load_file(path: Path) -> Instrument:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError([f"{path}: not valid TOML: {error}"]) from None
    except OSError as error:
        raise InstrumentError([f"{path}: cannot be read ({type(error).__name__})"]) from None
    return parse(data, source=str(path))


def parse(data: Mapping[str, Any], source: str = "") -> Instrument:
    problems = _Problems(source or "<definition>")
    _unknown_keys(problems, "", data, _TOP_KEYS)
    code = _code(problems, "code", data.get("code"))
    name = _text(problems, "name", data.get("name"))
    version = _text(problems, "version", data.get("version"))
    licence = _text(problems, "licence", data.get("licence"))
    asked_at = _occasions(problems, data.get("asked_at"))
    items = _items(problems, data.get("items"))
    scoring = _scoring(problems, data.get("scoring"), items)
    decimals = scoring.decimals if scoring else 0
    bands = _bands(problems, data.get("bands", []), decimals)
    mic = _mic(problems, data.get("minimal_important_change"))
    codings = _codings(problems, data.get("codings", []))
    reference = data.get("reference", "")
    if not isinstance(reference, str):
        problems.add("reference", "must be text")
    if problems.found or scoring is None:
        raise InstrumentError(problems.found or [f"{problems.source}: no usable scoring"])
    instrument = Instrument(
        code=code,
        name=name,
        version=version,
        licence=licence,
        asked_at=asked_at,
        items=items,
        scoring=scoring,
        bands=bands,
        minimal_important_change=mic,
        reference=str(reference),
        codings=codings,
        source=source,
    )
    _check_band_coverage(problems, instrument)
    if problems.found:
        raise InstrumentError(problems.found)
    return instrument


# --- pieces ------------------------------------------------------------------------------------------------------


def _unknown_keys(problems: _Problems, where: str, data: Mapping[str, Any], known: set[str]) -> None:
    for key in sorted(set(data) - known):
        problems.add(where, f"unknown key {key!r} (known: {', '.join(sorted(known))})")


def _code(problems: _Problems, where: str, value: object) -> str:
    if not isinstance(value, str) or not CODE.fullmatch(value):
        problems.add(where, f"must be a code of lower-case letters, digits and _ starting with a letter; got {value!r}")
        return ""
    return value


def _text(problems: _Problems, where: str, value: object, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(where, "must be non-empty text" if required else "must be text")
        return ""
    return value.strip()


def _number(problems: _Problems, where: str, value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        problems.add(where, f"must be a number; got {value!r}")
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems.add(where, f"must be a number; got {value!r}")
        return None
    if not number.is_finite():
        problems.add(where, f"must be a finite number; got {value!r}")
        return None
    return number


def _whole(problems: _Problems, where: str, value: object, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(where, f"must be a whole number; got {value!r}")
        return default
    return value


def _table_list(problems: _Problems, where: str, value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        problems.add(where, "must be a list of tables ([[" + where + "]] in TOML)")
        return []
    return cast(list[Mapping[str, Any]], value)


def _occasions(problems: _Problems, value: object) -> tuple[Occasion, ...]:
    if not isinstance(value, list) or not value:
        problems.add("asked_at", f"must list when it is asked: one or more of {', '.join(OCCASIONS)}")
        return ()
    found: list[Occasion] = []
    for entry in value:
        if entry not in OCCASIONS:
            problems.add("asked_at", f"unknown occasion {entry!r}; use {' or '.join(OCCASIONS)}")
        else:
            found.append(cast(Occasion, entry))
    return tuple(found)


def _items(problems: _Problems, value: object) -> tuple[Item, ...]:
    entries = _table_list(problems, "items", value)
    if not entries and isinstance(value, list):
        problems.add("items", "an instrument needs at least one item")
    items: list[Item] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        item = _item(problems, index, entry)
        if item is None:
            continue
        for code in filter(None, (item.code, item.activity_code)):
            if code in seen:
                problems.add(f"items[{index}] ({item.code})", f"the code {code!r} is used twice in this instrument")
            seen.add(code)
        items.append(item)
    return tuple(items)


def _item(problems: _Problems, index: int, entry: Mapping[str, Any]) -> Item | None:
    code = entry.get("code")
    where = f"items[{index}] ({code})" if isinstance(code, str) else f"items[{index}]"
    _unknown_keys(problems, where, entry, _ITEM_KEYS)
    code = _code(problems, f"{where} code", code)
    kind = entry.get("kind")
    label = _text(problems, f"{where} label", entry.get("label"))
    hint = _text(problems, f"{where} hint", entry.get("hint"), required=False)
    if kind not in KINDS:
        problems.add(where, f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        return None
    kind = cast(Kind, kind)
    if kind == "choice":
        options = _options(problems, where, entry.get("options"))
        for key in ("min", "max", "min_anchor", "max_anchor", "activity_code", "activity_label"):
            if key in entry:
                problems.add(where, f"{key!r} is not used by a choice item")
        return Item(code, kind, label, hint, options=options)
    if "options" in entry:
        problems.add(where, f"'options' is only for choice items, not {kind}")
    minimum = _whole(problems, f"{where} min", entry.get("min"), 0)
    maximum = _whole(problems, f"{where} max", entry.get("max"), 10)
    if minimum >= maximum:
        problems.add(where, f"min ({minimum}) must be below max ({maximum})")
    min_anchor = _text(problems, f"{where} min_anchor", entry.get("min_anchor"))
    max_anchor = _text(problems, f"{where} max_anchor", entry.get("max_anchor"))
    activity_code, activity_label = "", ""
    if kind == "activity":
        activity_code = _code(problems, f"{where} activity_code", entry.get("activity_code", f"{code}_activity"))
        activity_label = _text(problems, f"{where} activity_label", entry.get("activity_label"))
    else:
        for key in ("activity_code", "activity_label"):
            if key in entry:
                problems.add(where, f"{key!r} is only for activity items")
    return Item(
        code,
        kind,
        label,
        hint,
        minimum=minimum,
        maximum=maximum,
        min_anchor=min_anchor,
        max_anchor=max_anchor,
        activity_code=activity_code,
        activity_label=activity_label,
    )


def _options(problems: _Problems, where: str, value: object) -> tuple[Option, ...]:
    entries = _table_list(problems, f"{where} options", value)
    if not entries and isinstance(value, list):
        problems.add(where, "a choice item needs at least two options")
    options: list[Option] = []
    for index, entry in enumerate(entries):
        spot = f"{where} options[{index}]"
        _unknown_keys(problems, spot, entry, {"code", "label", "points"})
        code = _code(problems, f"{spot} code", entry.get("code"))
        label = _text(problems, f"{spot} label", entry.get("label"))
        points = _number(problems, f"{spot} points", entry["points"]) if "points" in entry else None
        if code in {option.code for option in options}:
            problems.add(spot, f"the option code {code!r} is used twice")
        options.append(Option(code, label, points))
    if len(options) == 1:
        problems.add(where, "a choice item needs at least two options")
    return tuple(options)


def _scoring(problems: _Problems, value: object, items: tuple[Item, ...]) -> Scoring | None:
    if not isinstance(value, dict):
        problems.add("scoring", "is missing (a [scoring] table with method and items)")
        return None
    _unknown_keys(problems, "scoring", value, _SCORING_KEYS)
    method = value.get("method")
    if method not in METHODS:
        problems.add("scoring", f"unknown method {method!r}; use one of {', '.join(METHODS)}")
        return None
    method = cast(Method, method)
    codes = value.get("items")
    if not isinstance(codes, list) or not codes or not all(isinstance(code, str) for code in codes):
        problems.add("scoring items", "must list the codes of the items that are scored")
        return None
    by_code = {item.code: item for item in items}
    for code in codes:
        item = by_code.get(code)
        if item is None:
            problems.add("scoring items", f"refers to an unknown item {code!r} (items: {', '.join(by_code)})")
        elif item.kind == "choice" and any(option.points is None for option in item.options):
            problems.add("scoring items", f"the choice item {code!r} is scored, so every option needs points")
    if len(set(codes)) != len(codes):
        problems.add("scoring items", "lists an item twice")
    max_missing = _whole(problems, "scoring max_missing", value.get("max_missing"), 0)
    if not 0 <= max_missing < len(codes):
        problems.add("scoring max_missing", f"must be from 0 to {len(codes) - 1} (one scored item at least)")
    decimals = _whole(problems, "scoring decimals", value.get("decimals"), 0)
    if not 0 <= decimals <= MAX_DECIMALS:
        problems.add("scoring decimals", f"must be from 0 to {MAX_DECIMALS}")
    if method == "choice":
        if len(codes) != 1 or (codes[0] in by_code and by_code[codes[0]].kind != "choice"):
            problems.add("scoring", "the choice method scores exactly one choice item")
        if max_missing:
            problems.add("scoring max_missing", "must be 0 for the choice method")
    return Scoring(method, tuple(codes), max_missing, decimals)


def _bands(problems: _Problems, value: object, decimals: int) -> tuple[Band, ...]:
    entries = _table_list(problems, "bands", value)
    bands: list[Band] = []
    for index, entry in enumerate(entries):
        where = f"bands[{index}]"
        _unknown_keys(problems, where, entry, {"min", "max", "label"})
        low = _number(problems, f"{where} min", entry.get("min"))
        high = _number(problems, f"{where} max", entry.get("max"))
        label = _text(problems, f"{where} label", entry.get("label"))
        if low is None or high is None:
            continue
        for bound in (low, high):
            exponent = bound.normalize().as_tuple().exponent
            if isinstance(exponent, int) and -exponent > decimals:
                problems.add(where, f"{bound} has more decimals than the score ({decimals}: scoring decimals)")
        if low > high:
            problems.add(where, f"min ({low}) is above max ({high})")
        bands.append(Band(low, high, label))
    step = Decimal(1).scaleb(-decimals)
    ordered = sorted(bands, key=lambda band: band.low)
    for before, after in itertools.pairwise(ordered):
        if after.low <= before.high:
            overlap = f"'{before.label}' ({before.low}-{before.high}) and '{after.label}' ({after.low}-{after.high})"
            problems.add("bands", f"{overlap} overlap")
        elif after.low != before.high + step:
            gap = f"gap between '{before.label}' (up to {before.high}) and '{after.label}' (from {after.low})"
            problems.add("bands", f"{gap}: scores in between would have no band")
    return tuple(ordered)


def _check_band_coverage(problems: _Problems, instrument: Instrument) -> None:
    if not instrument.bands:
        return
    low, high = instrument.score_range
    if instrument.bands[0].low != low or instrument.bands[-1].high != high:
        problems.add(
            "bands",
            f"must cover every possible score, from {low} to {high}; they cover "
            f"{instrument.bands[0].low} to {instrument.bands[-1].high}",
        )


def _mic(problems: _Problems, value: object) -> MinimalImportantChange | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add("minimal_important_change", "must be a table with value and direction")
        return None
    _unknown_keys(problems, "minimal_important_change", value, {"value", "direction"})
    amount = _number(problems, "minimal_important_change value", value.get("value"))
    direction = value.get("direction")
    if direction not in DIRECTIONS:
        problems.add("minimal_important_change direction", f"must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
        return None
    if amount is None or amount <= 0:
        if amount is not None:
            problems.add("minimal_important_change value", "must be above 0")
        return None
    return MinimalImportantChange(amount, cast(Direction, direction))


def _codings(problems: _Problems, value: object) -> tuple[Coding, ...]:
    codings: list[Coding] = []
    for index, entry in enumerate(_table_list(problems, "codings", value)):
        where = f"codings[{index}]"
        _unknown_keys(problems, where, entry, {"system", "code", "display"})
        system = _text(problems, f"{where} system", entry.get("system"))
        if system and not system.startswith(("http://", "https://", "urn:")):
            problems.add(f"{where} system", "must be a URL or URN, such as http://loinc.org")
        code = _text(problems, f"{where} code", entry.get("code"))
        display = _text(problems, f"{where} display", entry.get("display"), required=False)
        codings.append(Coding(system, code, display))
    return tuple(codings)
