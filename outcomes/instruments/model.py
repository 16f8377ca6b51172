"""What an outcome instrument is, once read from its data file: plain frozen dataclasses, no Django.

docs/clinical/INTAKE.md, "Outcome measures": the portal ships PEG, the PSFS, a global rating of change and a running
status, and a clinic that holds a licence adds others (ODI, STarT Back) as data files. `outcomes.instruments.loader`
builds these objects and checks them; `outcomes.instruments.scoring` scores answers with them.

Item codes are field codes: an answer to an item is stored under the item's code, exactly like an intake answer
(PEG's first two items are the intake's `pain_week_avg` and `pain_interference`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Kind = Literal["scale", "choice", "activity"]
KINDS: tuple[Kind, ...] = ("scale", "choice", "activity")
Method = Literal["mean", "sum", "percent", "choice"]
METHODS: tuple[Method, ...] = ("mean", "sum", "percent", "choice")
Direction = Literal["lower_is_better", "higher_is_better"]
DIRECTIONS: tuple[Direction, ...] = ("lower_is_better", "higher_is_better")
Occasion = Literal["intake", "follow_up"]
OCCASIONS: tuple[Occasion, ...] = ("intake", "follow_up")


@dataclass(frozen=True)
class Option:
    """One answer of a choice item; `points` is what it scores (None: the item is not scored)."""

    code: str
    label: str
    points: Decimal | None = None


@dataclass(frozen=True)
class Item:
    """One question. `scale`: a whole number from `minimum` to `maximum`, the ends named by the anchor words.
    `choice`: one of `options`. `activity` (PSFS): the patient names an activity (stored under `activity_code`,
    asked with `activity_label`) and rates it like a scale (stored under `code`)."""

    code: str
    kind: Kind
    label: str
    hint: str = ""
    minimum: int = 0
    maximum: int = 10
    min_anchor: str = ""
    max_anchor: str = ""
    options: tuple[Option, ...] = ()
    activity_code: str = ""
    activity_label: str = ""

    def option(self, code: str) -> Option | None:
        return next((option for option in self.options if option.code == code), None)

    @property
    def lowest(self) -> Decimal:
        """The lowest value the item can score."""
        if self.kind == "choice":
            return min(option.points for option in self.options if option.points is not None)
        return Decimal(self.minimum)

    @property
    def highest(self) -> Decimal:
        if self.kind == "choice":
            return max(option.points for option in self.options if option.points is not None)
        return Decimal(self.maximum)


@dataclass(frozen=True)
class Scoring:
    """`mean` or `sum` of the items' values; `percent`: the sum as a percentage of the most the answered items could
    score (0 = every answered item at its lowest); `choice`: the points of the one item's chosen option. Up to
    `max_missing` of `items` may be unanswered (a sum is then prorated to all items). Scores are rounded half up to
    `decimals` places."""

    method: Method
    items: tuple[str, ...]
    max_missing: int = 0
    decimals: int = 0


@dataclass(frozen=True)
class Band:
    """Scores from `low` to `high`, both included (at the score's precision), read as `label`."""

    low: Decimal
    high: Decimal
    label: str

    def holds(self, value: Decimal) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class MinimalImportantChange:
    """A change of at least `value` points, either way, matters to the patient; `direction` says which way is
    better."""

    value: Decimal
    direction: Direction


@dataclass(frozen=True)
class Coding:
    """A code for the score in a published terminology (e.g. LOINC), added to the FHIR Observation when given."""

    system: str
    code: str
    display: str = ""


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    version: str
    licence: str
    asked_at: tuple[Occasion, ...]
    items: tuple[Item, ...]
    scoring: Scoring
    bands: tuple[Band, ...] = ()
    minimal_important_change: MinimalImportantChange | None = None
    reference: str = ""
    codings: tuple[Coding, ...] = ()
    source: str = ""  # the file it was read from, for error messages

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(self.item(code) for code in self.scoring.items)

    @property
    def rates_activities(self) -> bool:
        """The patient names what is rated (the PSFS): a change compares the same activities only."""
        return any(item.kind == "activity" for item in self.scored_items)

    @property
    def score_range(self) -> tuple[Decimal, Decimal]:
        """The lowest and highest score possible."""
        scored = self.scored_items
        method = self.scoring.method
        if method == "percent":
            return Decimal(0), Decimal(100)
        if method == "sum":
            return sum((i.lowest for i in scored), Decimal(0)), sum((i.highest for i in scored), Decimal(0))
        return min(i.lowest for i in scored), max(i.highest for i in scored)

    @property
    def unit(self) -> str:
        return "%" if self.scoring.method == "percent" else "points"

    def band_for(self, value: Decimal) -> Band | None:
        return next((band for band in self.bands if band.holds(value)), None)
