"""A chart per outcome measure across a visit's questionnaires, with the minimal-important-change band (issue 12).

Drawn as server-side SVG like the queue's weekly chart (`dashboard.chart`): no script, CSP-safe attributes only, and
the same figures as a table. Scores come from the instruments' own scoring (`outcomes.instruments.scoring`, pure
functions); this module adds no clinical judgement of its own. The band is centred on the first score (before the
visit, or the first follow-up scored when the intake has none, and then the page says so): a later point inside it
changed by less than the instrument's minimal important change; outside it, the change may matter to the patient
(better or worse: the instrument's direction says which). For the PSFS a change compares only the activities rated
both times under the same name (`activity_change`); with none in common there is no change to give.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from outcomes.instruments.model import Instrument
from outcomes.instruments.scoring import Change, activity_change, activity_key, change, rated_activities, score

WIDTH, HEIGHT = 480, 214
NO_VALUE = "\u2013"  # an en dash: nothing to show
# Room above the top for a point's value, and below for the questionnaires' names: on a phone the chart is drawn some
# 310 px wide, and its words about 20 units tall to be 12 px on screen (static/css/dashboard.css).
LEFT, RIGHT, BOTTOM, TOP = 40, 16, 30, 32
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP


@dataclass(frozen=True)
class Point:
    label: str  # "Before the visit", "6 weeks"
    when: datetime.datetime | None
    value: Decimal | None  # None: not answered, or too many items missing
    change: Change | None = None  # against the first scored point
    # PSFS: the activities rated, "Running: 3"; `not_comparable`: none of them was rated at the first scored point.
    activities: tuple[str, ...] = ()
    not_comparable: bool = False
    activity_keys: frozenset[str] = frozenset()  # the activities' names as compared (`activity_key`)

    @property
    def change_text(self) -> str:
        if self.change is None:
            return ""
        return f"{self.change.difference:+}"

    @property
    def verdict(self) -> str:
        if self.not_comparable:
            return "Not comparable: other activities than the first time"
        if self.change is None:
            return ""
        if not self.change.important:
            return "Less than the change that matters"
        return "Better: a change that matters" if self.change.way == "better" else "Worse: a change that matters"


@dataclass(frozen=True)
class MeasureChart:
    code: str
    name: str
    short: str
    low: Decimal
    high: Decimal
    minimal_change: Decimal | None
    lower_is_better: bool
    points: tuple[Point, ...]
    rates_activities: bool = False  # the PSFS: a change compares the same activities only
    same_activities: bool = True  # every scored point rates the activities the first did (always, for other measures)

    @property
    def title(self) -> str:
        """The chart's caption: the short name, then the full one, unless the full one starts with it (the PEG's
        "PEG (pain, enjoyment of life, general activity)" read "PEG: PEG (...)")."""
        return self.name if self.name.startswith(self.short) else f"{self.short}: {self.name}"

    @property
    def scored(self) -> list[Point]:
        return [point for point in self.points if point.value is not None]

    @property
    def baseline(self) -> Decimal | None:
        scored = self.scored
        return scored[0].value if scored else None

    @property
    def latest_change(self) -> Point | None:
        """The last scored point after the first, with its change: what the page says in words."""
        scored = self.scored
        return scored[-1] if len(scored) > 1 else None

    @property
    def from_visit(self) -> bool:
        """Whether the first score is the pre-visit intake's (the first point), as every follow-up should be read."""
        return bool(self.points) and self.points[0].value is not None

    @property
    def since_words(self) -> str:
        """What a change is counted from: "before the visit", or "the 6 weeks questionnaire" when the intake has no
        score (an intake sent before the measure was asked)."""
        scored = self.scored
        if self.from_visit or not scored:
            return "before the visit"
        return f"the {scored[0].label} questionnaire"

    @property
    def baseline_words(self) -> str:
        return "the score before the visit" if self.from_visit else f"the score at {self.since_words}"

    @property
    def direction_words(self) -> str:
        return "Lower is better" if self.lower_is_better else "Higher is better"

    def y(self, value: Decimal) -> float:
        span = self.high - self.low or Decimal(1)
        return round(HEIGHT - BOTTOM - float((value - self.low) / span) * PLOT_HEIGHT, 1)

    def x(self, index: int) -> float:
        slots = max(len(self.points), 1)
        return round(LEFT + PLOT_WIDTH * (index + 0.5) / slots, 1)

    @property
    def band(self) -> tuple[float, float] | None:
        """The band's top and bottom y: the baseline plus and minus the minimal important change, inside the range.

        None for the PSFS when a point rates other activities than the first: its mean would sit outside the band
        while its change, over the activities rated both times, says "better" (review of stop 30)."""
        if self.baseline is None or self.minimal_change is None or not self.same_activities:
            return None
        top = min(self.high, self.baseline + self.minimal_change)
        bottom = max(self.low, self.baseline - self.minimal_change)
        return self.y(top), self.y(bottom)

    @property
    def svg(self) -> SafeString:
        """Grid and ticks, the band, the line through the scored points, each point with its value, the labels.

        Numbers and our own labels only: every piece of text is escaped by format_html anyway."""
        parts: list[str] = []
        middle = (self.low + self.high) / 2
        for value in (self.low, middle, self.high):
            y = self.y(value)
            parts.append(
                format_html(
                    '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                    '<text class="chart-tick" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                    LEFT, WIDTH - RIGHT, y, y, LEFT - 6, y, _number(value),
                )
            )  # fmt: skip
        band = self.band
        if band is not None and self.minimal_change is not None:
            top, bottom = band
            parts.append(
                format_html(
                    '<rect class="mic-band" x="{}" y="{}" width="{}" height="{}"><title>Within {} of {}: less '
                    "than the change that matters</title></rect>",
                    LEFT, top, PLOT_WIDTH, round(bottom - top, 1), _number(self.minimal_change), self.baseline_words,
                )
            )  # fmt: skip
        scored = [(self.x(index), self.y(p.value), p) for index, p in enumerate(self.points) if p.value is not None]
        if len(scored) > 1:
            path = " ".join(f"{x},{y}" for x, y, _point in scored)
            parts.append(format_html('<polyline class="measure-line" points="{}"></polyline>', path))
        for x, y, point in scored:
            parts.append(
                format_html(
                    '<circle class="measure-point" cx="{}" cy="{}" r="4"><title>{}: {}</title></circle>'
                    '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x, y, point.label, _number(point.value), x, y - 8, _number(point.value),
                )
            )  # fmt: skip
        for index, point in enumerate(self.points):
            # Each name twice, the CSS showing one: in full, and short for a phone ("6 wk"), where the full names
            # drawn big enough to read would run into each other.
            parts.append(
                format_html(
                    '<text class="chart-label label-full" x="{}" y="{}" text-anchor="middle">{}</text>'
                    '<text class="chart-label label-short" x="{}" y="{}" text-anchor="middle">{}</text>',
                    self.x(index), HEIGHT - 8, point.label, self.x(index), HEIGHT - 8, short_label(point.label),
                )
            )  # fmt: skip
        return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html

    @property
    def table_rows(self) -> SafeString:
        return format_html_join(
            "",
            '<tr><th scope="row">{}{}</th><td>{}</td><td class="text-end">{}</td><td class="text-end">{}</td>'
            "<td>{}</td></tr>",
            (
                (
                    point.label,
                    format_html('<br><span class="fw-normal">{}</span>', "; ".join(point.activities))
                    if point.activities
                    else "",
                    _day(point.when) if point.when else NO_VALUE,
                    _number(point.value) if point.value is not None else "Not answered",
                    point.change_text or NO_VALUE,
                    point.verdict or NO_VALUE,
                )
                for point in self.points
            ),
        )


_SHORT_UNITS = {
    "day": "d", "days": "d", "week": "wk", "weeks": "wk", "month": "mo", "months": "mo", "year": "yr", "years": "yr"
}  # fmt: skip


def short_label(label: str) -> str:
    """A questionnaire's name as a phone's chart draws it: "Before the visit" -> "Before", "6 weeks" -> "6 wk",
    "12 months" -> "12 mo"; any other name as it is."""
    if label == "Before the visit":
        return "Before"
    number, _, unit = label.partition(" ")
    if number.isdigit() and unit in _SHORT_UNITS:
        return f"{number} {_SHORT_UNITS[unit]}"
    return label


def _day(moment: datetime.datetime) -> str:
    """The day in the clinic's time zone, "Sep 30, 2026": stored times are UTC, and a questionnaire sent at 10:30 PM
    belongs to that evening's day, as the rest of the intake page says."""
    local = timezone.localtime(moment)
    return f"{local:%b} {local.day}, {local:%Y}"


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:f}"  # as the instrument rounds it: PEG 4.0, a whole-number scale 4


def measure_chart(
    instrument: Instrument,
    questionnaires: Iterable[tuple[str, datetime.datetime | None, Mapping[str, object] | None]],
    *,
    short: str = "",
) -> MeasureChart:
    """The chart of one measure over (label, when, answers) in order; answers None for one not answered yet."""
    points: list[Point] = []
    first: tuple[Decimal, Mapping[str, object]] | None = None  # the first score, and the answers it came from
    mic = instrument.minimal_important_change
    for label, when, answers in questionnaires:
        result = score(instrument, answers) if answers is not None else None
        value = result.value if result is not None else None
        rated = rated_activities(instrument, answers) if value is not None and answers is not None else ()
        activities = tuple(f"{name}: {_number(rating)}" for name, rating in rated)
        moved, not_comparable = None, False
        if value is not None and answers is not None and first is not None and mic is not None:
            if instrument.rates_activities:
                moved = activity_change(instrument, first[1], answers)
                not_comparable = moved is None
            else:
                moved = change(first[0], value, instrument)
        if value is not None and answers is not None and first is None:
            first = (value, answers)
        keys = frozenset(activity_key(name) for name, _rating in rated)
        points.append(Point(label, when, value, moved, activities, not_comparable, keys))
    low, high = instrument.score_range
    return MeasureChart(
        code=instrument.code,
        name=instrument.name,
        short=short or instrument.code.upper(),
        low=low,
        high=high,
        minimal_change=mic.value if mic else None,
        lower_is_better=bool(mic and mic.direction == "lower_is_better"),
        points=tuple(points),
        rates_activities=instrument.rates_activities,
        same_activities=len({point.activity_keys for point in points if point.value is not None}) <= 1,
    )
