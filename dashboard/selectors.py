"""Reads for the staff queue: filtering, ordering, counts and the weekly chart, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from intake.models import Intake, IntakeFlag, Level

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
