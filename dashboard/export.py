"""The queue as CSV, safe to open in a spreadsheet (rows from dashboard.selectors.export_entries, streamed)."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.utils import timezone

from dashboard import scores
from dashboard.presenters import age_on
from dashboard.selectors import ExportEntry
from intake.models import Level

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
LEVEL_LABELS = {level.value: str(level.label) for level in Level}


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def header() -> list[str]:
    """HEADER, then which questionnaire the row is and the patient's scores on this visit per time point ("PEG 6
    weeks": the visit's follow-up at 6 weeks; empty when not answered or not scored)."""
    score_columns = [
        f"{scores.SHORT_NAMES.get(instrument.code, instrument.code)} {scores.time_point_label(point).lower()}"
        if point != scores.INTAKE_POINT
        else f"{scores.SHORT_NAMES.get(instrument.code, instrument.code)} before the visit"
        for instrument, point in scores.columns()
    ]
    return [*HEADER, "Questionnaire", *score_columns]


def rows(entries: Iterable[ExportEntry], *, today: datetime.date) -> Iterator[list[str]]:
    columns = header()
    yield columns
    blank = [""] * (len(columns) - len(HEADER) - 1)
    zone = timezone.get_current_timezone()  # once, not per row

    for entry in entries:
        age = age_on(entry.date_of_birth, today)
        # Only what people typed can start like a formula; numbers, dates and our own words cannot.
        yield [
            str(entry.intake_id),
            safe_cell(entry.patient_name),
            "" if age is None else str(age),
            f"{entry.appointment_at.astimezone(zone):%Y-%m-%d %H:%M}",
            entry.submitted,
            LEVEL_LABELS.get(entry.level, ""),
            safe_cell("; ".join(f"{flag.short} ({flag.code})" for flag in entry.flags)),
            "Yes" if entry.is_reviewed else "No",
            safe_cell(entry.reviewed_by),
            entry.reviewed,
            safe_cell(entry.rules_version),
            scores.questionnaire_label(entry.kind, entry.time_point),
            *([("" if value is None else str(value)) for value in entry.scores] or blank),
        ]


class Echo:
    """A file-like object whose write returns the line, for StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


# Spreadsheet programs read a CSV as UTF-8 only when it starts with a byte-order mark; without it, accented names
# come out garbled in Excel.
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


def stream(entries: Iterable[ExportEntry], *, today: datetime.date, lines_per_chunk: int = 500) -> Iterator[str]:
    """The CSV in chunks of `lines_per_chunk` lines: one small write per line would cost more than the line."""
    writer = csv.writer(Echo())
    yield BOM
    chunk: list[str] = []
    for row in rows(entries, today=today):
        chunk.append(writer.writerow(row))
        if len(chunk) >= lines_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
