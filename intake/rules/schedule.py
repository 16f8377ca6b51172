"""The clinic's follow-up schedule and reminder settings, read from text: pure, no Django.

``FOLLOW_UP_SCHEDULE`` is "code:days" pairs after the visit, comma-separated ("6w:42,3m:91,12m:365"). A code is a
number and a unit (d, w, m, y: days, weeks, months, years); it is stored on each follow-up (`FollowUp.time_point`)
and its label ("6 weeks") is what staff read. The days are what counts: a month is whatever the clinic says it is.
Settings read these at start-up, so a bad value stops the portal with a message instead of failing at 3 a.m. in the
dispatcher (clinic_portal/settings.py turns ``ScheduleError`` into ImproperlyConfigured).

Public API
----------
- ``TimePoint(code, days, label)``; ``parse_schedule(text) -> tuple[TimePoint, ...]`` (soonest first).
- ``parse_reminder_days(values) -> tuple[int, ...]`` (pre-visit reminders, days before the appointment, furthest
  first); ``check_follow_up_reminders(days, count)``.
- ``calendar_days_after(moment, days, zone) -> datetime`` (negative days: before): the same wall-clock time that
  many calendar days on in the clinic's zone. Every "N days after/before" of the schedule and the reminders counts
  this way: days of 24 hours went an hour early or late over a clock change (and a visit just after midnight had
  its follow-up due the evening before).
- ``ScheduleError`` (a ValueError whose message names the setting and the bad part).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

# FollowUp.time_point is 8 characters; ten years is far beyond any registry's last time point.
MAX_CODE_LENGTH = 8
MAX_DAYS = 3650
_CODE = re.compile(r"([1-9][0-9]{0,3})([dwmy])")
_UNITS = {"d": ("day", "days"), "w": ("week", "weeks"), "m": ("month", "months"), "y": ("year", "years")}


class ScheduleError(ValueError):
    """A schedule or reminder setting that cannot be used."""


@dataclass(frozen=True)
class TimePoint:
    code: str  # "6w"
    days: int  # after the appointment
    label: str  # "6 weeks"


def label_for(code: str) -> str:
    """ "6w" -> "6 weeks", "1y" -> "1 year"; a code that is not number-and-unit is its own label."""
    match = _CODE.fullmatch(code)
    if match is None:
        return code
    number, unit = int(match.group(1)), match.group(2)
    one, many = _UNITS[unit]
    return f"{number} {one if number == 1 else many}"


def parse_schedule(text: str) -> tuple[TimePoint, ...]:
    """ "6w:42,3m:91,12m:365" -> the time points, soonest first. An empty text is no follow-ups at all."""
    points: list[TimePoint] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        code, colon, days_text = (piece.strip() for piece in part.partition(":"))
        if not colon:
            raise ScheduleError(f"FOLLOW_UP_SCHEDULE: {part!r} should be code:days, like 6w:42.")
        if not _CODE.fullmatch(code) or len(code) > MAX_CODE_LENGTH:
            raise ScheduleError(
                f"FOLLOW_UP_SCHEDULE: {code!r} should be a number and a unit d, w, m or y, like 6w or 12m."
            )
        if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_DAYS:
            raise ScheduleError(f"FOLLOW_UP_SCHEDULE: the days for {code} should be a whole number 1-{MAX_DAYS}.")
        points.append(TimePoint(code, int(days_text), label_for(code)))
    codes = [point.code for point in points]
    if len(set(codes)) != len(codes):
        raise ScheduleError("FOLLOW_UP_SCHEDULE: each code may appear once.")
    days = [point.days for point in points]
    if len(set(days)) != len(days):
        raise ScheduleError("FOLLOW_UP_SCHEDULE: two time points fall on the same day.")
    return tuple(sorted(points, key=lambda point: point.days))


def parse_reminder_days(values: Iterable[object]) -> tuple[int, ...]:
    """PRE_VISIT_REMINDER_DAYS: whole days before the appointment, each once; furthest first (7, 3)."""
    days: list[int] = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= 365:
            raise ScheduleError(f"PRE_VISIT_REMINDER_DAYS: {text!r} should be a whole number of days, 1-365.")
        days.append(int(text))
    if len(set(days)) != len(days):
        raise ScheduleError("PRE_VISIT_REMINDER_DAYS: each number of days may appear once.")
    return tuple(sorted(days, reverse=True))


def check_follow_up_reminders(days: int, count: int) -> None:
    """FOLLOW_UP_REMINDER_DAYS is at least one day; FOLLOW_UP_MAX_REMINDERS is 0 (none) to 5."""
    if not 1 <= days <= 365:
        raise ScheduleError(f"FOLLOW_UP_REMINDER_DAYS should be 1-365; got {days}.")
    if not 0 <= count <= 5:
        raise ScheduleError(f"FOLLOW_UP_MAX_REMINDERS should be 0-5; got {count}.")


def calendar_days_after(moment: datetime.datetime, days: int, zone: datetime.tzinfo) -> datetime.datetime:
    """`moment` (aware) moved `days` calendar days in `zone` at the same wall-clock time, returned in UTC.

    A wall time that the clocks skip (2:30 on the spring change) is read with the offset before the change (3:30),
    and one they pass twice is the first, unless `moment` is in the second pass itself (its fold): 0 days from the
    second 1:30 of the autumn change was the first, an hour earlier. UTC out, because Python compares two datetimes
    of one zone by their wall times alone."""
    local = moment.astimezone(zone)
    wall = local.replace(tzinfo=None) + datetime.timedelta(days=days)
    return wall.replace(tzinfo=zone, fold=local.fold).astimezone(datetime.UTC)
