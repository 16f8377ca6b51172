"""Sending one message: at most once, retried with backoff when the mail server fails (as `alerts.delivery` does).

Delivery is at-least-once towards the mail server and exactly-once as far as our records go: the send happens while
the message row is locked and `sent_at` is committed right after; a crash in the gap of a few milliseconds between the
mail server accepting the message and our commit is the only way to get a second copy.

What goes wrong is recorded as an exception class name only (an SMTP refusal's text quotes the address). This module
does not queue anything itself: the caller passes `requeue` (the task module's `enqueue`), so the task module can
import this one without a circle.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging import channels, registry, sms
from messaging.models import OutboundMessage, TextOptOut

logger = logging.getLogger(__name__)

Requeue = Callable[..., None]

# Seconds to wait before each retry: quick at first (a mail server blip), then backing off to every 30 minutes.
# Settings MESSAGE_RETRY_DELAYS and MESSAGE_MAX_ATTEMPTS override them (the mail outage test makes them short).
RETRY_DELAYS: tuple[float, ...] = (30, 60, 120, 300, 600, 1800)
MAX_ATTEMPTS = 12


class NoRecipients(RuntimeError):
    """Nobody to send to (an empty FRONT_DESK_EMAILS): retried, as a configuration may be fixed in time."""


def retry_delays() -> tuple[float, ...]:
    return tuple(getattr(settings, "MESSAGE_RETRY_DELAYS", None) or RETRY_DELAYS)


def max_attempts() -> int:
    return int(getattr(settings, "MESSAGE_MAX_ATTEMPTS", None) or MAX_ATTEMPTS)


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt (1-based)."""
    delays = retry_delays()
    return datetime.timedelta(seconds=delays[min(max(attempts, 1), len(delays)) - 1])


def send(message_id: int, *, requeue: Requeue, now: datetime.datetime | None = None) -> str:
    """Send one message if it still needs sending; on failure schedule the next try. Returns what happened."""
    with transaction.atomic():
        # The rows its settling writes (a reminder's invitation) are locked before the message row: the order of every
        # other transaction that locks both (registry: lock order). Its kind and row never change: read unlocked.
        about = OutboundMessage.objects.filter(pk=message_id).values_list("kind", "about_id").first()
        if about is None:
            return "missing"
        registry.lock_for_settling(*about)
        message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.status != OutboundMessage.Status.PENDING:
            return str(message.status)
        now = now or timezone.now()
        message.attempts += 1
        try:
            if not message.recipients:
                raise NoRecipients
            # A savepoint: a database error while rendering must not stop us recording this attempt.
            with transaction.atomic():
                rendered = registry.render(message)
            if rendered is not None:
                # A text goes only to numbers that have not asked for none (a message no longer needed is cancelled
                # first, whatever its numbers: review of the stop-32 commits).
                recipients = _not_opted_out(message) if message.channel == channels.SMS else list(message.recipients)
                channels.send(message, rendered, recipients)  # e-mail or text message, by the row's channel
        except sms.RecipientOptedOut as refused:
            return _opted_out(message, refused, now=now)
        except Exception as error:
            return _attempt_failed(message, error, requeue=requeue, now=now)
        registry.settled(message, sent=rendered is not None)  # before its sealed token goes
        message.last_error = ""
        message.sealed_token = ""
        if rendered is None:
            message.status = OutboundMessage.Status.CANCELLED
            logger.info("Message %s (%s) not needed any more", message.pk, message.kind)
        else:
            message.status = OutboundMessage.Status.SENT
            message.sent_at = now
            logger.info("Message %s (%s) sent", message.pk, message.kind)
        message.save(update_fields=["attempts", "status", "sent_at", "last_error", "sealed_token"])
        return str(message.status)


def _not_opted_out(message: OutboundMessage) -> list[str]:
    """The text's numbers that have not asked for no texts (one queued before its number was known to refuse texts
    is not sent to it); raises RecipientOptedOut when none is left."""
    refused = set(TextOptOut.objects.filter(number__in=message.recipients).values_list("number", flat=True))
    allowed = [number for number in message.recipients if number not in refused]
    if not allowed:
        raise sms.RecipientOptedOut(sorted(refused))
    return allowed


def _opted_out(message: OutboundMessage, refused: sms.RecipientOptedOut, *, now: datetime.datetime) -> str:
    """The recipient asked for no texts: never retried (each try would be refused, and texting them again is what
    they asked us not to do); the numbers are kept so that nothing more is queued to them."""
    for number in refused.numbers or message.recipients:
        TextOptOut.objects.get_or_create(number=number, defaults={"at": now})
    registry.settled(message, sent=False)
    message.status = OutboundMessage.Status.FAILED
    message.last_error = type(refused).__name__
    message.sealed_token = ""
    message.save(update_fields=["attempts", "status", "last_error", "sealed_token"])
    logger.info("Message %s (%s) not sent: the recipient asked for no text messages", message.pk, message.kind)
    return str(message.status)


def _attempt_failed(message: OutboundMessage, error: Exception, *, requeue: Requeue, now: datetime.datetime) -> str:
    message.last_error = type(error).__name__
    if message.attempts >= max_attempts():
        registry.settled(message, sent=False)
        message.status = OutboundMessage.Status.FAILED
        message.sealed_token = ""
        logger.error(
            "Message %s (%s) gave up after %s attempts (%s)",
            message.pk,
            message.kind,
            message.attempts,
            message.last_error,
        )
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        requeue(message, run_after=message.next_attempt_at)
        logger.warning(
            "Message %s (%s) attempt %s failed (%s); retry queued",
            message.pk,
            message.kind,
            message.attempts,
            message.last_error,
        )
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "sealed_token"])
    return "retry" if message.status == OutboundMessage.Status.PENDING else str(message.status)
