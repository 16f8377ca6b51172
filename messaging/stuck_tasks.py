"""Which queued rows lost their task: the one piece of sweeping that alerts and messages share.

django-tasks-db's worker has no retries, and a worker killed mid-task leaves the task RUNNING for ever
(django-tasks issue #46; docs/PITFALLS.md). A row that is still due (alert or message) needs its task queued again
when that task is missing, finished, failed, or RUNNING for longer than any send can take.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol, TypeVar

# A queued task older than this without running means the worker is down or the task was lost.
SWEEP_GRACE = datetime.timedelta(minutes=1)
# A send takes at most EMAIL_TIMEOUT (10 s); a task still "running" after this was left by a crashed worker.
STALE_RUNNING_AFTER = datetime.timedelta(minutes=2)


class Queued(Protocol):
    task_id: str


Row = TypeVar("Row", bound=Queued)


def needing_a_new_task(rows: Iterable[Row], *, now: datetime.datetime) -> list[Row]:
    """The rows whose task is lost or dead; a task left RUNNING by a dead worker is marked FAILED on the way."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = list(rows)
    tasks = {str(t.id): t for t in DBTaskResult.objects.filter(id__in=[row.task_id for row in rows if row.task_id])}
    stuck = []
    for row in rows:
        task = tasks.get(row.task_id)
        if task is not None and task.status == TaskResultStatus.READY:
            continue  # waiting for a worker; a second copy would not make it go faster.
        if task is not None and task.status == TaskResultStatus.RUNNING:
            if task.started_at and task.started_at > now - STALE_RUNNING_AFTER:
                continue  # being sent right now.
            DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
        stuck.append(row)
    return stuck
