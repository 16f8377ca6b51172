"""Reads for the follow-up list (issue 12): where each follow-up questionnaire stands, non-responders first, and how
many were answered at each time point (the clinic's response rate).

Names, dates and status only: nothing here reads answers or scores, because front desk sees this list.

A follow-up is, in this order: cancelled (never listed); answered (its questionnaire was sent back); closed (its
last day passed unanswered: no link can open it now); locked (wrong birth dates locked its link: the patient cannot
answer until staff send a new link, so it comes first); overdue (its newest link, first sent or sent again by
staff, went by e-mail or text more than FOLLOW_UP_REMINDER_DAYS ago and it is not answered: a reminder has gone, the
patient has not responded); sent (waiting); due (its day has come and the link is not sent yet); upcoming (not due
yet). The status is worked out by the database, so the list filters, orders and pages on it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import LessThan
from django.utils import timezone

from dashboard.scores import follow_up_points, time_point_label
from intake.models import FollowUp, Intake
from intake.rules.schedule import calendar_days_after
from intake.services.reminders import newest_link_message

LOCKED = "locked"
OVERDUE = "overdue"
DUE = "due"
SENT = "sent"
ANSWERED = "answered"
UPCOMING = "upcoming"
CLOSED = "closed"
# In list order: non-responders first, a locked-out patient (staff can act) before them all.
STATUSES: tuple[tuple[str, str], ...] = (
    (LOCKED, "Link locked: send a new link"),
    (OVERDUE, "Overdue: sent, not answered"),
    (DUE, "Due, not sent yet"),
    (SENT, "Sent, waiting for an answer"),
    (CLOSED, "Closed: not answered in time"),
    (ANSWERED, "Answered"),
    (UPCOMING, "Not due yet"),
)
STATUS_SHORT = {
    LOCKED: "Link locked",
    OVERDUE: "Overdue",
    DUE: "Due",
    SENT: "Sent",
    CLOSED: "Closed, not answered",
    ANSWERED: "Answered",
    UPCOMING: "Not due yet",
}
PAGE_SIZE = 50


def overdue_after() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "FOLLOW_UP_REMINDER_DAYS", 7)))


def sent_overdue_before(now: datetime.datetime) -> datetime.datetime:
    """A follow-up sent before this is overdue at `now`: `FOLLOW_UP_REMINDER_DAYS` calendar days in the clinic's zone,
    as its reminder counts them (days of 24 hours put the two an hour apart over a clock change)."""
    return calendar_days_after(now, -overdue_after().days, timezone.get_default_timezone())


@dataclass(frozen=True)
class FollowUpFilters:
    status: str = ""  # "" lists every status but "upcoming"
    time_point: str = ""

    def describe(self) -> str:
        """For the audit trail: the filters, never a name."""
        parts = [f"status={self.status}"] if self.status else []
        if self.time_point:
            parts.append(f"time point={self.time_point}")
        return ", ".join(parts) or "no filters"


def link_sent_at() -> Greatest:
    """When the follow-up's newest link went: its first sending, or staff's "Send a new link" since. Its reminder
    counts from this (intake.services.reminders), so "Overdue" does too: counted from the first sending, a link staff
    sent again yesterday read "Overdue". Greatest is NULL on SQLite when any part is: the link defaults to sent_at."""
    return Greatest("sent_at", Coalesce(newest_link_message(), "sent_at"))


def overdue(now: datetime.datetime) -> LessThan:
    """Sent, and its newest link went `FOLLOW_UP_REMINDER_DAYS` calendar days ago or more (NULL, not sent: false)."""
    return LessThan(link_sent_at(), sent_overdue_before(now))


def status_expression(now: datetime.datetime) -> Case:
    answered = Q(invitation__intake__status=Intake.Status.SUBMITTED)
    sent = Q(sent_at__isnull=False)
    return Case(
        When(answered, then=Value(ANSWERED)),
        When(sent & Q(invitation__expires_at__lte=now), then=Value(CLOSED)),
        When(sent & Q(invitation__locked_at__isnull=False), then=Value(LOCKED)),
        When(sent & Q(overdue(now)), then=Value(OVERDUE)),
        When(sent_at__isnull=False, then=Value(SENT)),
        When(due_at__lte=now, then=Value(DUE)),
        default=Value(UPCOMING),
        output_field=CharField(),
    )


def _rank(now: datetime.datetime) -> Case:
    ranks = {code: number for number, (code, _label) in enumerate(STATUSES)}
    return Case(
        *(When(status=code, then=Value(number)) for code, number in ranks.items()),
        default=Value(len(ranks)),
        output_field=IntegerField(),
    )


def listed(filters: FollowUpFilters, *, now: datetime.datetime) -> QuerySet[FollowUp]:
    """The follow-ups the list shows, non-responders first, then by the day they fell due."""
    follow_ups = FollowUp.objects.filter(cancelled_at__isnull=True).annotate(status=status_expression(now))
    # With no status chosen, every follow-up whose day has come (the ones not due yet would swamp the list).
    chosen = Q(status=filters.status) if filters.status else ~Q(status=UPCOMING)
    follow_ups = follow_ups.filter(chosen)
    if filters.time_point:
        follow_ups = follow_ups.filter(time_point=filters.time_point)
    return follow_ups.annotate(rank=_rank(now)).order_by("rank", "due_at", "id")


@dataclass(frozen=True)
class FollowUpRow:
    follow_up_id: int
    patient_id: int
    patient_name: str
    time_point: str
    visit_at: datetime.datetime
    due_at: datetime.datetime
    sent_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    status: str
    intake_id: int | None  # the answered questionnaire, for staff who may read it
    visit_id: int  # the pre-visit intake it follows (the audit trail names it)
    invitation_id: int | None  # its link's page, where staff send a new one

    @property
    def time_point_label(self) -> str:
        return time_point_label(self.time_point)

    @property
    def status_label(self) -> str:
        return STATUS_SHORT.get(self.status, self.status)


ROW_COLUMNS = (
    "pk",
    "patient_id",
    "patient__name",
    "time_point",
    "visit__appointment_at",
    "due_at",
    "sent_at",
    "invitation__intake__submitted_at",
    "status",
    "invitation__intake__id",
    "visit_id",
    "invitation_id",
)


def rows(follow_ups: QuerySet[FollowUp]) -> list[FollowUpRow]:
    """One query: names, dates and status (an answered one's intake id), never answers."""
    return [
        FollowUpRow(
            pk, patient, name, point, visit_at, due, sent, answered, status, intake if answered else None, visit, link
        )
        for pk, patient, name, point, visit_at, due, sent, answered, status, intake, visit, link in (
            follow_ups.values_list(*ROW_COLUMNS)
        )
    ]


@dataclass(frozen=True)
class ResponseRate:
    time_point: str
    sent: int
    answered: int
    overdue: int

    @property
    def label(self) -> str:
        return time_point_label(self.time_point)

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered / self.sent) if self.sent else None


def response_rates(*, now: datetime.datetime) -> list[ResponseRate]:
    """Per time point (schedule order, then any other): follow-ups sent, answered, and overdue. One query."""
    counted = (
        FollowUp.objects.filter(cancelled_at__isnull=True, sent_at__isnull=False)
        .order_by()
        .values("time_point")
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=Q(invitation__intake__status=Intake.Status.SUBMITTED)),
            # As the list says: not a closed one (its last day passed) nor a locked one (listed on its own).
            overdue=Count(
                "pk",
                filter=Q(overdue(now))
                & ~Q(invitation__intake__status=Intake.Status.SUBMITTED)
                & Q(invitation__expires_at__gt=now, invitation__locked_at__isnull=True),
            ),
        )
    )
    found: dict[str, ResponseRate] = {
        row["time_point"]: ResponseRate(row["time_point"], row["sent"], row["answered"], row["overdue"])
        for row in counted
    }
    order = [*follow_up_points(), *sorted(set(found) - set(follow_up_points()))]
    return [found.get(point) or ResponseRate(point, 0, 0, 0) for point in order]
