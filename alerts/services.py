"""Staff alerts for urgent and serious intakes: queueing, sweeping and escalating (sending is `alerts.delivery`).

The intake app announces every stored triage result (`intake.signals.assessment_recorded`, sent inside the
transaction that saved the intake's new level); `alerts.receivers` hands it to `intake_level_changed`. The alert row
and its task row are written in that transaction (the task backend is the database), so either the intake, its alert
and the task all exist, or none of them do. Imports point one way: services -> tasks -> delivery.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from alerts import delivery
from alerts.delivery import max_attempts, retry_delay
from alerts.models import Alert, SweeperHeartbeat, WorkerHeartbeat
from alerts.tasks import answer_ping, enqueue
from intake.models import Intake, Level, ReviewNote
from intake.services import flag_recent_reviews_before_sending
from messaging.stuck_tasks import STALE_RUNNING_AFTER, SWEEP_GRACE, needing_a_new_task

logger = logging.getLogger(__name__)

__all__ = ["intake_level_changed", "max_attempts", "ping_worker", "retry_delay", "review_undone", "send", "sweep"]


LEVEL_ALERT_KINDS = {Level.URGENT: Alert.Kind.URGENT, Level.SERIOUS: Alert.Kind.SERIOUS}


def intake_level_changed(intake: Intake, *, previous_level: int | None, reopened: bool = False) -> Alert | None:
    """Queue the on-call alert when an intake has just become urgent or serious (not when it already was), and when
    new red flags took a reviewed one out of "reviewed" (`reopened`: a new round, alerted and escalated again)."""
    level = intake.level
    if level not in LEVEL_ALERT_KINDS:
        return None
    if previous_level is not None and previous_level <= level and not reopened:
        return None  # already at this level or a more urgent one, and not reviewed since: staff were told then.
    alert, created = Alert.objects.get_or_create(
        intake=intake,
        kind=LEVEL_ALERT_KINDS[Level(level)],
        round=intake.review_round,
        defaults={"next_attempt_at": timezone.now()},
    )
    if created:
        enqueue(alert)
    return alert


def review_undone(intake: Intake, *, was_reviewed: bool = True) -> int:
    """A review saved on the wrong patient was undone: the alerts of the intake's round that review cancelled (an
    escalation queued but not sent yet, an alert held back by a mail server that was down) are queued again. Sending
    decides afresh whether each is still news (`delivery`), and nobody gets one twice (`delivered_to`). The sweeper
    escalates the intake again as any unreviewed urgent intake of the round.

    The round's latest escalation sent before the undone review is sent to the lead again: they were told, then saw
    the intake reviewed and stood down; the sweeper makes no other for the same failed calls (one per attempt). Not
    when new red flags had reopened the intake before the undo (`was_reviewed` False): its current round was never
    marked reviewed, so its escalations reached the lead as they should have, and nobody stood down."""
    cancelled = Alert.objects.filter(intake=intake, round=intake.review_round, status=Alert.Status.CANCELLED)
    resumed = 0
    for alert in cancelled:
        Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.PENDING, next_attempt_at=timezone.now())
        enqueue(alert)
        resumed += 1
    escalations = Alert.objects.filter(intake=intake, round=intake.review_round, kind=Alert.Kind.ESCALATION)
    latest = escalations.order_by("-attempt").first()
    if was_reviewed and intake.level == Level.URGENT and latest is not None and latest.status == Alert.Status.SENT:
        Alert.objects.filter(pk=latest.pk).update(
            status=Alert.Status.PENDING, delivered_to=[], attempts=0, sent_at=None, next_attempt_at=timezone.now()
        )
        enqueue(latest)
        resumed += 1
    return resumed


def send(alert_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one alert now if it still needs sending (what the task runs); a failure queues the next try."""
    return delivery.send(alert_id, requeue=enqueue, now=now)


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-queue alerts whose task was lost or left running by a crashed worker, and queue due escalations.

    Safe to run as often as wanted, from several places: sending checks and locks the alert row itself. Once done, it
    records when it ran (the heartbeat the queue reads): a sweep that failed part-way records nothing.
    """
    now = now or timezone.now()
    escalated = _escalate_unreviewed_urgent(now) + _escalate_missed_call_backs(now)
    counts = {"requeued": _requeue_stuck(now), "escalated": escalated}
    _record_heartbeat(now)
    return counts


def _record_heartbeat(now: datetime.datetime) -> None:
    """One statement (an upsert), so two sweepers at once neither fail nor lock each other for long."""
    SweeperHeartbeat.objects.bulk_create(
        [SweeperHeartbeat(id=SweeperHeartbeat.ROW, swept_at=now)],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["swept_at"],
    )


def ping_worker(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queue a ping for the task worker unless the last one still waits for it (the sweeper, every run).

    A worker dead while no alert waits was seen only once an urgent intake's alert had sat unsent for two minutes;
    the queue now says so once a ping has waited WORKER_LATE_AFTER (alerts.models.WorkerHeartbeat). One ping task at a
    time: none is queued while the last waits or is being run, and the last one's finished task row is deleted as the
    next is queued, so neither waiting nor finished pings pile up. The row is locked meanwhile: two sweepers at once
    queue one ping between them.
    """
    now = now or timezone.now()
    WorkerHeartbeat.objects.bulk_create([WorkerHeartbeat(id=WorkerHeartbeat.ROW)], ignore_conflicts=True)
    with transaction.atomic():
        heartbeat = WorkerHeartbeat.objects.select_for_update().get(id=WorkerHeartbeat.ROW)
        last = _task_row(heartbeat.ping_task_id)
        if last is not None and _still_to_be_answered(last, now=now):
            return {"pinged": 0}
        if last is not None and last.status == TaskResultStatus.RUNNING:
            # Left running by a worker that died: marked failed as messaging.stuck_tasks does, not deleted, so that
            # worker, were it alive after all, could still record its end; prune_db_task_results deletes it later.
            DBTaskResult.objects.filter(pk=last.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
        elif last is not None:
            last.delete()  # answered, or failed: its row is of no more use
        # A ping lost, failed or left running was not answered: the worker's silence still counts from the first.
        WorkerHeartbeat.objects.filter(id=WorkerHeartbeat.ROW, waiting_since__isnull=True).update(waiting_since=now)
        result = answer_ping.enqueue()  # run at once by a backend without a queue: then it has answered already
        WorkerHeartbeat.objects.filter(id=WorkerHeartbeat.ROW).update(ping_task_id=str(result.id))
    return {"pinged": 1}


def _task_row(task_id: str) -> DBTaskResult[Any, Any] | None:
    """The ping's row in the database backend's task table; None when there is none (no ping yet, the row deleted,
    or a backend without a table, whose ids are not UUIDs)."""
    try:
        pk = uuid.UUID(task_id)
    except ValueError:
        return None
    return DBTaskResult.objects.filter(pk=pk).first()


def _still_to_be_answered(ping: DBTaskResult[Any, Any], *, now: datetime.datetime) -> bool:
    """Waiting for a worker, or being run by one right now (a ping takes milliseconds: messaging.stuck_tasks)."""
    if ping.status == TaskResultStatus.READY:
        return True
    started_at = ping.started_at
    return ping.status == TaskResultStatus.RUNNING and started_at is not None and started_at > now - STALE_RUNNING_AFTER


def _requeue_stuck(now: datetime.datetime) -> int:
    due = Alert.objects.filter(status=Alert.Status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    requeued = 0
    for alert in needing_a_new_task(due, now=now):
        with transaction.atomic():
            enqueue(alert)
            Alert.objects.filter(pk=alert.pk).update(next_attempt_at=now)
        logger.warning("Alert %s re-queued by the sweeper", alert.pk)
        requeued += 1
    return requeued


def _escalate_unreviewed_urgent(now: datetime.datetime) -> int:
    """Escalate an urgent intake of the current round left unreviewed ESCALATE_AFTER_MINUTES after its alert, and
    again that long after each failed call ("could not reach") that nobody followed with a review: the lead hears
    once per failed attempt, never on a timer alone. A failed call undone with a review (`ReviewNote.undone_at`,
    intake.services.review_undo: logged on the wrong patient's chart) was no call to this patient: not counted."""
    after = datetime.timedelta(minutes=settings.ESCALATE_AFTER_MINUTES)
    waiting = Alert.objects.filter(
        kind=Alert.Kind.URGENT, created_at__lte=now - after, intake__is_reviewed=False, round=F("intake__review_round")
    ).values_list("intake_id", "round", "created_at")
    escalated = 0
    for intake_id, round_, alerted_at in list(waiting):
        calls = list(
            ReviewNote.objects.filter(
                intake_id=intake_id,
                outcome=ReviewNote.Outcome.COULD_NOT_REACH,
                created_at__gt=alerted_at,
                undone_at__isnull=True,
            ).values_list("created_at", flat=True)
        )
        since = max(calls, default=alerted_at)
        if since > now - after:
            continue  # a call failed a moment ago: the clock starts again from it
        with transaction.atomic():
            alert, created = Alert.objects.get_or_create(
                intake_id=intake_id,
                kind=Alert.Kind.ESCALATION,
                round=round_,
                attempt=len(calls),
                defaults={"next_attempt_at": now},
            )
            if created:
                enqueue(alert)
                escalated += 1
    return escalated


def _escalate_missed_call_backs(now: datetime.datetime) -> int:
    """Tell the lead once when the call-back a serious intake's receipt promised (`Intake.call_back_by`) is due and no
    review has answered it since the intake was sent: the patient was told a clinician would call by then (and to
    call the clinic if nobody had). Failed calls ("could not reach") leave the intake unreviewed, so they do not stop
    it; the e-mail says how many there were. An intake urgent since sending is not told of again as serious: its
    urgent alert and escalations ask for the call now (review of the stop-31 commits)."""
    flag_recent_reviews_before_sending(now)  # before the look-up below reads through the flag
    due = (
        Intake.objects.filter(
            # No review since sending (intake.call_backs.promised_call): a review before it answered no promise. Each
            # branch is a range of a partial index (`intake_call_back_waiting`, `intake_call_back_early_review`):
            # the whole history is never read (review of the stop-32 commits). The stored flag is what lets the
            # planner see how few the reviewed branch holds (intake 0025); the times still decide.
            Q(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=F("submitted_at")), is_reviewed=False)
            | Q(is_reviewed=True, last_review_before_sending=True, reviewed_at__lt=F("submitted_at")),
            call_back_by__lte=now,
            submitted_at__isnull=False,
        )
        .exclude(level=Level.URGENT)
        .exclude(
            Exists(
                Alert.objects.filter(intake=OuterRef("pk"), kind=Alert.Kind.CALL_BACK, round=OuterRef("review_round"))
            )
        )
    )
    escalated = 0
    for intake_id, round_, submitted_at in list(due.values_list("pk", "review_round", "submitted_at")):
        calls = ReviewNote.objects.filter(
            intake_id=intake_id,
            outcome=ReviewNote.Outcome.COULD_NOT_REACH,
            created_at__gt=submitted_at,
            undone_at__isnull=True,
        ).count()
        with transaction.atomic():
            alert, created = Alert.objects.get_or_create(
                intake_id=intake_id,
                kind=Alert.Kind.CALL_BACK,
                round=round_,
                attempt=calls,
                defaults={"next_attempt_at": now},
            )
            if created:
                enqueue(alert)
                escalated += 1
    return escalated
