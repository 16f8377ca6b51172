"""Reads for the staff queue: filtering, ordering, counts and the weekly chart, each in a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Field, Q, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from intake.models import Intake, IntakeFlag, Level, RedFlagAnswer, ReviewNote
from intake.rules.triage import FLAG_GROUPS, FLAGS_BY_CODE

# The queue's order (index `intake_queue_order`): what needs action first.
QUEUE_ORDER = ("is_reviewed", "level", "appointment_at", "id")
CHART_WEEKS = 12


@dataclass(frozen=True)
class QueueFilters:
    level: int | None = None
    flag: str = ""
    reviewed: bool | None = None
    appointment_from: datetime.date | None = None
    appointment_to: datetime.date | None = None
    name: str = ""

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
        if self.name:
            parts.append("name search")
        return ", ".join(parts) or "no filters"


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
    if filters.name:
        intakes = intakes.filter(invitation__patient_name__icontains=filters.name)
    return intakes.order_by(*QUEUE_ORDER)


def with_row_data(intakes: QuerySet[Intake]) -> QuerySet[Intake]:
    """What a queue row shows, in two queries per page; the clinical answers are never loaded here."""
    return (
        intakes.select_related("invitation", "reviewed_by")
        .prefetch_related("flags")
        .defer("answers", "recommended_articles", "invitation__token_hash")
    )


@dataclass(frozen=True)
class LevelCount:
    level: Level
    total: int
    unreviewed: int


def level_counts() -> list[LevelCount]:
    """Per level, most urgent first: all assessed intakes and those still waiting for review (one query)."""
    rows = (
        assessed_intakes()
        .values("level")
        .annotate(total=Count("id"), unreviewed=Count("id", filter=Q(is_reviewed=False)))
    )
    by_level: dict[int, tuple[int, int]] = {row["level"] or 0: (row["total"], row["unreviewed"]) for row in rows}
    return [LevelCount(level, *by_level.get(level, (0, 0))) for level in Level]


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


def weekly_counts(*, today: datetime.date, weeks: int = CHART_WEEKS) -> list[ChartWeek]:
    """Intakes per week (weeks start on Monday) by level, oldest first, the current week last (one query)."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    first_monday = this_monday - datetime.timedelta(weeks=weeks - 1)
    rows = (
        assessed_intakes()
        .annotate(arrived=Coalesce("submitted_at", "created_at"))
        .filter(arrived__gte=_start_of_day(first_monday))
        .annotate(week=TruncWeek("arrived"))
        .values("week", "level")
        .annotate(n=Count("id"))
    )
    counts: dict[datetime.date, dict[int, int]] = {}
    for row in rows:
        week = row["week"]
        day = timezone.localtime(week).date() if isinstance(week, datetime.datetime) else week
        counts.setdefault(day, {})[row["level"] or 0] = row["n"]
    mondays = [first_monday + datetime.timedelta(weeks=i) for i in range(weeks)]
    return [ChartWeek(monday, {level: counts.get(monday, {}).get(level, 0) for level in Level}) for monday in mondays]


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


def _column(name: str) -> str:
    field = ReviewNote._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"ReviewNote.{name} is not a column")
    return connection.ops.quote_name(field.column)


def _per_flag_in_sql(vendor: str) -> list[tuple[str, str, str, int]]:
    flags = _column("flag_codes")
    unnested = _UNNESTED[vendor].format(table=connection.ops.quote_name(ReviewNote._meta.db_table), flags=flags)
    sql = _OUTCOME_COUNTS_SQL.format(
        version=_column("rules_version"),
        outcome=_column("outcome"),
        intake=_column("intake"),
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
