"""When the clinic promises to call back a patient whose intake is `serious` (docs/clinical/TRIAGE.md, "What the
patient is told"): pure, so the promise can be tested for every hour of the week without a database or a clock.

Public API
----------
- ``parse_clinic_hours(text, *, closed_dates=(), last_call_minutes=LAST_CALL_MINUTES) -> ClinicHours``: the
  ``CLINIC_HOURS`` setting, e.g. ``"Mon-Fri 08:00-17:00"`` or ``"Mon-Thu 08:00-18:00; Fri 08:00-16:00"``. Groups are
  separated by ``;``; each is days (a day, a range ``Mon-Fri``, or a comma list ``Mon,Wed,Fri``; three-letter English
  names or full names, any case) and one ``HH:MM-HH:MM`` span on the 24-hour clock, closing after opening. A day may
  appear once. Anything else raises ``ClinicHoursError`` (a ``ValueError``) saying what is wrong: a typo must stop the
  portal at start-up rather than make it promise calls on the wrong days. A day open for less than
  ``last_call_minutes`` is refused too: it could hold no promise ("by 9:20 on Saturday" made before a 09:00-09:20
  opening left staff twenty minutes). ``closed_dates`` (``CLINIC_CLOSED_DATES``): ISO dates (``2030-12-25``) the
  clinic is shut whatever its weekday, such as public holidays; ``last_call_minutes`` (``CLINIC_LAST_CALL_MINUTES``,
  0-1439): see below. Both are checked as strictly as the hours, and kept in the ``ClinicHours`` so every promise is
  worked out from all three.
- ``callback_deadline(now_local, hours, *, within_hours=2) -> CallbackPromise``: the time by which a clinician will
  have called. While the clinic is open with at least ``hours.last_call_minutes`` left: ``now + within_hours``, but
  never after today's closing time (``today=True``). Before opening, after closing, on a closed day, or in the
  last ``last_call_minutes`` before closing: the next opening time (later today if the clinic has not opened yet,
  else the next working day; a closed date is none) plus ``within_hours``, again no later than that day's closing
  time (``today=False``).
  ``now_local`` is the clinic's local time (``timezone.localtime``); the result has the same time zone. Opening
  time counts as open, closing time as closed. Over a clock change times are compared as instants, not wall clocks:
  an opening or closing time the clocks pass twice is the first, one they skip is when they jump past it.
- ``ClinicHours`` (``spans``: weekday -> ``(opens, closes)``, Monday = 0; ``closed``: dates; ``last_call_minutes``;
  ``span_on(day)``; ``is_open(moment)``; ``describe()``), ``CallbackPromise`` (``by``, ``today``),
  ``DEFAULT_CLINIC_HOURS``, ``DEFAULT_CALLBACK_HOURS``, ``LAST_CALL_MINUTES`` (the default last-call time).

"today" is only ever promised while the clinic is open, so a patient who sends the form at 11 pm (or at 1 am) is
told a day name and a date, never "today". Nor at 4:58 pm when the clinic closes at 5: "we will call you today by
5:00 PM" gave staff two minutes, and told the patient to phone a clinic that would be closed by then if no call came
(a gap found in stop 38); the next working day's promise is one the clinic can keep. Nor, sent the evening before
a public holiday, a call on the holiday morning: the clinic lists the dates it is closed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DEFAULT_CLINIC_HOURS = "Mon-Fri 08:00-17:00"
DEFAULT_CALLBACK_HOURS = 2
# The least time before closing in which a clinician can still be promised to call today (the default of
# CLINIC_LAST_CALL_MINUTES; docs/clinical/TRIAGE.md, "What the patient is told").
LAST_CALL_MINUTES = 30

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class ClinicHoursError(ValueError):
    """CLINIC_HOURS cannot be read; the message says what is wrong and shows the expected form."""


@dataclass(frozen=True)
class ClinicHours:
    """Opening hours per weekday (Monday = 0); a day that is not in ``spans``, or is in ``closed``, is closed.
    ``last_call_minutes``: in the last minutes before closing no call is promised for today."""

    spans: Mapping[int, tuple[datetime.time, datetime.time]]
    closed: frozenset[datetime.date] = frozenset()
    last_call_minutes: int = LAST_CALL_MINUTES

    def span_on(self, day: datetime.date) -> tuple[datetime.time, datetime.time] | None:
        """The day's opening and closing times; None when the clinic is shut all day."""
        return None if day in self.closed else self.spans.get(day.weekday())

    def is_open(self, moment: datetime.datetime) -> bool:
        """Between the day's opening and closing in real time: the second 1:20 of the autumn change is after a 1:50
        closing (the first 1:50), though the clock says 1:20 (`_at`)."""
        day = moment.date()
        span = self.span_on(day)
        if span is None:
            return False
        return _instant(_at(day, span[0], moment)) <= _instant(moment) < _instant(_at(day, span[1], moment))

    def describe(self) -> str:
        """The hours back in the setting's own form, one group per day (for logs and error messages)."""
        return "; ".join(
            f"{DAY_NAMES[day].title()} {opens:%H:%M}-{closes:%H:%M}"
            for day, (opens, closes) in sorted(self.spans.items())
        )


@dataclass(frozen=True)
class CallbackPromise:
    """``by``: the latest time of the call, in the clinic's time zone; ``today``: the clinic is open now and the call
    comes before today's closing time (the only case where the patient may be told "today")."""

    by: datetime.datetime
    today: bool


def _error(text: str, problem: str) -> ClinicHoursError:
    return ClinicHoursError(
        f"CLINIC_HOURS {text!r}: {problem}. Write days and hours like 'Mon-Fri 08:00-17:00' "
        "or 'Mon-Thu 08:00-18:00; Fri 08:00-16:00'."
    )


def _day(name: str, text: str) -> int:
    key = name.strip().lower()
    if key in DAY_NAMES:
        return DAY_NAMES.index(key)
    if key in _FULL_DAY_NAMES:
        return _FULL_DAY_NAMES.index(key)
    raise _error(text, f"{name.strip()!r} is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)")


def _days(spec: str, text: str) -> list[int]:
    days: list[int] = []
    for item in spec.split(","):
        if not item.strip():
            raise _error(text, "a day is missing in a list of days")
        if "-" in item:
            first_name, _, last_name = item.partition("-")
            first, last = _day(first_name, text), _day(last_name, text)
            if last < first:
                raise _error(text, f"the day range {item.strip()!r} runs backwards (write it from Monday's side)")
            days.extend(range(first, last + 1))
        else:
            days.append(_day(item, text))
    return days


def _time(value: str, text: str) -> datetime.time:
    match = _TIME.match(value.strip())
    if not match:
        raise _error(text, f"{value.strip()!r} is not a time (use HH:MM on the 24-hour clock)")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise _error(text, f"{value.strip()!r} is not a time of day")
    return datetime.time(hour, minute)


def _closed_dates(items: Iterable[str]) -> frozenset[datetime.date]:
    dates: set[datetime.date] = set()
    for item in items:
        try:
            dates.add(datetime.date.fromisoformat(item.strip()))
        except ValueError:
            raise ClinicHoursError(
                f"CLINIC_CLOSED_DATES: {item.strip()!r} is not a date. Write the days the clinic is closed as "
                "YYYY-MM-DD separated by commas, e.g. '2030-12-25,2031-01-01'."
            ) from None
    return frozenset(dates)


def parse_clinic_hours(
    text: str, *, closed_dates: Iterable[str] = (), last_call_minutes: int = LAST_CALL_MINUTES
) -> ClinicHours:
    """Read ``CLINIC_HOURS`` (with ``CLINIC_CLOSED_DATES`` and ``CLINIC_LAST_CALL_MINUTES``); raise
    ``ClinicHoursError`` for anything that is not clearly a set of opening hours."""
    if not 0 <= last_call_minutes < 24 * 60:
        raise ClinicHoursError(f"CLINIC_LAST_CALL_MINUTES must be from 0 to 1439; got {last_call_minutes!r}.")
    closed = _closed_dates(closed_dates)
    if not isinstance(text, str) or not text.strip():
        raise _error(str(text), "no opening hours given")
    spans: dict[int, tuple[datetime.time, datetime.time]] = {}
    for group in text.split(";"):
        group = group.strip()
        if not group:
            raise _error(text, "an empty group between ';'")
        parts = group.split()
        if len(parts) != 2:
            raise _error(text, f"{group!r} should be days, a space, then opening-closing times")
        day_spec, time_spec = parts
        opens_text, dash, closes_text = time_spec.partition("-")
        if not dash:
            raise _error(text, f"{time_spec!r} should be opening-closing times such as 08:00-17:00")
        opens, closes = _time(opens_text, text), _time(closes_text, text)
        if closes <= opens:
            raise _error(text, f"in {group!r} the clinic closes before it opens")
        open_minutes = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
        if open_minutes < last_call_minutes:
            # No promise fits in it: the last `last_call_minutes` before closing promise none (callback_deadline).
            raise _error(text, f"in {group!r} the clinic is open for less than {last_call_minutes} minutes")
        for day in _days(day_spec, text):
            if day in spans:
                raise _error(text, f"{DAY_NAMES[day].title()} is given more than once")
            spans[day] = (opens, closes)
    return ClinicHours(spans=dict(sorted(spans.items())), closed=closed, last_call_minutes=last_call_minutes)


def _at(day: datetime.date, clock: datetime.time, like: datetime.datetime) -> datetime.datetime:
    """`clock` on `day` in the zone of `like`, when the clinic's clock first shows it: a time the clocks pass twice
    (1:30 on the autumn change) is the first (fold 0); one they skip (2:30 in spring) is the moment they jump past
    it (3:00). Returned with its own offset and fold, so compare it through `_instant`."""
    zone = like.tzinfo
    if zone is None:
        return datetime.datetime.combine(day, clock)
    wall = datetime.datetime.combine(day, clock)
    for minutes in range(0, 24 * 60):  # a skipped time: the first wall time on or after it that exists
        candidate = wall + datetime.timedelta(minutes=minutes)
        moment = candidate.replace(tzinfo=zone).astimezone(datetime.UTC).astimezone(zone)
        if moment.replace(tzinfo=None) == candidate:
            return moment
    raise AssertionError("unreachable: no clock change skips a whole day")  # pragma: no cover


def _instant(moment: datetime.datetime) -> datetime.datetime:
    """`moment` in UTC, to compare: two times of one zone compare by their wall clocks alone, fold ignored."""
    return moment if moment.tzinfo is None else moment.astimezone(datetime.UTC)


def _plus(moment: datetime.datetime, delta: datetime.timedelta) -> datetime.datetime:
    """``moment + delta`` in elapsed time (right across a daylight-saving change), back in the moment's zone."""
    if moment.tzinfo is None:
        return moment + delta
    return (moment.astimezone(datetime.UTC) + delta).astimezone(moment.tzinfo)


def callback_deadline(
    now_local: datetime.datetime, hours: ClinicHours, *, within_hours: int = DEFAULT_CALLBACK_HOURS
) -> CallbackPromise:
    """The latest time a clinician will have called a patient who sent a `serious` intake at ``now_local``."""
    if within_hours < 1:
        raise ValueError(f"within_hours must be 1 or more; got {within_hours!r}")
    if not hours.spans:
        raise ValueError("the clinic has no opening hours")
    within = datetime.timedelta(hours=within_hours)
    today = now_local.date()
    span = hours.span_on(today)
    last_call = datetime.timedelta(minutes=hours.last_call_minutes)
    if span is not None and hours.is_open(now_local):
        closes = _at(today, span[1], now_local)
        if _instant(_plus(now_local, last_call)) <= _instant(closes):
            return CallbackPromise(by=min(_plus(now_local, within), closes, key=_instant), today=True)
    # A week holds an opening day, and each closed date can push it to the next, up to a week further (a clinic open
    # only on Mondays and Thursdays: three closed in a row put the next opening twelve days on).
    for ahead in range(8 + 7 * len(hours.closed)):
        day = today + datetime.timedelta(days=ahead)
        span = hours.span_on(day)
        if span is None:
            continue
        opens, closes = _at(day, span[0], now_local), _at(day, span[1], now_local)
        if _instant(opens) <= _instant(now_local):
            continue  # today's hours are over, or too little of them is left
        return CallbackPromise(by=min(_plus(opens, within), closes, key=_instant), today=False)
    raise AssertionError("unreachable: a week always holds an opening day")  # pragma: no cover
