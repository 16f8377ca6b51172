"""The queue as CSV, safe to open in a spreadsheet (rows from dashboard.export_rows, streamed)."""

from __future__ import annotations

import csv
import datetime
import functools
from collections.abc import Iterable, Iterator

from dashboard import scores
from dashboard.export_rows import ExportEntry, ExportFlag
from dashboard.presenters import age_on
from intake.models import Level, ReviewNote

HEADER = (
    "Intake",
    "Patient",
    "Age",
    "Appointment",
    "Submitted",
    "Level",
    "Flags",
    "Reviewed",
    # The last review's, also for a form new red flags took out of "reviewed" ("Reviewed: No"): it said "Reviewed by"
    # beside "No", as if the new flag had had that review's same-day call (the stop-34 audit).
    "Last reviewed by",
    "Last reviewed at",
    "Last review outcome",
    "Rules version",
)
# After the scores, so that spreadsheets reading the columns by position read the same ones as before: when the front
# desk cancelled the visit (intake.services.cancellation), empty when it was not or was booked again. A follow-up's
# own link cannot be cancelled: its line stays empty, as the queue's row says nothing of it either.
LAST = ("Visit cancelled",)
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
LEVEL_LABELS = {level.value: str(level.label) for level in Level}
OUTCOME_LABELS = {code: str(label) for code, label in ReviewNote.Outcome.choices}


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
    return [*HEADER, "Questionnaire", *score_columns, *LAST]


def flags_cell(flags: Iterable[ExportFlag]) -> str:
    return safe_cell("; ".join(f"{flag.short} ({flag.code})" for flag in flags))


def age_cell(born: datetime.date | None, today: datetime.date) -> str:
    age = age_on(born, today)
    return "" if age is None else str(age)


def rows(entries: Iterable[ExportEntry], *, today: datetime.date) -> Iterator[list[str]]:
    columns = header()
    yield columns
    blank = [""] * (len(columns) - len(HEADER) - 1 - len(LAST))
    # Lines share their flags, birth dates, questionnaires and rules versions: each of those cells is worked out once
    # per export, not once per line (fifty thousand lines, issue 16).
    flags_of = functools.cache(flags_cell)
    age_of = functools.cache(lambda born: age_cell(born, today))
    questionnaire_of = functools.cache(scores.questionnaire_label)
    version_of = functools.cache(safe_cell)

    for entry in entries:
        # Only what people typed can start like a formula; numbers, dates and our own words cannot.
        yield [
            str(entry.intake_id),
            safe_cell(entry.patient_name),
            age_of(entry.date_of_birth),
            entry.appointment,
            entry.submitted,
            LEVEL_LABELS.get(entry.level, ""),
            flags_of(entry.flags),
            "Yes" if entry.is_reviewed else "No",
            safe_cell(entry.reviewed_by),
            entry.reviewed,
            OUTCOME_LABELS.get(entry.outcome, ""),
            version_of(entry.rules_version),
            questionnaire_of(entry.kind, entry.time_point),
            *([("" if value is None else str(value)) for value in entry.scores] or blank),
            entry.cancelled,
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
