"""The instruments this portal knows: the shipped definitions plus those in OUTCOME_INSTRUMENT_DIRS.

Read once per set of directories and kept (the files change with a deployment, not while it runs); tests that point
the setting at a temporary directory get that directory's instruments, because the cache is keyed by the directories.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings

from outcomes.instruments.loader import SHIPPED_DIR, load_directories
from outcomes.instruments.model import Instrument, Occasion


def directories() -> tuple[Path, ...]:
    extra = getattr(settings, "OUTCOME_INSTRUMENT_DIRS", None) or ()
    return (SHIPPED_DIR, *(Path(directory) for directory in extra))


@functools.cache
def _load(dirs: tuple[Path, ...]) -> Mapping[str, Instrument]:
    return load_directories(dirs)


def instruments() -> Mapping[str, Instrument]:
    """Code -> instrument, shipped ones first, in file-name order. Raises InstrumentError for a bad file."""
    return _load(directories())


def instrument(code: str) -> Instrument:
    return instruments()[code]


def asked_at(occasion: Occasion) -> list[Instrument]:
    """The instruments asked at the intake or at a follow-up."""
    return [each for each in instruments().values() if occasion in each.asked_at]
