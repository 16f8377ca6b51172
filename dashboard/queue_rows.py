"""The queue page as plain strings, prepared once per request (issue 16: the template only prints them).

Fifty rows of a dozen values each, the filters' options and the banner's phone numbers: written here in Python, not
by template loops, includes and filters, which cost the page more than all its queries. Staff pages are always in
English (clinic_portal.languages), so times are worded here without a catalogue look-up per value; the tests check
every wording against Django's own (the `date` filter, `timesince`).

Everything people typed (names, flag reasons) is escaped; the rest (levels, dates, classes, numbers) is made here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from django.forms import BoundField
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from clinic_portal.phones import phone
from dashboard.flag_reasons import staff_reason
from dashboard.presenters import flag_style
from dashboard.scores import questionnaire_label
from dashboard.selectors import QueueEntry
from intake.call_backs import promised_call
from intake.models import Level
from intake.rules.questionnaire import age_in_years

# A shape beside the colour, so the level reads without colour too.
LEVEL_SYMBOLS: Mapping[str, str] = {"urgent": "▲ ", "serious": "● "}
FORMER_STAFF = "a former staff member"
NOT_KNOWN = "\u2013"  # an en dash: an age nobody gave
NO_FLAGS = '<span class="text-body-secondary">None</span>'
# Flagged while the patient is still answering (a red-flag answer acts the moment it is posted, on any page).
NOT_SENT = '<span class="text-body-secondary">Not sent yet</span>'
NOT_REVIEWED = '<span class="not-reviewed">Not reviewed</span>'
VISIT_CANCELLED = '<br><span class="badge text-bg-dark">Visit cancelled</span>'

# --- Times, worded as Django's English --------------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNITS = ("year", "month", "week", "day", "hour", "minute")
_CHUNKS = (60 * 60 * 24 * 7, 60 * 60 * 24, 60 * 60, 60)  # week, day, hour, minute
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def staff_datetime(
    value: datetime.datetime, zone: datetime.tzinfo | None = None, *, this_year: int | None = None
) -> str:
    """An appointment as "Mon Jan 5, 3:04 PM" in the clinic's time zone (`zone`, else the current one): the `date`
    filter's "D M j, g:i A" in English; with the year ("Wed Nov 19, 2025, 2:00 PM") when it is not `this_year`, so
    an old intake's date is not read as this year's."""
    local = value.astimezone(zone or timezone.get_current_timezone())
    hour = local.hour % 12 or 12
    year = f" {local.year}," if this_year is not None and local.year != this_year else ""
    return f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day},{year} {hour}:{local.minute:02d} " + (
        "AM" if local.hour < 12 else "PM"
    )


def _amount(count: int, unit: str) -> str:
    # Django's avoid_wrapping: a non-breaking space, so "3 hours" never breaks across lines.
    return f"{count}\xa0{unit}" if count == 1 else f"{count}\xa0{unit}s"


def _months_on(then: datetime.datetime, months: int) -> datetime.datetime:
    """`then` moved on by whole calendar months, on the clock (the day cut to the month's last)."""
    if not months:
        return then
    year, month = divmod(then.month - 1 + months, 12)
    year, month = then.year + year, month + 1
    day = min(_MONTH_DAYS[month - 1], then.day)
    return datetime.datetime(year, month, day, then.hour, then.minute, then.second, tzinfo=then.tzinfo)


def _elapsed(then: datetime.datetime, now: datetime.datetime) -> datetime.timedelta:
    return now.astimezone(datetime.UTC) - then.astimezone(datetime.UTC)


def time_since(then: datetime.datetime, now: datetime.datetime) -> str:
    """How long before `now` `then` was, as Django's `timesince(then, now)` says it in English ("3 hours, 5 minutes"):
    its algorithm (calendar years and months, then weeks to minutes, at most two adjacent units), without its
    catalogue look-ups and lazy wrappers. Both times aware; `then`'s zone decides where months end, and the time
    between is real time (two times in one zone subtract as clock readings: an hour out across a change of the clocks,
    the stop-32 audit)."""
    now = now.astimezone(then.tzinfo)
    delta = _elapsed(then, now)
    if delta.days * 24 * 60 * 60 + delta.seconds <= 0:
        return _amount(0, "minute")
    months = (now.year - then.year) * 12 + (now.month - then.month)
    if then.day > now.day or (then.day == now.day and then.time() > now.time()):
        months -= 1
    # The months are counted on the clock; an hour the clocks went back can put the last one past `now` (under an hour
    # read "-1 years, 11 months": review of the stop-32 commits). Such a month is not complete yet.
    pivot = _months_on(then, max(months, 0))
    while months > 0 and _elapsed(pivot, now) < datetime.timedelta(0):
        months -= 1
        pivot = _months_on(then, months)
    years, months = divmod(max(months, 0), 12)
    remaining = _elapsed(pivot, now).total_seconds()
    parts = [years, months]
    for chunk in _CHUNKS:
        count = int(remaining // chunk)
        parts.append(count)
        remaining -= chunk * count
    first = next((index for index, count in enumerate(parts) if count), None)
    if first is None:
        return _amount(0, "minute")
    shown = [_amount(parts[first], _UNITS[first])]
    if first + 1 < len(parts) and parts[first + 1]:
        shown.append(_amount(parts[first + 1], _UNITS[first + 1]))
    return ", ".join(shown)


# --- Rows -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagChip:
    short: str
    css: str
    reason: str


@dataclass(frozen=True)
class QueueRow:
    """One queue row, every value already a string; `html` is the row as the table shows it."""

    intake_id: int
    url: str  # "" for staff who may not open intakes
    level_code: str
    level_label: str
    level_symbol: str
    css: str
    patient_name: str
    age: str
    appointment: str
    submitted: str  # "" when not sent yet
    submitted_title: str
    flags: tuple[FlagChip, ...]
    is_reviewed: bool
    reviewed_by: str
    clinical: bool = True  # the viewer sees flags (front desk does not)
    phone_html: str = ""  # the patient's phone as a tel: link (escaped), "" when none
    questionnaire: str = ""  # "Follow-up 6 weeks" for a follow-up; "" for the pre-visit intake
    not_reached: str = ""  # when a call last failed ("Mon Jan 5, 3:04 PM"), "" when none or reviewed since
    call_by: str = ""  # the call-back promised on a serious intake's receipt ("Tue Jan 6, 10:00 AM"), "" when none
    call_overdue: bool = False  # that time has passed and no review since sending answered it
    visit_cancelled: bool = False  # the front desk cancelled the visit: the form stays to be reviewed
    submitted_clock: str = ""  # when it was sent, for paper ("Mon Jan 5, 3:04 PM"); "" when not sent yet

    @property
    def html(self) -> str:
        """The row. Its roles are the ones the table has anyway: Safari drops them when a phone shows the rows as
        cards (static/css/dashboard.css, stack-on-phone), and VoiceOver could no longer move through the table."""
        symbol = f'<span aria-hidden="true">{self.level_symbol}</span>' if self.level_symbol else ""
        name = f'<a href="{self.url}">{escape(self.patient_name)}</a>' if self.url else escape(self.patient_name)
        if self.questionnaire:
            name += f' <span class="questionnaire-tag">{escape(self.questionnaire)}</span>'
        if self.phone_html:
            name += f'<br><span class="small">{self.phone_html}</span>'
        submitted = f'<span title="{self.submitted_title}">{self.submitted}</span>' if self.submitted else NOT_SENT
        if self.submitted_clock:  # printed only: "3 hours ago" is out of date once the paper is read
            submitted += f'<span class="submitted-clock"> ({_break_after_commas(self.submitted_clock)})</span>'
        flags = ""
        if self.clinical:
            chips = "".join(
                f'<span class="flag-chip {f.css}" title="{escape(f.reason)}">{escape(f.short)}</span>'
                for f in self.flags
            )
            flags = f'<td role="cell" class="flags" data-label="Flags">{chips or NO_FLAGS}</td>'
        review = f'<span class="reviewed">✓ {escape(self.reviewed_by)}</span>' if self.is_reviewed else NOT_REVIEWED
        if self.not_reached and (not self.is_reviewed or self.call_by):  # or reviewed before it was sent, call owed
            review += f'<br><span class="small not-reached">Not reached {self.not_reached}</span>'
        if self.call_by and self.call_overdue:
            review += f'<br><span class="small call-by is-overdue">Call was due {self.call_by}</span>'
        elif self.call_by:  # an outstanding promise (none once a review answered it)
            review += f'<br><span class="small call-by">Call by {self.call_by}</span>'
        return (
            f'<tr role="row" class="{self.css}"><td role="cell" class="col-level">'
            f'<span class="level-badge level-{self.level_code}">{symbol}{self.level_label}</span></td>'
            f'<td role="cell" class="patient-name">{name}</td>'
            f'<td role="cell" class="text-end col-age" data-label="Age">{self.age}</td>'
            f'<td role="cell" class="appointment" data-label="Appointment">{_break_after_commas(self.appointment)}'
            f"{VISIT_CANCELLED if self.visit_cancelled else ''}</td>"
            f'<td role="cell" class="text-nowrap col-submitted" data-label="Submitted">{submitted}</td>{flags}'
            f'<td role="cell" class="text-nowrap col-review">{review}</td></tr>'
        )


def _break_after_commas(when: str) -> str:
    """ "Wed Nov 19, 2025, 2:00 PM" may break after a comma only: the date and the time stay whole, and an old
    intake's date with its year takes two lines instead of pushing the Review column out of view."""
    return ", ".join(part.replace(" ", "\xa0") for part in when.split(", "))


def queue_rows(
    entries: Iterable[QueueEntry],
    *,
    today: datetime.date,
    now: datetime.datetime,
    intake_url: Callable[[int], str] | None,
) -> list[QueueRow]:
    """The page's rows, prepared once. `intake_url` gives an intake page's address (None when the viewer may not
    open intakes: front desk)."""
    zone = timezone.get_current_timezone()
    labels = {level.value: str(level.label) for level in Level}
    rows = []
    for entry in entries:
        code = Level(entry.level).code
        submitted = entry.submitted_at.astimezone(zone) if entry.submitted_at else None
        # On hovering over "3 hours ago", and printed beside it: as the row's other times read.
        submitted_clock = staff_datetime(submitted, zone, this_year=today.year) if submitted else ""
        number = phone(entry.phone) if entry.phone else None
        # An urgent row needs a call now: a serious receipt's time (the intake turned urgent after it was sent) would
        # read as if it could wait until then. The intake page still says what the receipt told the patient.
        call = (
            promised_call(
                entry.call_back_by,
                submitted_at=entry.submitted_at,
                reviewed_at=entry.reviewed_at,
                is_reviewed=entry.is_reviewed,
                now=now,
            )
            if code != "urgent"
            else None
        )
        rows.append(
            QueueRow(
                intake_id=entry.intake_id,
                url=intake_url(entry.intake_id) if intake_url else "",
                level_code=code,
                level_label=labels[entry.level],
                level_symbol=LEVEL_SYMBOLS.get(code, ""),
                css=f"queue-row{'' if entry.is_reviewed else ' is-unreviewed'} row-{code}",
                patient_name=entry.patient_name,
                age=str(age_in_years(entry.date_of_birth, today)) if entry.date_of_birth else NOT_KNOWN,
                appointment=staff_datetime(entry.appointment_at, zone, this_year=today.year),
                submitted=f"{time_since(submitted, now)} ago" if submitted else "",
                submitted_title=submitted_clock,
                submitted_clock=submitted_clock,
                flags=tuple(
                    FlagChip(f.short, f"flag-{flag_style(f.code)}", staff_reason(f.reason)) for f in entry.flags
                ),
                is_reviewed=entry.is_reviewed,
                reviewed_by=entry.reviewed_by or FORMER_STAFF,
                clinical=intake_url is not None,
                phone_html=str(number.link) if number else "",
                questionnaire=questionnaire_label(entry.kind, entry.time_point) if entry.kind != "intake" else "",
                not_reached=(
                    staff_datetime(entry.last_not_reached, zone, this_year=today.year) if entry.last_not_reached else ""
                ),
                call_by=staff_datetime(call.by, zone, this_year=today.year) if call else "",
                visit_cancelled=entry.visit_cancelled,
                call_overdue=call is not None and call.overdue,
            )
        )
    return rows


def table_body(rows: Iterable[QueueRow]) -> SafeString:
    """The rows as the table's body, one string (the template prints it once instead of fifty times)."""
    return mark_safe("".join(row.html for row in rows))  # noqa: S308 - each row escapes what people typed


# --- Filters ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class FilterField:
    """A queue filter as the template draws it (a select or a date box), without the form widgets' templates."""

    name: str
    id: str
    label: str
    kind: str  # "select" or "date"
    value: str
    options: tuple[FilterOption, ...]
    errors: tuple[str, ...]

    @property
    def css(self) -> str:
        base = "form-select form-select-sm" if self.kind == "select" else "form-control form-control-sm"
        return base + (" is-invalid" if self.errors else "")

    @property
    def options_html(self) -> SafeString:
        """The select's options, the chosen one marked (some thirty for the flags: cheaper here than in a loop)."""
        return mark_safe(  # noqa: S308 - values and labels escaped
            "".join(
                f'<option value="{escape(option.value)}"{" selected" if option.selected else ""}>'
                f"{escape(option.label)}</option>"
                for option in self.options
            )
        )


def filter_fields(bound: Iterable[BoundField], choices: Mapping[str, Iterable[tuple[Any, Any]]]) -> list[FilterField]:
    """The queue's filter form as plain values: each choice field's options with the chosen one marked."""
    fields = []
    for field in bound:
        value = field.value()
        text = "" if value is None else str(value)
        options = tuple(
            FilterOption(str(code), str(label), str(code) == text) for code, label in choices.get(field.name, ())
        )
        fields.append(
            FilterField(
                name=field.name,
                id=field.auto_id,
                label=str(field.label),
                kind="select" if field.name in choices else "date",
                value=text,
                options=options,
                errors=tuple(str(error) for error in field.errors),
            )
        )
    return fields
