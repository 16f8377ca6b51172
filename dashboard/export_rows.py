"""The CSV export's reads: every intake of the filtered queue, in the queue's order, in keyset pages (issue 16).

A page is EXPORT_BATCH rows and three short queries, whatever the history's length: the rows (with the answers the
outcome measures score), their flags, and the rest of what the scores of their visits need (answered follow-ups). Each
query finds its page through the same subquery, the page's ids read off the queue-order index (`intake_queue_order`)
after the previous page's last row. Asking for the ids alone keeps the plan a plain range of that index: with the joins
in the same query, PostgreSQL misjudged the row comparison (it estimates `(is_reviewed, level, ...) > (true, ...)` from
the first column alone, as matching nothing) and sorted the whole rest of the queue for every page (issue 16: 8-12 s
for 50,000 intakes). Nothing holds a cursor open or the whole result in memory.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    F,
    Field,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from dashboard import scores, selectors
from dashboard.selectors import QUEUE_ORDER, QueueFilters, queue_intakes
from intake.models import Intake, IntakeFlag, Questionnaire, ReviewNote


class ExportFlag(NamedTuple):
    code: str
    short: str


class ExportEntry(NamedTuple):
    """A line of the CSV export: what the queue shows of one intake, its times already text in the clinic's time
    zone, and the scores of the visit it belongs to. (A tuple: the export makes fifty thousand of them.)"""

    intake_id: int
    level: int
    is_reviewed: bool
    appointment: str  # "YYYY-MM-DD HH:MM"
    submitted: str  # likewise, "" when not sent
    reviewed: str  # likewise, "" when not reviewed
    rules_version: str
    patient_name: str
    date_of_birth: datetime.date | None
    reviewed_by: str | None  # the reviewer's name; None when nobody reviewed or the account was removed since
    flags: tuple[ExportFlag, ...] = ()
    kind: str = "intake"  # Questionnaire: "intake" or "follow_up"
    time_point: str = ""  # a follow-up's time point code (6w, 3m, 12m)
    visit_id: int | None = None  # a follow-up's pre-visit intake
    # The patient's scores on this visit's questionnaires, in dashboard.scores.columns() order (None: not scored).
    scores: tuple[Decimal | None, ...] = ()
    outcome: str = ""  # the latest review outcome recorded (ReviewNote.Outcome), "" when none
    cancelled: str = ""  # when the front desk cancelled the visit ("YYYY-MM-DD HH:MM"), "" when not cancelled


_COLUMNS = (
    "pk",
    "level",
    "is_reviewed",
    "appointment_at",
    "submitted_at",
    "reviewed_at",
    "rules_version",
    "invitation__patient_name",
    "invitation__date_of_birth",
    "reviewed_by__first_name",
    "reviewed_by__last_name",
    "reviewed_by__username",
    "kind",
    "invitation__follow_up__time_point",
    "invitation__follow_up__visit_id",
    "invitation__cancelled_at",
)
# The latest outcome a review recorded (the clinic's evidence for tuning the rules: docs/clinical/TRIAGE.md): one
# look-up of the notes' intake index per row, in the row's own query.
_LAST_OUTCOME = Subquery(
    ReviewNote.objects.filter(intake=OuterRef("pk"), undone_at__isnull=True)  # not a review undone since
    .exclude(outcome="")
    .order_by("-created_at", "-id")
    .values("outcome")[:1]
)
# On PostgreSQL, the columns read as text (see _rows).
_TEXTS = {
    "appointment_at": "appointment_text",
    "submitted_at": "sent_text",
    "reviewed_at": "reviewed_text",
    "invitation__follow_up__time_point": "time_point",
    "invitation__cancelled_at": "cancelled_text",
}
MINUTE = "%Y-%m-%d %H:%M"


class _LocalMinute(Func):
    """A timestamp as text, "YYYY-MM-DD HH:MM" in the clinic's time zone, written by PostgreSQL: turning fifty
    thousand timestamps into Python datetimes and back into text took the export seconds (issue 16)."""

    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        return f"to_char(({sql}) AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')", (*params, zone)


class _Row(Func):
    """A row value, `(a, b, c)`: PostgreSQL and SQLite compare rows column by column, which an index on those
    columns answers as one range (the ORM has no public expression for it)."""

    template = "(%(expressions)s)"
    output_field = Field()


# A row's place in the queue's order: QUEUE_ORDER's values (the appointment as a datetime, or its exact text).
Key = tuple[bool, int, datetime.datetime | str, int]


def _after(key: Key) -> Func:
    """Rows after `key` in the queue's order: `(is_reviewed, level, appointment_at, id) > (...)`."""
    reviewed, level, appointment, pk = key
    values = _Row(Value(reviewed), Value(level), Value(appointment, output_field=DateTimeField()), Value(pk))
    return Func(
        _Row(*(F(name) for name in QUEUE_ORDER)),
        values,
        template="%(expressions)s",
        arg_joiner=" > ",
        output_field=BooleanField(),
    )


def _page_ids(intakes: QuerySet[Intake], after: Key | None, batch: int) -> QuerySet[Intake, Any]:
    """The ids of the `batch` intakes after `after` (from the start when None): a subquery for the page's queries."""
    return (intakes.filter(_after(after)) if after else intakes).values("pk")[:batch]


def _rows(page: QuerySet[Intake, Any]) -> list[tuple[Any, ...]]:
    """The page's rows in the queue's order: _COLUMNS with the four times as text in the clinic's time zone ("" for
    none) and a time point "" for none, then the answers the measures score (scores.scored_answers) and the
    appointment as the database compares it (the next page starts after it)."""
    intakes = (
        Intake.objects.filter(pk__in=page)
        .order_by(*QUEUE_ORDER)
        .annotate(scored=scores.scored_answers(), outcome=Coalesce(_LAST_OUTCOME, Value("")))
    )
    if connection.vendor == "postgresql":
        # Every value as the line needs it, written by PostgreSQL; the appointment's exact value as text too: parsing
        # fifty thousand datetimes cost more than the rest of their rows.
        return list(
            intakes.annotate(
                appointment_text=_LocalMinute("appointment_at"),
                sent_text=Coalesce(_LocalMinute("submitted_at"), Value("")),
                reviewed_text=Coalesce(_LocalMinute("reviewed_at"), Value("")),
                time_point=Coalesce("invitation__follow_up__time_point", Value("")),
                cancelled_text=Coalesce(_LocalMinute("invitation__cancelled_at"), Value("")),
                appointment_key=Cast("appointment_at", TextField()),
            ).values_list(*(_TEXTS.get(name, name) for name in _COLUMNS), "outcome", "scored", "appointment_key")
        )
    zone = timezone.get_current_timezone()
    return [
        (pk, level, reviewed, f"{appointment.astimezone(zone):{MINUTE}}",
         f"{sent.astimezone(zone):{MINUTE}}" if sent else "", f"{seen.astimezone(zone):{MINUTE}}" if seen else "",
         *rest, time_point or "", visit_id, f"{cancelled.astimezone(zone):{MINUTE}}" if cancelled else "", outcome,
         scored, appointment)
        for pk, level, reviewed, appointment, sent, seen, *rest, time_point, visit_id, cancelled, outcome, scored
        in intakes.values_list(*_COLUMNS, "outcome", "scored")
    ]  # fmt: skip


def _flags(page: QuerySet[Intake, Any]) -> dict[int, tuple[ExportFlag, ...]]:
    """The flags of the page's intakes, in flag order: one query. Intakes flagged alike share one tuple."""
    found: dict[int, list[tuple[str, str]]] = {}
    chosen = IntakeFlag.objects.filter(intake_id__in=page).order_by("id").values_list("intake_id", "code", "short")
    for intake_id, code, short in chosen:
        found.setdefault(intake_id, []).append((code, short))
    alike: dict[tuple[tuple[str, str], ...], tuple[ExportFlag, ...]] = {}
    shared = {}
    for intake_id, pairs in found.items():
        key = tuple(pairs)
        flags = alike.get(key)
        if flags is None:
            flags = alike[key] = tuple(ExportFlag(code, short) for code, short in key)
        shared[intake_id] = flags
    return shared


def _scores(
    page: QuerySet[Intake, Any], rows: list[tuple[Any, ...]]
) -> tuple[dict[int, tuple[Decimal | None, ...]], list[int]]:
    """The scores of the visits the page's intakes belong to, from what the rows already hold and one query, and the
    ids of the other intakes whose answers they were worked out from (the audit trail names them with the lines).

    A pre-visit intake is its own visit: its answers came with its row, its follow-ups are found through the page's
    ids. A follow-up belongs to the visit it follows: that visit's intake and follow-ups are found by its id."""
    answered: list[scores.Answered] = []
    followed: set[int] = set()
    for pk, *_, kind, _time_point, visit_id, _cancelled, _outcome, scored, _appointment_key in rows:
        if visit_id is not None:
            followed.add(visit_id)
        elif kind == Questionnaire.INTAKE:
            answered.append((pk, scores.INTAKE_POINT, scored))
    query = scores.follow_up_answers(page)
    if followed:
        query = query.union(scores.follow_up_answers(followed), scores.own_answers(followed), all=True)
    read = list(query)
    visits = scores.scores_by_visit(itertools.chain(answered, ((visit, point, text) for visit, point, text, _ in read)))
    return visits, [source for *_, source in read]


def export_entries(
    filters: QueueFilters, *, batch: int | None = None, on_page: Callable[[list[int]], None] | None = None
) -> Iterator[ExportEntry]:
    """Every intake of the filtered queue, in its order, read in keyset pages of `batch` (EXPORT_BATCH) rows, three
    short queries each (rows, flags, the scores of the visits they belong to). `on_page` is given each page's intake
    ids, and those of the follow-ups and visits its scores came from, before its lines are handed out (the audit trail
    records exactly what is exported, page by page)."""
    batch = batch or selectors.EXPORT_BATCH  # read when called: tests set it smaller
    intakes = queue_intakes(filters)
    key: Key | None = None
    while True:
        page = _page_ids(intakes, key, batch)
        rows = _rows(page)
        if not rows:
            return
        flags = _flags(page)
        visits, scored_from = _scores(page, rows)
        if on_page is not None:
            on_page([row[0] for row in rows] + scored_from)
        for (
            pk,
            level,
            reviewed,
            appointment,
            sent,
            seen,
            version,
            name,
            born,
            first,
            last,
            username,
            kind,
            time_point,
            visit_id,
            cancelled,
            outcome,
            _scored,
            _appointment_key,
        ) in rows:
            yield ExportEntry(
                pk, level, reviewed, appointment, sent, seen, version, name, born,
                (f"{first} {last}".strip() or username) if username else None,
                flags.get(pk, ()), kind, time_point, visit_id, visits.get(visit_id or pk, scores.EMPTY), outcome,
                cancelled,
            )  # fmt: skip
        last_row = rows[-1]
        key = (last_row[2], last_row[1], last_row[-1], last_row[0])  # is_reviewed, level, appointment_at, id
        if len(rows) < batch:
            return
