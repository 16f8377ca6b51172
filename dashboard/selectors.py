"""Reads for the staff queue: filtering, ordering and pages of rows, each in a fixed number of queries.

Sized for a clinic's whole history (issue 16: 50,000 intakes answer like 5,000). A queue page reads 50 rows off the
queue-order index and their flags in a second query, as plain values (no model instances). The page's total comes
from the counts per level when the filters are level and review state only, and otherwise from a count capped at
COUNT_CAP. The banner's urgent patients are read off the page when it starts with them. The CSV export
(dashboard.export_rows) walks the same order in keyset pages of EXPORT_BATCH rows.

Elsewhere: the counts per level and the weekly chart in dashboard.queue_counts, the review outcomes report in
dashboard.outcome_report; both name their columns through `clinic_portal.db_rows.quoted_column`.

One hot statement is written out (the flags): the ORM spent longer building it than the database spent answering.
Its table and column names come from the models.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection
from django.db.models import CharField, DateTimeField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic_portal.db_rows import quoted_column
from intake.models import Intake, IntakeFlag, Level, RedFlagAnswer, ReviewNote

if TYPE_CHECKING:
    from dashboard.queue_counts import LevelCount

# The queue's order (index `intake_queue_order`): what needs action first.
QUEUE_ORDER = ("is_reviewed", "level", "appointment_at", "id")
PAGE_SIZE = 50
# A filtered list is counted up to this many; past it the page says "5,000+" (a count of every match would grow
# with the history, and nobody pages that far: they filter further).
COUNT_CAP = 5000
EXPORT_BATCH = 2000


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


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight starting `day` in the clinic's time zone."""
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
        intakes = intakes.filter(appointment_at__gte=start_of_day(filters.appointment_from))
    if filters.appointment_to:
        intakes = intakes.filter(appointment_at__lt=start_of_day(filters.appointment_to + datetime.timedelta(days=1)))
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
    last_not_reached: datetime.datetime | None = None  # the latest "could not reach" review, if any
    reviewed_at: datetime.datetime | None = None  # the last review (kept when new red flags reopen the intake)
    call_back_by: datetime.datetime | None = None  # the call-back the receipt promised (intake.call_backs)
    visit_cancelled: bool = False  # the front desk cancelled the visit (intake.services.cancellation)
    language: str = "en"  # the invitation's: the patient's form and e-mails (intake.patient_language)


# The patient's phone as stored, E.164 text: read through the model field, every number would be parsed into a
# PhoneNumber on the way out (clinic_portal.phones formats the text, once per number).
_PHONE_TEXT = ExpressionWrapper(F("patient__phone"), output_field=CharField())

# When someone last tried to call and could not reach the patient (a review with that outcome leaves the intake
# unreviewed): the row says so, so a colleague taking over knows a call was made. One look-up of the notes' intake
# index per row of the page, in the same query.
_LONG_AGO = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_LAST_NOT_REACHED = Subquery(
    ReviewNote.objects.filter(
        intake=OuterRef("pk"),
        outcome=ReviewNote.Outcome.COULD_NOT_REACH,
        undone_at__isnull=True,  # undone with a review (logged on the wrong chart): no call to this patient
        # Since the last review: a call that failed before the patient was reached is old news once reopened.
        created_at__gt=Coalesce(OuterRef("reviewed_at"), Value(_LONG_AGO, output_field=DateTimeField())),
    )
    .order_by("-created_at")
    .values("created_at")[:1]
)

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
    _LAST_NOT_REACHED,
    "reviewed_at",
    "call_back_by",
    "invitation__cancelled_at",
    "invitation__language",
)


@functools.cache
def _flags_sql(vendor: str, count: int) -> str:
    """`IntakeFlag.objects.filter(intake_id__in=<count ids>).order_by("id").values_list(...)` as plain SQL: the ORM
    spent longer preparing fifty ids, one by one, than the database spent answering (issue 16)."""
    names = ("intake", "code", "short", "reason", "id")
    intake, code, short, reason, pk = (quoted_column(IntakeFlag, name) for name in names)
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
            tuple(flags.get(pk, ())), phone or "", kind, time_point or "", not_reached, reviewed_at, call_back_by,
            cancelled_at is not None, language,
        )
        for (
            pk, level, reviewed, appointment, submitted, name, born, first, last, username, phone, kind, time_point,
            not_reached, reviewed_at, call_back_by, cancelled_at, language,
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


class Contact(NamedTuple):
    intake_id: int
    patient_name: str
    phone: str  # E.164 as stored, "" when none
    language: str = "en"  # the patient's form and e-mails: the caller knows before they phone


def urgent_contacts(*, limit: int = 5, page: QueuePage | None = None) -> list[Contact]:
    """The first `limit` urgent intakes waiting for review, in queue order, with the patient's phone: the banner that
    says to call them today gives the numbers. Read off `page` when it starts with them (the queue's first page,
    unfiltered or filtered to urgent or waiting ones: what staff open), else one query."""
    if page is not None and page.starts_with_urgent:
        return [
            Contact(entry.intake_id, entry.patient_name, entry.phone, entry.language)
            for entry in page.entries[:limit]
            if entry.level == Level.URGENT and not entry.is_reviewed
        ]
    rows = (
        assessed_intakes()
        .filter(is_reviewed=False, level=Level.URGENT)
        .order_by(*QUEUE_ORDER)
        .values_list("pk", "invitation__patient_name", _PHONE_TEXT, "invitation__language")[:limit]
    )
    return [Contact(pk, name, phone or "", language) for pk, name, phone, language in rows]


# --- One intake ----------------------------------------------------------------------------------------------------


def red_flag_answers(intake: Intake) -> list[RedFlagAnswer]:
    """The intake's latched red-flag answers, first given first, with who cleared them (one query)."""
    return list(RedFlagAnswer.objects.filter(intake=intake).select_related("cleared_by").order_by("answered_at", "id"))
