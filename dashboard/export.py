"""The queue as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.utils import timezone

from dashboard.presenters import age_on
from intake.models import Intake, Level

HEADER = (
    "Intake",
    "Patient",
    "Age",
    "Appointment",
    "Submitted",
    "Level",
    "Flags",
    "Reviewed",
    "Reviewed by",
    "Reviewed at",
    "Rules version",
)
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rows(intakes: Iterable[Intake], *, today: datetime.date) -> Iterator[list[str]]:
    yield list(HEADER)
    for intake in intakes:
        invitation = intake.invitation
        reviewer = intake.reviewed_by
        yield [
            safe_cell(value)
            for value in (
                intake.pk,
                invitation.patient_name,
                age_on(invitation.date_of_birth, today),
                _when(intake.appointment_at),
                _when(intake.submitted_at),
                Level(intake.level).label if intake.level else "",
                "; ".join(f"{flag.short} ({flag.code})" for flag in intake.flags.all()),
                "Yes" if intake.is_reviewed else "No",
                (reviewer.get_full_name() or reviewer.username) if reviewer else "",
                _when(intake.reviewed_at),
                intake.rules_version,
            )
        ]


class Echo:
    """A file-like object whose write returns the line, for StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


# Spreadsheet programs read a CSV as UTF-8 only when it starts with a byte-order mark; without it, accented names
# come out garbled in Excel.
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


def stream(intakes: Iterable[Intake], *, today: datetime.date) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield BOM
    for row in rows(intakes, today=today):
        yield writer.writerow(row)
