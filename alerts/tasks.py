"""Background tasks (django-tasks, database backend). Run them with `manage.py db_worker`."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from alerts import delivery
from alerts.models import Alert, WorkerHeartbeat
from messaging.tasks import error_class_only


@task()
@error_class_only  # the task table keeps a failed task's error text: only the class name (the sweeper re-queues it)
def send_alert(alert_id: int) -> str:
    """Carries only the alert's id: what to send, and whether it was sent already, is read from the Alert row."""
    return delivery.send(alert_id, requeue=enqueue)


@task()
@error_class_only
def answer_ping() -> str:
    """The worker's answer to the sweeper's ping (alerts.services.ping_worker): it runs, so alerts can be sent.

    Queued like an alert (same queue, same priority), so it answers whether an alert queued now would go out."""
    WorkerHeartbeat.objects.filter(id=WorkerHeartbeat.ROW).update(waiting_since=None, answered_at=timezone.now())
    return "answered"


def enqueue(alert: Alert, *, run_after: datetime.datetime | None = None) -> None:
    """Queue the alert's task (now, or at `run_after` for a retry) and remember its id for the sweeper."""
    if run_after is not None and not send_alert.get_backend().supports_defer:
        # A backend that cannot wait (the tests' immediate one): the sweeper queues the retry once it is due.
        return
    queued = send_alert.using(run_after=run_after) if run_after else send_alert
    result = queued.enqueue(alert.pk)
    Alert.objects.filter(pk=alert.pk).update(task_id=str(result.id))
    alert.task_id = str(result.id)
