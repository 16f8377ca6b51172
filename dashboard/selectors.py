"""Reads for the staff queue: filtering, ordering, counts and the weekly chart, each in a fixed number of queries.

Sized for a clinic's whole history (issue 16: 50,000 intakes answer like 5,000). A queue page reads 50 rows off the
queue-order index and their flags in a second query, as plain values (no model instances). The counts per level and
the chart count what needs action on every request, in one query with the history's version (`queue_now`), and the
history only when it moves (see "Counts and the chart"), on the indexes of intake migration 0008. The page's total
comes from the counts when the filters are level and review state only, and otherwise from a count capped at
COUNT_CAP. The banner's urgent patients are read off the page when it starts with them. The CSV export
(dashboard.export_rows) walks the same order in keyset pages of EXPORT_BATCH rows.

Two hot statements are written out (`queue_now`, the flags): the ORM spent longer building them than the database
spent answering. Their table and column names come from the models.
"""

from __future__ import annotations

import datetime
import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from django.db import connection
from django.db.models import CharField, Count, ExpressionWrapper, F, Field, Model, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from intake.models import Intake, IntakeFlag, Level, RedFlagAnswer, ReviewNote
from intake.rules.triage import FLAG_GROUPS, FLAGS_BY_CODE

# The queue's order (index `intake_queue_order`): what needs action first.
QUEUE_ORDER = ("is_reviewed", "level", "appointment_at", "id")
PAGE_SIZE = 50
# A filtered list is counted up to this many; past it the page says "5,000+" (a count of every match would grow
# with the history, and nobody pages that far: they filter further).
COUNT_CAP = 5000
EXPORT_BATCH = 2000
CHART_WEEKS = 12

T = TypeVar("T")


@dataclass(frozen=True)
class QueueFilters:
    level: int | None = None
    flag: str = ""
    reviewed: bool | None = None
    appointment_from: datetime.date | None = None
    appointment_to: datetime.date | None = None
    name: str = ""
    # The intake a typed reference stands for (intake.references), when the name search was one and it exists.
    reference: int | None = None

    def describe(self) -> str:
        """For the audit trail: which filters were used, never the searched name (it is patient data)."""
        parts = []
        if self.level:
            parts.append(f"level={Level(self.level).code}")
        if self.flag:
            parts.append(f"flag={self.flag}")
        if self.reviewed is not None:
            parts.append(f"reviewed={'yes' if self.reviewed else 'no'}")
        if self.appointment_from:
            parts.append(f"from={self.appointment_from.isoformat()}")
        if self.appointment_to:
            parts.append(f"to={self.appointment_to.isoformat()}")
        if self.reference:
            parts.append("reference search")
        elif self.name:
            parts.append("name search")
        return ", ".join(parts) or "no filters"

    @property
    def counted_by_level(self) -> bool:
        """Only level and review state: the counts per level already hold this list's size."""
        return not (self.flag or self.appointment_from or self.appointment_to or self.name)


def _start_of_day(day: datetime.date) -> datetime.datetime:
    # Aware datetimes in the clinic's time zone, so the appointment index is used (a __date lookup would not).
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def assessed_intakes() -> QuerySet[Intake]:
    """Every intake the rules have run on: submitted ones, and those stopped at the safety step as urgent."""
    return Intake.objects.filter(level__isnull=False)


def queue_intakes(filters: QueueFilters) -> QuerySet[Intake]:
    intakes = assessed_intakes()
    if filters.level:
        intakes = intakes.filter(level=filters.level)
    if filters.flag:
        intakes = intakes.filter(pk__in=IntakeFlag.objects.filter(code=filters.flag).values("intake_id"))
    if filters.reviewed is not None:
        intakes = intakes.filter(is_reviewed=filters.reviewed)
    if filters.appointment_from:
        intakes = intakes.filter(appointment_at__gte=_start_of_day(filters.appointment_from))
    if filters.appointment_to:
        intakes = intakes.filter(appointment_at__lt=_start_of_day(filters.appointment_to + datetime.timedelta(days=1)))
    if filters.reference:
        intakes = intakes.filter(pk=filters.reference)
    elif filters.name:
        # UPPER(name) LIKE '%...%': the trigram index of intake migration 0008 on PostgreSQL.
        intakes = intakes.filter(invitation__patient_name__icontains=filters.name)
    return intakes.order_by(*QUEUE_ORDER)


# --- Rows ----------------------------------------------------------------------------------------------------------


class FlagData(NamedTuple):
    code: str
    short: str
    reason: str


class QueueEntry(NamedTuple):
    """What a queue row shows of one intake; never its answers."""

    intake_id: int
    level: int
    is_reviewed: bool
    appointment_at: datetime.datetime
    submitted_at: datetime.datetime | None
    patient_name: str
    date_of_birth: datetime.date | None
    reviewed_by: str | None  # the reviewer's name; None when nobody reviewed or the account was removed since
    flags: tuple[FlagData, ...] = ()
    phone: str = ""  # E.164 as stored, "" when none
    kind: str = "intake"  # Questionnaire: "intake" or "follow_up"
    time_point: str = ""  # a follow-up's time point code (6w, 3m, 12m)


# The patient's phone as stored, E.164 text: read through the model field, every number would be parsed into a
# PhoneNumber on the way out (dashboard.phones formats the text, once per number).
_PHONE_TEXT = ExpressionWrapper(F("patient__phone"), output_field=CharField())

# What a row shows, and nothing more: every timestamp read is parsed in Python, fifty rows a page.
_ENTRY_COLUMNS = (
    "pk",
    "level",
    "is_reviewed",
    "appointment_at",
    "submitted_at",
    "invitation__patient_name",
    "invitation__date_of_birth",
    "reviewed_by__first_name",
    "reviewed_by__last_name",
    "reviewed_by__username",
    _PHONE_TEXT,
    "kind",
    "invitation__follow_up__time_point",
)


@functools.cache
def _flags_sql(vendor: str, count: int) -> str:
    """`IntakeFlag.objects.filter(intake_id__in=<count ids>).order_by("id").values_list(...)` as plain SQL: the ORM
    spent longer preparing fifty ids, one by one, than the database spent answering (issue 16)."""
    names = ("intake", "code", "short", "reason", "id")
    intake, code, short, reason, pk = (_column(IntakeFlag, name) for name in names)
    table = connection.ops.quote_name(IntakeFlag._meta.db_table)
    marks = ", ".join(["%s"] * count)
    # Names from the model, values as parameters.
    return f"SELECT {intake}, {code}, {short}, {reason} FROM {table} WHERE {intake} IN ({marks}) ORDER BY {pk}"  # noqa: S608


def _flags(intake_ids: list[int]) -> dict[int, list[FlagData]]:
    """The flags of these intakes, in flag order: one query."""
    with connection.cursor() as cursor:
        cursor.execute(_flags_sql(connection.vendor, len(intake_ids)), intake_ids)
        found = cursor.fetchall()
    flags: dict[int, list[FlagData]] = {}
    for intake_id, code, short, reason in found:
        flags.setdefault(intake_id, []).append(FlagData(code, short, reason))
    return flags


def _entries(rows: list[tuple[Any, ...]]) -> list[QueueEntry]:
    """Rows of _ENTRY_COLUMNS plus each intake's flags (one query for all of them)."""
    flags = _flags([row[0] for row in rows]) if rows else {}
    return [
        QueueEntry(
            pk, level, reviewed, appointment, submitted, name, born,
            (f"{first} {last}".strip() or username) if username else None,
            tuple(flags.get(pk, ())), phone or "", kind, time_point or "",
        )
        for (
            pk, level, reviewed, appointment, submitted, name, born, first, last, username, phone, kind, time_point,
        ) in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its entries, and how many intakes the whole list holds (up to COUNT_CAP)."""

    entries: list[QueueEntry]
    number: int
    count: int
    capped: bool  # the list holds more than `count`
    page_size: int = PAGE_SIZE
    # The first page of a list that leaves no waiting urgent intake out: it starts with them (see urgent_contacts).
    starts_with_urgent: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(raw: str | None, num_pages: int) -> int:
    """Like Paginator.get_page: not a number -> the first page, past the end -> the last."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), num_pages)


def queue_count(filters: QueueFilters, counts: list[LevelCount]) -> tuple[int, bool]:
    """How many intakes the filtered list holds, and whether that is the cap rather than the exact number.

    From the counts per level when they say it (no query); otherwise one count, capped at COUNT_CAP.
    """
    if filters.counted_by_level:
        chosen = [c for c in counts if filters.level in (None, c.level)]
        if filters.reviewed is None:
            return sum(c.total for c in chosen), False
        if filters.reviewed:
            return sum(c.total - c.unreviewed for c in chosen), False
        return sum(c.unreviewed for c in chosen), False
    found = queue_intakes(filters).order_by()[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found > COUNT_CAP


def queue_page(filters: QueueFilters, *, page: str | None, counts: list[LevelCount]) -> QueuePage:
    """A page of the filtered queue: two queries (rows, their flags), plus a capped count when the counts per
    level do not already give the list's size."""
    count, capped = queue_count(filters, counts)
    number = _page_number(page, max(1, -(-count // PAGE_SIZE)))
    offset = (number - 1) * PAGE_SIZE
    intakes = queue_intakes(filters)
    if offset:
        # A later page reads its ids off the queue-order index first and joins the names for those fifty only: joined
        # before the OFFSET, every skipped row was joined too (page 500 of 50,000 took 300 ms, this way 12 ms). The
        # first page, which staff open, is cheaper read straight.
        chosen = intakes.values("pk")[offset : offset + PAGE_SIZE]
        intakes = Intake.objects.filter(pk__in=chosen).order_by(*QUEUE_ORDER)
    rows = list(intakes.values_list(*_ENTRY_COLUMNS)[:PAGE_SIZE])
    return QueuePage(_entries(rows), number, count, capped, starts_with_urgent=number == 1 and _keeps_urgent(filters))


def _keeps_urgent(filters: QueueFilters) -> bool:
    """The filtered list holds every urgent intake waiting for review (so, in the queue's order, they come first)."""
    return filters.counted_by_level and filters.level in (None, Level.URGENT) and filters.reviewed is not True


# --- Counts and the chart -------------------------------------------------------------------------------------------
# What needs action is counted on every request: the intakes waiting for review (per level) and this week's arrivals,
# ranges of the queue-order and arrival indexes that stay small however long the history grows, in one query with
# where the history stands (`queue_now`). The rest (reviewed intakes per level, the chart's earlier weeks) is history:
# counted once, kept in this process and counted again when the history moves (a newer intake, a newer review,
# another day) or after HISTORY_SECONDS at most (a re-triage or a purge moves nothing the version sees).

HISTORY_SECONDS = 600
_history: dict[object, tuple[tuple[object, ...], float, Any]] = {}


def _kept(name: object, version: tuple[object, ...], count: Callable[[], T]) -> T:
    found = _history.get(name)
    now = time.monotonic()
    if found is not None and found[0] == version and found[1] > now:
        return found[2]  # type: ignore[no-any-return]
    value = count()
    _history[name] = (version, now + HISTORY_SECONDS, value)
    return value


def forget_history() -> None:
    """Count the history afresh on the next request (tests)."""
    _history.clear()


class QueueNow(NamedTuple):
    """What the queue counts on every request."""

    version: tuple[object, ...]  # where the history stands: the newest intake, the latest review, the day
    monday: datetime.date  # this week's first day
    waiting: dict[int, int]  # level -> intakes waiting for review
    this_week: dict[int, int]  # level -> intakes arrived since Monday


# Three parts told apart by the first column: the history's version, then two counts per level (a UNION ALL, so one
# round trip). The version comes first, so PostgreSQL types the NULLs of the counts after its columns. The
# conditions are those of the `intake_queue_order` and `intake_arrived_level` indexes (intake migration 0008), so each
# part is an index range or look-up, never a scan of the history.
_VERSION, _WAITING, _THIS_WEEK = 0, 1, 2
_NOW_SQL = """
SELECT 0, NULL, MAX({id}), MAX({reviewed_at}) FROM {table}
UNION ALL
SELECT 1, {level}, COUNT(*), NULL FROM {table} WHERE {level} IS NOT NULL AND NOT {is_reviewed} GROUP BY {level}
UNION ALL
SELECT 2, {level}, COUNT(*), NULL FROM {table}
WHERE {level} IS NOT NULL AND COALESCE({submitted_at}, {created_at}) >= %s GROUP BY {level}
"""


@functools.cache
def _now_sql(vendor: str) -> str:
    columns = ("id", "reviewed_at", "level", "is_reviewed", "submitted_at", "created_at")
    return _NOW_SQL.format(
        table=connection.ops.quote_name(Intake._meta.db_table), **{name: _column(Intake, name) for name in columns}
    )


def queue_now(*, today: datetime.date) -> QueueNow:
    """The counts of what needs action and the history's version: one query (three index look-ups)."""
    monday = today - datetime.timedelta(days=today.weekday())
    since = connection.ops.adapt_datetimefield_value(_start_of_day(monday))
    with connection.cursor() as cursor:
        cursor.execute(_now_sql(connection.vendor), [since])
        rows = cursor.fetchall()
    parts: dict[int, dict[int, int]] = {_WAITING: {}, _THIS_WEEK: {}}
    version: tuple[object, ...] = (None, None, today)
    for part, level, number, latest in rows:
        if part == _VERSION:
            version = (number, latest, today)
        else:
            parts[part][level] = number
    return QueueNow(version, monday, parts[_WAITING], parts[_THIS_WEEK])


@dataclass(frozen=True)
class LevelCount:
    level: Level
    total: int
    unreviewed: int


def _per_level(intakes: QuerySet[Intake]) -> dict[int, int]:
    """How many of `intakes` per level: one query."""
    return dict(intakes.order_by().values_list("level").annotate(n=Count("*")))


def level_counts(now: QueueNow | None = None) -> list[LevelCount]:
    """Per level, most urgent first: all assessed intakes and those still waiting for review.

    Those waiting come from `now` (counted every request); the reviewed ones are history (see above).
    """
    now = now or queue_now(today=timezone.localdate())
    waiting = now.waiting
    reviewed = _kept("reviewed", now.version, lambda: _per_level(assessed_intakes().filter(is_reviewed=True)))
    return [LevelCount(level, reviewed.get(level, 0) + waiting.get(level, 0), waiting.get(level, 0)) for level in Level]


@dataclass(frozen=True)
class ChartWeek:
    starts: datetime.date
    counts: dict[int, int]  # level -> intakes that week

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ordered(self) -> list[int]:
        return [self.counts.get(level, 0) for level in Level]


def _arrivals(start: datetime.date, end: datetime.date | None) -> dict[datetime.date, dict[int, int]]:
    """Assessed intakes by week (starting on Monday) and level, arrived from `start` (until `end`): one query, a
    range of the `intake_arrived_level` index."""
    arrived = assessed_intakes().order_by().annotate(arrived=Coalesce("submitted_at", "created_at"))
    arrived = arrived.filter(arrived__gte=_start_of_day(start))
    if end is not None:
        arrived = arrived.filter(arrived__lt=_start_of_day(end))
    counts: dict[datetime.date, dict[int, int]] = {}
    for row in arrived.annotate(week=TruncWeek("arrived")).values("week", "level").annotate(n=Count("*")):
        week = row["week"]
        day = timezone.localtime(week).date() if isinstance(week, datetime.datetime) else week
        counts.setdefault(day, {})[row["level"] or 0] = row["n"]
    return counts


def weekly_counts(now: QueueNow, *, weeks: int = CHART_WEEKS) -> list[ChartWeek]:
    """Intakes per week (weeks start on Monday) by level, oldest first, the current week last.

    This week's come from `now` (counted every request); the earlier weeks are history (see above).
    """
    first_monday = now.monday - datetime.timedelta(weeks=weeks - 1)
    counts = {**_kept(("weeks", first_monday), now.version, lambda: _arrivals(first_monday, now.monday))}
    counts[now.monday] = now.this_week
    mondays = [first_monday + datetime.timedelta(weeks=i) for i in range(weeks)]
    return [ChartWeek(monday, {level: counts.get(monday, {}).get(level, 0) for level in Level}) for monday in mondays]


class Contact(NamedTuple):
    intake_id: int
    patient_name: str
    phone: str  # E.164 as stored, "" when none


def urgent_contacts(*, limit: int = 5, page: QueuePage | None = None) -> list[Contact]:
    """The first `limit` urgent intakes waiting for review, in queue order, with the patient's phone: the banner that
    says to call them today gives the numbers. Read off `page` when it starts with them (the queue's first page,
    unfiltered or filtered to urgent or waiting ones: what staff open), else one query."""
    if page is not None and page.starts_with_urgent:
        return [
            Contact(entry.intake_id, entry.patient_name, entry.phone)
            for entry in page.entries[:limit]
            if entry.level == Level.URGENT and not entry.is_reviewed
        ]
    rows = (
        assessed_intakes()
        .filter(is_reviewed=False, level=Level.URGENT)
        .order_by(*QUEUE_ORDER)
        .values_list("pk", "invitation__patient_name", _PHONE_TEXT)[:limit]
    )
    return [Contact(pk, name, phone or "") for pk, name, phone in rows]


def red_flag_answers(intake: Intake) -> list[RedFlagAnswer]:
    """The intake's latched red-flag answers, first given first, with who cleared them (one query)."""
    return list(RedFlagAnswer.objects.filter(intake=intake).select_related("cleared_by").order_by("answered_at", "id"))


# --- The review outcomes report ------------------------------------------------------------------------------------
# docs/clinical/TRIAGE.md, "Review outcomes": per rules version and flag, how often each outcome followed. Counted
# from the review notes that carry an outcome, with the rules version and flags the reviewer saw (`ReviewNote`
# keeps them), so later re-triage never rewrites what was counted.

REVIEWED = ""  # the key of "reviewed intakes" among the outcome counts (no outcome is the empty string)


@dataclass(frozen=True)
class FlagOutcomes:
    rules_version: str
    code: str  # "" for the row of every reviewed intake of the version, flagged or not
    counts: dict[str, int]  # outcome code (or REVIEWED) -> distinct intakes

    @property
    def reviewed(self) -> int:
        return self.counts.get(REVIEWED, 0)

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)


# One query on each database: the flag list is unnested by the database's own JSON function (PostgreSQL's jsonb
# functions, SQLite's json_each), then grouped; only the counts come back. Two halves: the intakes per outcome, and
# the reviewed intakes (any outcome but "could not reach", which leaves an intake unreviewed), marked by an empty
# outcome.
_UNNESTED = {
    "postgresql": (
        "{table} AS n CROSS JOIN LATERAL jsonb_array_elements_text("
        "CASE WHEN jsonb_typeof(n.{flags}) = 'array' THEN n.{flags} ELSE '[]'::jsonb END) AS f(code)"
    ),
    "sqlite": "{table} AS n, json_each(CASE WHEN json_type(n.{flags}) = 'array' THEN n.{flags} ELSE '[]' END) AS f",
}
_CODE = {"postgresql": "f.code", "sqlite": "f.value"}
_OUTCOME_COUNTS_SQL = """
SELECT n.{version}, {code}, n.{outcome}, COUNT(DISTINCT n.{intake})
FROM {unnested} WHERE n.{outcome} <> '' GROUP BY n.{version}, {code}, n.{outcome}
UNION ALL
SELECT n.{version}, {code}, '', COUNT(DISTINCT n.{intake})
FROM {unnested} WHERE n.{outcome} <> '' AND n.{outcome} <> %s GROUP BY n.{version}, {code}
"""


def _notes_with_outcome() -> QuerySet[ReviewNote]:
    return ReviewNote.objects.exclude(outcome="")


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return connection.ops.quote_name(field.column)


def _per_flag_in_sql(vendor: str) -> list[tuple[str, str, str, int]]:
    flags = _column(ReviewNote, "flag_codes")
    unnested = _UNNESTED[vendor].format(table=connection.ops.quote_name(ReviewNote._meta.db_table), flags=flags)
    sql = _OUTCOME_COUNTS_SQL.format(
        version=_column(ReviewNote, "rules_version"),
        outcome=_column(ReviewNote, "outcome"),
        intake=_column(ReviewNote, "intake"),
        code=_CODE[vendor],
        unnested=unnested,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ReviewNote.Outcome.COULD_NOT_REACH.value])
        return [(version, str(code), outcome, count) for version, code, outcome, count in cursor.fetchall()]


def _per_flag_in_python() -> list[tuple[str, str, str, int]]:
    """The same counts on a database without those JSON functions: the notes are streamed in chunks (never all in
    memory at once) and only the intake ids per version, flag and outcome are kept."""
    intakes: dict[tuple[str, str, str], set[int]] = {}
    notes = _notes_with_outcome().values_list("rules_version", "flag_codes", "outcome", "intake_id")
    for version, codes, outcome, intake_id in notes.iterator(chunk_size=2000):
        for code in codes if isinstance(codes, list) else []:
            intakes.setdefault((version, str(code), outcome), set()).add(intake_id)
            if outcome != ReviewNote.Outcome.COULD_NOT_REACH:
                intakes.setdefault((version, str(code), REVIEWED), set()).add(intake_id)
    return [(version, code, outcome, len(ids)) for (version, code, outcome), ids in intakes.items()]


def outcome_counts(*, in_python: bool = False) -> list[FlagOutcomes]:
    """Per rules version (newest first) a row of every reviewed intake, then one row per flag in triage order.

    Counts are of distinct intakes: an intake first not reached and later reviewed counts under both outcomes.
    Three queries, whatever the number of notes (on PostgreSQL and SQLite; elsewhere the notes are streamed).
    """
    vendor = connection.vendor
    per_flag = _per_flag_in_sql(vendor) if vendor in _UNNESTED and not in_python else _per_flag_in_python()
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for version, code, outcome, count in per_flag:
        counts.setdefault((version, code), {})[outcome] = count
    notes = _notes_with_outcome()
    for row in notes.values("rules_version", "outcome").annotate(n=Count("intake", distinct=True)):
        counts.setdefault((row["rules_version"], ""), {})[row["outcome"]] = row["n"]
    reviewed = notes.exclude(outcome=ReviewNote.Outcome.COULD_NOT_REACH)
    for version_row in reviewed.values("rules_version").annotate(n=Count("intake", distinct=True)):
        counts.setdefault((version_row["rules_version"], ""), {})[REVIEWED] = version_row["n"]
    return [
        FlagOutcomes(version, code, by_outcome)
        for (version, code), by_outcome in sorted(counts.items(), key=lambda item: _report_order(*item[0]))
    ]


_CODE_PARTS = re.compile(r"([A-Z]+)(\d*)")


def flag_order(code: str) -> tuple[int, str, int]:
    """Flags as the triage engine lists them: by group (urgent first), then letters, then number (SP9 < SP12).

    A code this rules version does not know (from an older version) comes after every known one.
    """
    flag = FLAGS_BY_CODE.get(code)
    group = FLAG_GROUPS.index(flag.group) if flag else len(FLAG_GROUPS)
    match = _CODE_PARTS.fullmatch(code)
    letters, number = (match.group(1), match.group(2)) if match else (code, "")
    return group, letters, int(number) if number else -1


def _report_order(version: str, code: str) -> tuple[tuple[int, ...], str, bool, tuple[int, str, int]]:
    """Newest rules version first; in a version the row of every reviewed intake, then flags in triage order."""
    newest_first = tuple(-int(part) if part.isdigit() else 0 for part in version.split("."))
    return newest_first, version, bool(code), flag_order(code)
