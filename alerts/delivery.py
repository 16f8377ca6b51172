"""Sending one alert e-mail: at most once, retried with backoff when the mail server fails, for as long as its
intake waits for a review.

Delivery is at-least-once towards the mail server and exactly-once as far as our records go: the send happens while
the alert row is locked and `sent_at` is committed right after; a crash in the gap of a few milliseconds between the
mail server accepting the message and our commit is the only way to get a second copy.

This module does not queue anything itself: the caller passes `requeue` (the task module's `enqueue`), so the task
module can import this one without a circle.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from intake.models import Level, Questionnaire
from messaging.delivery import max_attempts, retry_delay

logger = logging.getLogger(__name__)

Requeue = Callable[..., None]

# The waits between tries and when to give up are the patient messages' (messaging.delivery: one policy for every
# e-mail the portal sends, set by MESSAGE_RETRY_DELAYS and MESSAGE_MAX_ATTEMPTS).
__all__ = ["max_attempts", "message_for", "recipients_for", "retry_delay", "send"]


def recipients_for(kind: str) -> list[str]:
    return list(settings.ESCALATION_EMAILS if kind == Alert.Kind.ESCALATION else settings.ALERT_EMAILS)


def message_for(alert: Alert) -> tuple[str, str]:
    """Subject and body. No patient data: only the level and a link that needs a clinician's sign-in."""
    link = settings.SITE_URL + reverse("dashboard:intake", args=[alert.intake_id])
    # Which questionnaire, not whose: a follow-up's red flags come weeks after the visit, not before it.
    answers = "follow-up answers" if alert.intake.kind == Questionnaire.FOLLOW_UP else "pre-visit answers"
    context = {"alert": alert, "link": link, "minutes": settings.ESCALATE_AFTER_MINUTES, "answers": answers}
    subject = render_to_string("alerts/subject.txt", context).strip()
    body = render_to_string("alerts/body.txt", context)
    return " ".join(subject.split()), body


def send(alert_id: int, *, requeue: Requeue, now: datetime.datetime | None = None) -> str:
    """Send one alert if it still needs sending; on failure schedule the next try. Returns what happened."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("intake").filter(pk=alert_id).first()
        if alert is None:
            return "missing"
        if alert.status != Alert.Status.PENDING:
            return alert.status
        now = now or timezone.now()
        if alert.intake.is_reviewed or alert.round != alert.intake.review_round:
            # No longer news: a clinician reviewed the intake (in this round), or new red flags since started a round
            # of its own, alerted in turn. Sent once the mail server was back, it told the on-call to review an
            # intake already reviewed, or told them twice (the stop-29 audit).
            alert.status = Alert.Status.CANCELLED
            alert.save(update_fields=["status"])
            logger.info("Alert %s (%s) cancelled: its intake was reviewed or has a newer round", alert.pk, alert.kind)
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
            still_waits = alert.intake.level in (Level.URGENT, Level.SERIOUS)  # and not reviewed: see above
            if alert.attempts >= max_attempts() and not still_waits:
                # A clinician has the intake in hand, or it no longer calls for anyone: nobody waits for this one.
                alert.status = Alert.Status.FAILED
                logger.error("Alert %s gave up after %s attempts (%s)", alert.pk, alert.attempts, alert.last_error)
            else:
                # While the intake waits for its review the alert never gives up (a mail server down for hours
                # lost it after MESSAGE_MAX_ATTEMPTS: the stop-28 audit); past that many tries, every try is an error.
                log = logger.error if alert.attempts >= max_attempts() else logger.warning
                alert.next_attempt_at = now + retry_delay(alert.attempts)
                requeue(alert, run_after=alert.next_attempt_at)
                log("Alert %s attempt %s failed (%s); retry queued", alert.pk, alert.attempts, alert.last_error)
            alert.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return "retry" if alert.status == Alert.Status.PENDING else alert.status
        alert.status = Alert.Status.SENT
        alert.sent_at = now
        alert.last_error = ""
        alert.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        logger.info("Alert %s (%s) sent", alert.pk, alert.kind)
        return alert.status
