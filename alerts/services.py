"""Staff alerts for urgent and serious intakes: queueing, sending once, retrying, sweeping and escalating.

Contract for the intake side: call `intake_level_changed(intake, previous_level=...)` inside the same transaction
that saved the intake's new level. The alert row and its task row are written in that transaction (the task backend
is the database), so either the intake, its alert and the task all exist, or none of them do.

Delivery is at-least-once towards the mail server and exactly-once as far as our records go: the send happens while
the alert row is locked and `sent_at` is committed right after; a crash in the gap of a few milliseconds between the
mail server accepting the message and our commit is the only way to get a second copy.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from intake.models import Intake, Level

logger = logging.getLogger(__name__)

# Seconds to wait before each retry: quick at first (a mail server blip), then backing off to every 30 minutes.
RETRY_DELAYS = (30, 60, 120, 300, 600, 1800)
MAX_ATTEMPTS = 12
# A queued task older than this without running means the worker is down or the task was lost.
SWEEP_GRACE = datetime.timedelta(minutes=1)
# A send takes at most EMAIL_TIMEOUT (10 s); a task still "running" after this was left by a crashed worker.
STALE_RUNNING_AFTER = datetime.timedelta(minutes=2)

LEVEL_ALERT_KINDS = {Level.URGENT: Alert.Kind.URGENT, Level.SERIOUS: Alert.Kind.SERIOUS}


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt (1-based)."""
    return datetime.timedelta(seconds=RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1])


def intake_level_changed(intake: Intake, *, previous_level: int | None) -> Alert | None:
    """Queue the on-call alert when an intake has just become urgent or serious (not when it already was)."""
    level = intake.level
    if level not in LEVEL_ALERT_KINDS:
        return None
    if previous_level is not None and previous_level <= level:
        return None  # already at this level or a more urgent one: staff were told then.
    alert, created = Alert.objects.get_or_create(
        intake=intake, kind=LEVEL_ALERT_KINDS[Level(level)], defaults={"next_attempt_at": timezone.now()}
    )
    if created:
        _enqueue(alert)
    return alert


def _enqueue(alert: Alert, *, run_after: datetime.datetime | None = None) -> None:
    from alerts.tasks import send_alert

    task = send_alert.using(run_after=run_after) if run_after else send_alert
    result = task.enqueue(alert.pk)
    Alert.objects.filter(pk=alert.pk).update(task_id=str(result.id))
    alert.task_id = str(result.id)


def recipients_for(kind: str) -> list[str]:
    return list(settings.ESCALATION_EMAILS if kind == Alert.Kind.ESCALATION else settings.ALERT_EMAILS)


def message_for(alert: Alert) -> tuple[str, str]:
    """Subject and body. No patient data: only the level and a link that needs a clinician's sign-in."""
    link = settings.SITE_URL + reverse("dashboard:intake", args=[alert.intake_id])
    context = {"alert": alert, "link": link, "minutes": settings.ESCALATE_AFTER_MINUTES}
    subject = render_to_string("alerts/subject.txt", context).strip()
    body = render_to_string("alerts/body.txt", context)
    return " ".join(subject.split()), body


def send(alert_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one alert if it still needs sending; on failure schedule the next try. Returns what happened."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("intake").filter(pk=alert_id).first()
        if alert is None:
            return "missing"
        if alert.status != Alert.Status.PENDING:
            return alert.status
        now = now or timezone.now()
        if alert.kind == Alert.Kind.ESCALATION and alert.intake.is_reviewed:
            alert.status = Alert.Status.CANCELLED
            alert.save(update_fields=["status"])
            return alert.status
        recipients = recipients_for(alert.kind)
        alert.attempts += 1
        try:
            if not recipients:
                raise RuntimeError("No recipients configured")
            subject, body = message_for(alert)
            send_mail(subject, body, None, recipients)
        except Exception as error:
            alert.last_error = type(error).__name__
            if alert.attempts >= MAX_ATTEMPTS:
                alert.status = Alert.Status.FAILED
                logger.error("Alert %s gave up after %s attempts (%s)", alert.pk, alert.attempts, alert.last_error)
            else:
                alert.next_attempt_at = now + retry_delay(alert.attempts)
                _enqueue(alert, run_after=alert.next_attempt_at)
                logger.warning(
                    "Alert %s attempt %s failed (%s); retry queued", alert.pk, alert.attempts, alert.last_error
                )
            alert.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return "retry" if alert.status == Alert.Status.PENDING else alert.status
        alert.status = Alert.Status.SENT
        alert.sent_at = now
        alert.last_error = ""
        alert.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        logger.info("Alert %s (%s) sent", alert.pk, alert.kind)
        return alert.status


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-queue alerts whose task was lost or left running by a crashed worker, and queue due escalations.

    Safe to run as often as wanted, from several places: sending checks and locks the alert row itself.
    """
    now = now or timezone.now()
    return {"requeued": _requeue_stuck(now), "escalated": _escalate_unreviewed_urgent(now)}


def _requeue_stuck(now: datetime.datetime) -> int:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    due = list(Alert.objects.filter(status=Alert.Status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE))
    tasks = {str(t.id): t for t in DBTaskResult.objects.filter(id__in=[a.task_id for a in due if a.task_id])}
    requeued = 0
    for alert in due:
        task = tasks.get(alert.task_id)
        if task is not None and task.status == TaskResultStatus.READY:
            continue  # waiting for a worker; a second copy would not make it go faster.
        if task is not None and task.status == TaskResultStatus.RUNNING:
            if task.started_at and task.started_at > now - STALE_RUNNING_AFTER:
                continue  # being sent right now.
            # Left behind by a worker that died mid-task (django-tasks issue #46): mark it, so it is not "running".
            DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
        with transaction.atomic():
            _enqueue(alert)
            Alert.objects.filter(pk=alert.pk).update(next_attempt_at=now)
        logger.warning("Alert %s re-queued by the sweeper", alert.pk)
        requeued += 1
    return requeued


def _escalate_unreviewed_urgent(now: datetime.datetime) -> int:
    cutoff = now - datetime.timedelta(minutes=settings.ESCALATE_AFTER_MINUTES)
    already = Alert.objects.filter(intake=OuterRef("intake"), kind=Alert.Kind.ESCALATION)
    waiting = (
        Alert.objects.filter(kind=Alert.Kind.URGENT, created_at__lte=cutoff, intake__is_reviewed=False)
        .exclude(Exists(already))
        .values_list("intake_id", flat=True)
    )
    escalated = 0
    for intake_id in list(waiting):
        with transaction.atomic():
            alert, created = Alert.objects.get_or_create(
                intake_id=intake_id, kind=Alert.Kind.ESCALATION, defaults={"next_attempt_at": now}
            )
            if created:
                _enqueue(alert)
                escalated += 1
    return escalated
