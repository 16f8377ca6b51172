"""Each sweeper run asks the task worker to answer a tiny task (a ping), so a worker that died while no alert waits
is seen before an urgent intake's alert sits unsent (alerts.models.WorkerHeartbeat; the queue's notice:
tests/dashboard/test_queue.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from alerts import services
from alerts.management.commands import alerts_sweep
from alerts.models import SweeperHeartbeat, WorkerHeartbeat
from alerts.tasks import answer_ping

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


def pings() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=answer_ping.module_path))


def answer_waiting_pings() -> None:
    """What `db_worker` does with the ping, in-process."""
    for result in DBTaskResult.objects.ready().filter(task_path=answer_ping.module_path):
        result.claim("test-worker")
        result.set_successful(result.task.call())


def test_a_sweep_queues_one_ping_and_no_second_while_it_waits():
    start = timezone.now()
    services.ping_worker(now=start)
    services.ping_worker(now=start + MINUTE)
    services.ping_worker(now=start + 2 * MINUTE)
    [ping] = pings()
    assert ping.status == TaskResultStatus.READY
    assert WorkerHeartbeat.objects.get().waiting_since == start  # the worker is silent since the first one


def test_the_worker_answering_records_when_and_the_answered_ping_does_not_pile_up():
    start = timezone.now()
    for minute in range(5):
        services.ping_worker(now=start + minute * MINUTE)
        answer_waiting_pings()
        heartbeat = WorkerHeartbeat.objects.get()
        assert heartbeat.waiting_since is None
        assert heartbeat.answered_at is not None
        assert len(pings()) == 1  # the answered one goes when the next is queued: not a task row a minute
    services.ping_worker(now=start + 5 * MINUTE)
    [ping] = pings()
    assert ping.status == TaskResultStatus.READY
    assert WorkerHeartbeat.objects.get().waiting_since == start + 5 * MINUTE


@pytest.mark.parametrize("status", [TaskResultStatus.FAILED, "lost", TaskResultStatus.RUNNING])
def test_a_ping_that_failed_was_lost_or_was_left_running_is_queued_again_and_the_silence_still_counts(status):
    """Replaced, so a worker that restarted answers the next; the clock still runs from the first unanswered ping."""
    start = timezone.now()
    services.ping_worker(now=start)
    [ping] = pings()
    if status == "lost":
        ping.delete()
    else:
        DBTaskResult.objects.filter(pk=ping.pk).update(status=status, started_at=start)
    services.ping_worker(now=start + 5 * MINUTE)
    [again] = DBTaskResult.objects.filter(task_path=answer_ping.module_path, status=TaskResultStatus.READY)
    assert again.pk != ping.pk
    assert WorkerHeartbeat.objects.get().waiting_since == start
    # One left running by a dead worker is marked failed, not deleted under a worker that might yet finish it.
    left = {TaskResultStatus.RUNNING: [TaskResultStatus.FAILED]}.get(status, [])
    assert [p.status for p in pings() if p.pk == ping.pk] == left


def test_with_a_backend_that_runs_tasks_at_once_the_ping_is_answered_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    start = timezone.now()
    services.ping_worker(now=start)
    services.ping_worker(now=start + MINUTE)
    assert WorkerHeartbeat.objects.get().waiting_since is None


def test_a_ping_being_answered_right_now_is_left_alone():
    start = timezone.now()
    services.ping_worker(now=start)
    [ping] = pings()
    DBTaskResult.objects.filter(pk=ping.pk).update(status=TaskResultStatus.RUNNING, started_at=start)
    services.ping_worker(now=start + MINUTE)
    assert [p.pk for p in pings()] == [ping.pk]


def test_the_sweep_command_pings_the_worker_and_stays_quiet_about_it(capsys):
    before = timezone.now()
    call_command("alerts_sweep")
    assert len(pings()) == 1
    waiting_since = WorkerHeartbeat.objects.get().waiting_since
    assert waiting_since is not None
    assert waiting_since >= before
    assert capsys.readouterr().out == ""  # cron mails what a run prints: not a line a minute


def test_a_ping_that_cannot_be_queued_does_not_stop_the_escalations(monkeypatch):
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the ping could not be queued")

    monkeypatch.setattr(services, "ping_worker", broken)
    monkeypatch.setattr(alerts_sweep, "close_old_connections", lambda: None)  # the test's own connection
    with pytest.raises(CommandError, match="the worker sweep failed"):
        call_command("alerts_sweep")
    assert SweeperHeartbeat.objects.exists()  # escalations were checked, and the queue hears it
