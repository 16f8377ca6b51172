"""The message task (django-tasks, database backend), run by `manage.py db_worker`. Its only argument is the row id."""

from __future__ import annotations

import datetime

from django_tasks import task

from messaging import delivery
from messaging.models import OutboundMessage


class SendFailed(Exception):
    """Raised in place of an unexpected error (a database one), carrying only its class name.

    The task result table keeps a failed task's traceback text, and an exception's message can quote an address or
    patient data. The message row stays pending, so the sweeper queues it again.
    """


@task()
def send_message(message_id: int) -> str:
    """What to send, and whether it was sent already, is read from the OutboundMessage row."""
    try:
        return delivery.send(message_id, requeue=enqueue)
    except Exception as error:
        raise SendFailed(type(error).__name__) from None


def enqueue(message: OutboundMessage, *, run_after: datetime.datetime | None = None) -> None:
    """Queue the message's task (now, or at `run_after` for a retry) and remember its id for the sweeper."""
    if run_after is not None and not send_message.get_backend().supports_defer:
        # A backend that cannot wait (the tests' immediate one): the sweeper queues the retry once it is due.
        return
    queued = send_message.using(run_after=run_after) if run_after else send_message
    result = queued.enqueue(message.pk)
    OutboundMessage.objects.filter(pk=message.pk).update(task_id=str(result.id))
    message.task_id = str(result.id)
