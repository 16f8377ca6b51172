"""The message task (django-tasks, database backend), run by `manage.py db_worker`. Its only argument is the row id."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django_tasks import task

from messaging import delivery
from messaging.models import OutboundMessage

P = ParamSpec("P")
R = TypeVar("R")


class SendFailed(Exception):
    """Raised in place of an unexpected error (a database one), carrying only its class name.

    The task result table keeps a failed task's traceback text, and an exception's message can quote an address or
    patient data. The message row stays pending, so the sweeper queues it again.
    """


def error_class_only(function: Callable[P, R]) -> Callable[P, R]:
    """A task's function that fails with `SendFailed` naming only the error's class: every task that sends (its error
    can quote an address, a name, a row's values), under `@task()`."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            raise SendFailed(type(error).__name__) from None

    return run


@task()
@error_class_only
def send_message(message_id: int) -> str:
    """What to send, and whether it was sent already, is read from the OutboundMessage row."""
    return delivery.send(message_id, requeue=enqueue)


def enqueue(message: OutboundMessage, *, run_after: datetime.datetime | None = None) -> None:
    """Queue the message's task (now, or at `run_after` for a retry) and remember its id for the sweeper."""
    if run_after is not None and not send_message.get_backend().supports_defer:
        # A backend that cannot wait (the tests' immediate one): the sweeper queues the retry once it is due.
        return
    queued = send_message.using(run_after=run_after) if run_after else send_message
    result = queued.enqueue(message.pk)
    OutboundMessage.objects.filter(pk=message.pk).update(task_id=str(result.id))
    message.task_id = str(result.id)
