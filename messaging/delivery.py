"""Sending one message: at least once, retried with backoff when the mail server fails (as `alerts.delivery` does).

No row stays locked while the mail server takes a message (EMAIL_TIMEOUT, 10 s, at most): staff's new link cancels
the e-mail with the old one (`services.queue`, `replace_pending`) and waited for it past the 4 s statement timeout, a
"portal busy" page (clinic_portal.errors). A send is three steps:

1. Claim, in a short transaction with the row locked: still pending and no other attempt's claim younger than
   `CLAIM_LEASE`, the attempt is counted, the message rendered (None: not needed, cancelled here) and the row
   marked with this attempt's `claim` token. A second worker (a duplicated task, the sweeper's) finds it claimed and
   leaves it ("sending").
2. Hand it to the mail server, outside any transaction.
3. Record the outcome, in a second short transaction, only if the row still carries this attempt's claim: sent
   (its owner told, then its sealed token emptied: a reminder's link becomes the patient's if it is still the one
   waiting), or the failure with its retry (marked `may_have_arrived`, with the attempt's time, unless it was a
   refusal before the message could be taken: `channels.may_have_arrived`; its owner is told when it settles). A
   message replaced meanwhile (cancelled by a new link, its token emptied at once) is recorded as sent when it
   went: it did reach the mail server, and its link no longer opens.
   One deleted meanwhile (its invitation removed; a reminder for the old date of a moved visit, which the move
   recorded as not confirmed: ``intake.services.invitations``) has nothing left to record, so whether it arrived is
   never known.

Both transactions lock the rows the owner's settled callback writes before the message row (registry: lock order),
and neither is held while the mail server takes the message. Between them the message is pending with a claim:
"being sent". Staff's changes meanwhile see it so: a new link or a cancel leaves it to go (a new link ends its link
first), a move that deletes a reminder records it as not confirmed (it may or may not arrive).

A worker that dies between 2 and 3 leaves the claim; once the lease has passed, the sweeper's task claims the message
again and sends it a second time. That is the one way to get two copies, and the right way round for the clinic: a
link e-mailed twice beats a link never e-mailed.

What goes wrong is recorded as an exception class name only (an SMTP refusal's text quotes the address). This module
does not queue anything itself: the caller passes `requeue` (the task module's `enqueue`), so the task module can
import this one without a circle.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging import channels, registry, sms
from messaging.models import OutboundMessage, TextOptOut
from messaging.stuck_tasks import STALE_RUNNING_AFTER

logger = logging.getLogger(__name__)

Requeue = Callable[..., None]

# Seconds to wait before each retry: quick at first (a mail server blip), then backing off to every 30 minutes.
# Settings MESSAGE_RETRY_DELAYS and MESSAGE_MAX_ATTEMPTS override them (the mail outage test makes them short).
RETRY_DELAYS: tuple[float, ...] = (30, 60, 120, 300, 600, 1800)
MAX_ATTEMPTS = 12
# How long a claimed message is left to the attempt sending it: longer than any send takes (EMAIL_TIMEOUT per exchange
# with the mail server), as long as the sweeper waits before it takes a running task for dead.
CLAIM_LEASE = STALE_RUNNING_AFTER


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
    """Send one message if it still needs sending; on failure schedule the next try. Returns what happened: "sent",
    "retry", "failed", "cancelled", "missing", or "sending" (another attempt has it; module docstring)."""
    # The rows its settling writes (a reminder's invitation) are locked before the message row, in both transactions:
    # the order of every other transaction that locks both (registry: lock order). Its kind and row never change.
    about = OutboundMessage.objects.filter(pk=message_id).values_list("kind", "about_id").first()
    if about is None:
        return "missing"
    claimed = _claim(message_id, about, requeue=requeue, now=now)
    if isinstance(claimed, str):
        return claimed
    try:
        channels.send(claimed.message, claimed.rendered, claimed.recipients)  # no transaction, no row lock
    except Exception as error:
        return _record(claimed.message, about, error, requeue=requeue, now=now)
    return _record(claimed.message, about, None, requeue=requeue, now=now)


@dataclass(frozen=True)
class Claimed:
    message: OutboundMessage
    rendered: registry.Rendered
    recipients: list[str]


def _claim(
    message_id: int, about: tuple[str, int], *, requeue: Requeue, now: datetime.datetime | None
) -> Claimed | str:
    """Step 1 (module docstring): the message, what it says and to whom, claimed for this attempt; or what became of
    it when there is nothing to send (not pending, claimed by another attempt, not needed, no recipients)."""
    with transaction.atomic():
        registry.lock_for_settling(*about)
        message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.status != OutboundMessage.Status.PENDING:
            return str(message.status)
        now = now or timezone.now()
        if message.claimed_at is not None and message.claimed_at > now - CLAIM_LEASE:
            return "sending"
        message.attempts += 1
        try:
            if not message.recipients:
                raise NoRecipients
            with transaction.atomic():  # a database error while rendering must not stop us recording this attempt
                rendered = registry.render(message)
            recipients: list[str] = []
            if rendered is not None:
                # A text goes only to numbers that have not asked for none (a message no longer needed is cancelled
                # first, whatever its numbers: review of the stop-32 commits).
                recipients = _not_opted_out(message) if message.channel == channels.SMS else list(message.recipients)
        except sms.RecipientOptedOut as refused:
            return _opted_out(message, refused, now=now)
        except Exception as error:
            return _attempt_failed(message, error, requeue=requeue, now=now)
        if rendered is None:
            registry.settled(message, sent=False)  # before its sealed token goes
            message.status = OutboundMessage.Status.CANCELLED
            message.sealed_token = ""
            message.last_error = ""
            message.claim, message.claimed_at = "", None
            message.save(update_fields=["attempts", "status", "sealed_token", "last_error", "claim", "claimed_at"])
            logger.info("Message %s (%s) not needed any more", message.pk, message.kind)
            return str(message.status)
        message.claim, message.claimed_at = uuid.uuid4().hex, now
        message.save(update_fields=["attempts", "claim", "claimed_at"])
    return Claimed(message, rendered, recipients)


def _record(
    claimed: OutboundMessage,
    about: tuple[str, int],
    error: Exception | None,
    *,
    requeue: Requeue,
    now: datetime.datetime | None,
) -> str:
    """Step 3 (module docstring): the outcome of the attempt that claimed the message, if the row is still its own."""
    with transaction.atomic():
        registry.lock_for_settling(*about)
        message = OutboundMessage.objects.select_for_update().filter(pk=claimed.pk, claim=claimed.claim).first()
        if message is None:
            # Deleted meanwhile (its invitation removed), or the lease passed and another attempt took it over: that
            # one records it.
            logger.info("Message %s (%s) no longer this attempt's to record", claimed.pk, claimed.kind)
            return "missing"
        now = now or timezone.now()
        message.claim, message.claimed_at = "", None
        replaced = message.status != OutboundMessage.Status.PENDING  # a new link cancelled it while it was sent
        if error is not None and replaced:  # nothing more to try: its link stopped working
            if isinstance(error, sms.RecipientOptedOut):
                _remember_opt_outs(message, error, now=now)
            message.last_error = type(error).__name__
            message.save(update_fields=["last_error", "claim", "claimed_at"])
            return str(message.status)
        if isinstance(error, sms.RecipientOptedOut):
            return _opted_out(message, error, now=now)
        if error is not None:
            # Its owner told when it settles: a reminder's link may be in the patient's hands (the mail server took
            # the message and its answer never came), though every later attempt fails.
            if not message.may_have_arrived and channels.may_have_arrived(error):
                message.may_have_arrived, message.may_have_arrived_at = True, claimed.claimed_at or now
            return _attempt_failed(message, error, requeue=requeue, now=now)
        # A replaced one's token is gone already: its owner dropped its link when it was replaced.
        registry.settled(message, sent=True)  # before its sealed token goes
        message.status = OutboundMessage.Status.SENT
        # When it was handed over, give or take the send's seconds: a change staff made meanwhile (a new link) comes
        # after it, as the invitation's page orders them (intake.selectors.live_link).
        message.sent_at = claimed.claimed_at or now
        message.last_error = ""
        message.sealed_token = ""
        message.save(update_fields=["status", "sent_at", "last_error", "sealed_token", "claim", "claimed_at"])
        if replaced:
            logger.info("Message %s (%s) sent; a newer one replaced it meanwhile", message.pk, message.kind)
        else:
            logger.info("Message %s (%s) sent", message.pk, message.kind)
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
    _remember_opt_outs(message, refused, now=now)
    registry.settled(message, sent=False)
    message.status = OutboundMessage.Status.FAILED
    message.last_error = type(refused).__name__
    message.sealed_token = ""
    message.claim, message.claimed_at = "", None
    message.save(update_fields=["attempts", "status", "last_error", "sealed_token", "claim", "claimed_at"])
    logger.info("Message %s (%s) not sent: the recipient asked for no text messages", message.pk, message.kind)
    return str(message.status)


def _remember_opt_outs(message: OutboundMessage, refused: sms.RecipientOptedOut, *, now: datetime.datetime) -> None:
    for number in refused.numbers or message.recipients:
        TextOptOut.objects.get_or_create(number=number, defaults={"at": now})


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
    message.claim, message.claimed_at = "", None
    message.save(
        update_fields=[
            "attempts",
            "last_error",
            "status",
            "next_attempt_at",
            "sealed_token",
            "claim",
            "claimed_at",
            "may_have_arrived",
            "may_have_arrived_at",
        ]
    )
    return "retry" if message.status == OutboundMessage.Status.PENDING else str(message.status)
