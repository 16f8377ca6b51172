"""Messages: queueing one, sending one now, sweeping lost ones, forgetting those about removed rows.

Imports point one way: services -> tasks -> delivery. `queue` writes the row and its task row in the caller's
transaction (the task backend is the database), so either the invitation (say), its message and the task all exist,
or none of them do.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from messaging import channels, delivery, registry
from messaging.delivery import max_attempts, retry_delay
from messaging.models import OutboundMessage, TextOptOut
from messaging.stuck_tasks import SWEEP_GRACE, needing_a_new_task
from messaging.tasks import enqueue

logger = logging.getLogger(__name__)

__all__ = ["forget", "forget_all", "forget_opt_outs", "max_attempts", "queue", "retry_delay", "send", "sweep"]


def queue(
    kind: str,
    about_id: int,
    recipients: Iterable[str],
    *,
    sealed_token: str = "",
    replace_pending: bool = False,
    now: datetime.datetime | None = None,
    channel: str = channels.EMAIL,
) -> OutboundMessage:
    """Record a message and queue its task. `replace_pending` cancels the earlier unsent ones of the same kind about
    the same row on the same channel (an invitation's old link stopped working when a new one was made). `channel`:
    e-mail, or a text message to phone numbers in E.164 form (`messaging.channels`)."""
    now = now or timezone.now()
    recipients = list(recipients)
    if channel not in (channels.EMAIL, channels.SMS):
        raise ValueError(f"unknown channel {channel!r}")
    if channel == channels.SMS and not all(re.fullmatch(channels.E164, number) for number in recipients):
        # Never retried: a number in the wrong form would fail every time. The message says nothing of the number.
        raise ValueError("a text message goes to phone numbers in E.164 form, like +15550100100")
    with transaction.atomic():
        if replace_pending:
            replaced = OutboundMessage.objects.filter(
                kind=kind, about_id=about_id, channel=channel, status=OutboundMessage.Status.PENDING
            )
            if registry.has_settled_hook(kind):
                registry.lock_for_settling(kind, about_id)  # before the messages: registry's lock order
                for earlier in replaced.select_for_update():
                    registry.settled(earlier, sent=False)
            replaced.update(status=OutboundMessage.Status.CANCELLED, sealed_token="")
        message = OutboundMessage.objects.create(
            kind=kind,
            about_id=about_id,
            channel=channel,
            recipients=recipients,
            sealed_token=sealed_token,
            next_attempt_at=now,
        )
        enqueue(message)
    return message


def send(message_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one message now if it still needs sending (what the task runs); a failure queues the next try."""
    return delivery.send(message_id, requeue=enqueue, now=now)


def forget(kinds: Iterable[str], about_ids: Iterable[int]) -> int:
    """Delete the messages of these kinds about these rows (the rows were deleted: their addresses go too)."""
    return forget_all([(kinds, list(about_ids))])


def forget_all(about: Iterable[tuple[Iterable[str], Iterable[int] | QuerySet[Any]]]) -> int:
    """`forget` for several kinds and rows at once: each pair is kinds and the ids of the rows they are about (a list,
    or a subquery selecting them), one statement each, whatever the number of rows. (Not one statement for all: OR'd
    together they read the whole table, 160 ms at a million messages, where each alone is an index look-up.)"""
    deleted = 0
    for kinds, about_ids in about:
        ids = about_ids if isinstance(about_ids, QuerySet) else list(about_ids)
        deleted += OutboundMessage.objects.filter(kind__in=list(kinds), about_id__in=ids).delete()[0]
    return deleted


def forget_opt_outs(numbers: Iterable[str]) -> int:
    """Delete the "no texts" rows of these numbers (no patient record has them any more: intake.retention). Nothing is
    texted to a number on no record; should one come back, the provider still holds the STOP, refuses the text, and
    that records the number again (delivery)."""
    deleted, _ = TextOptOut.objects.filter(number__in=list(numbers)).delete()
    return deleted


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-queue messages whose task was lost, failed outside the send, or was left running by a crashed worker.

    Safe to run as often as wanted, from several places: sending checks and locks the message row itself.
    """
    now = now or timezone.now()
    due = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    requeued = 0
    for message in needing_a_new_task(due, now=now):
        with transaction.atomic():
            enqueue(message)
            OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=now)
        logger.warning("Message %s (%s) re-queued by the sweeper", message.pk, message.kind)
        requeued += 1
    return {"requeued": requeued}
