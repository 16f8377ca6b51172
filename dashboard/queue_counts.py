"""The staff queue's counts per level and its weekly chart: what needs action in one query on every request.

What needs action is counted on every request: the intakes waiting for review (per level) and this week's arrivals,
ranges of the queue-order and arrival indexes that stay small however long the history grows, in one query with
where the history stands, the alert e-mails still unsent two minutes after they were queued, when the sweeper last
ran and since when the task worker has not answered its ping (`queue_now`). The
rest (reviewed intakes per level, the chart's earlier weeks) is history: counted once, kept in this process and
counted again when the history moves (a newer intake, a newer review, another day) or after HISTORY_SECONDS at most (a
re-triage or a purge moves nothing the version sees).

`queue_now` is written out: the ORM spent longer building it than the database spent answering. Its table and column
names come from the model. The queue page (dashboard.selectors) takes its total from these counts when it can.
"""

from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from alerts.models import Alert, SweeperHeartbeat, WorkerHeartbeat
from alerts.selectors import (
    ALERTS_LATE_AFTER,
    SWEEPER_LATE_AFTER,
    WORKER_LATE_AFTER,
    LateAlerts,
    SweeperLate,
    WorkerLate,
)
from clinic_portal.db_rows import quoted_column
from dashboard.selectors import assessed_intakes, start_of_day
from intake.models import Intake, Level

CHART_WEEKS = 12

T = TypeVar("T")

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
    late_alerts: LateAlerts | None = None  # alert e-mails stuck (alerts.selectors): the queue says so
    sweeper_late: SweeperLate | None = None  # the sweeper has not run for SWEEPER_LATE_AFTER: nothing escalates
    worker_late: WorkerLate | None = None  # the worker has not answered for WORKER_LATE_AFTER: no alert goes out


# Four parts told apart by the first column: the history's version, then two counts per level (a UNION ALL, so one
# round trip). The version comes first, so PostgreSQL types the NULLs of the counts after its columns. The
# conditions are those of the `intake_queue_order` and `intake_arrived_level` indexes (intake migration 0008), so each
# part is an index range or look-up, never a scan of the history.
# The fourth, the alerts still unsent after ALERTS_LATE_AFTER, is a range of the `alert_due` index (status first).
# The fifth, when the sweeper last ran: its heartbeat's one row or, if it never ran, the first intake's arrival (the
# first look-up of the primary key), so a new portal warns once an intake has waited that long and never before: a
# database with no intakes gives NULL, nothing to warn about.
# The sixth, since when the worker has not answered the sweeper's ping: its heartbeat's one row (a primary key look-up);
# NULL when it answered or no ping was queued yet (a new portal, or one upgraded and not swept since).
_VERSION, _WAITING, _THIS_WEEK, _LATE_ALERTS, _SWEPT, _WORKER_WAITING = 0, 1, 2, 3, 4, 5
_NOW_SQL = """
SELECT 0, NULL, MAX({id}), MAX({reviewed_at}) FROM {table}
UNION ALL
SELECT 1, {level}, COUNT(*), NULL FROM {table} WHERE {level} IS NOT NULL AND NOT {is_reviewed} GROUP BY {level}
UNION ALL
SELECT 2, {level}, COUNT(*), NULL FROM {table}
WHERE {level} IS NOT NULL AND COALESCE({submitted_at}, {created_at}) >= %s GROUP BY {level}
UNION ALL
SELECT 3, NULL, COUNT(*), MIN({alert_created_at}) FROM {alert_table}
WHERE {alert_status} = %s AND {alert_created_at} <= %s
UNION ALL
SELECT 4, NULL, NULL, COALESCE(
    (SELECT {swept_at} FROM {heartbeat_table} WHERE {heartbeat_id} = %s),
    (SELECT {created_at} FROM {table} ORDER BY {id} LIMIT 1)
)
UNION ALL
SELECT 5, NULL, NULL, (SELECT {waiting_since} FROM {worker_table} WHERE {worker_id} = %s)
"""


@functools.cache
def _now_sql(vendor: str) -> str:
    columns = ("id", "reviewed_at", "level", "is_reviewed", "submitted_at", "created_at")
    quoted = {name: quoted_column(Intake, name) for name in columns}
    return _NOW_SQL.format(
        table=connection.ops.quote_name(Intake._meta.db_table),
        alert_table=connection.ops.quote_name(Alert._meta.db_table),
        alert_status=quoted_column(Alert, "status"),
        alert_created_at=quoted_column(Alert, "created_at"),
        heartbeat_table=connection.ops.quote_name(SweeperHeartbeat._meta.db_table),
        heartbeat_id=quoted_column(SweeperHeartbeat, "id"),
        swept_at=quoted_column(SweeperHeartbeat, "swept_at"),
        worker_table=connection.ops.quote_name(WorkerHeartbeat._meta.db_table),
        worker_id=quoted_column(WorkerHeartbeat, "id"),
        waiting_since=quoted_column(WorkerHeartbeat, "waiting_since"),
        **quoted,
    )


def queue_now(*, today: datetime.date, now: datetime.datetime | None = None) -> QueueNow:
    """The counts of what needs action, the history's version, the late alerts and whether the sweeper and the worker
    run: one query (seven index look-ups)."""
    now = now or timezone.now()
    monday = today - datetime.timedelta(days=today.weekday())
    since = connection.ops.adapt_datetimefield_value(start_of_day(monday))
    late_before = connection.ops.adapt_datetimefield_value(now - ALERTS_LATE_AFTER)
    with connection.cursor() as cursor:
        cursor.execute(
            _now_sql(connection.vendor),
            [since, Alert.Status.PENDING.value, late_before, SweeperHeartbeat.ROW, WorkerHeartbeat.ROW],
        )
        rows = cursor.fetchall()
    parts: dict[int, dict[int, int]] = {_WAITING: {}, _THIS_WEEK: {}}
    version: tuple[object, ...] = (None, None, today)
    late = sweeper_late = worker_waiting = None
    for part, level, number, latest in rows:
        if part == _VERSION:
            version = (number, latest, today)
        elif part == _LATE_ALERTS:
            late = LateAlerts(number, _as_datetime(latest)) if number else None
        elif part == _SWEPT:
            swept = None if latest is None else _as_datetime(latest)
            sweeper_late = SweeperLate(swept) if swept is not None and swept < now - SWEEPER_LATE_AFTER else None
        elif part == _WORKER_WAITING:
            worker_waiting = None if latest is None else _as_datetime(latest)
        else:
            parts[part][level] = number
    worker_late = None
    # Only the sweeper pings: with it stopped, a ping left unanswered says nothing new (its own notice shows).
    if worker_waiting is not None and worker_waiting < now - WORKER_LATE_AFTER and sweeper_late is None:
        worker_late = WorkerLate(worker_waiting, int((now - worker_waiting).total_seconds() // 60))
    return QueueNow(version, monday, parts[_WAITING], parts[_THIS_WEEK], late, sweeper_late, worker_late)


def _as_datetime(value: object) -> datetime.datetime:
    """A timestamp as the cursor gives it: a datetime on PostgreSQL, the stored UTC text on SQLite."""
    if isinstance(value, datetime.datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError("not a timestamp")
    return timezone.make_aware(parsed, datetime.UTC) if timezone.is_naive(parsed) else parsed


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
    # Kept while the history and what waits stand: an intake reopened by new red flags after its review moves from
    # reviewed to waiting without a newer intake or review (the totals were one too many for up to ten minutes).
    version = (*now.version, tuple(sorted(waiting.items())))
    reviewed = _kept("reviewed", version, lambda: _per_level(assessed_intakes().filter(is_reviewed=True)))
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
    arrived = arrived.filter(arrived__gte=start_of_day(start))
    if end is not None:
        arrived = arrived.filter(arrived__lt=start_of_day(end))
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
