"""Sending one alert to each of its addresses: retried with backoff when the mail server fails, for as long as its
intake waits for a review.

Every address gets an e-mail of its own, and the row records who has it (`Alert.delivered_to`). One e-mail to all of
ALERT_EMAILS was marked sent when the server refused one address ("451 try again later"): smtplib raises only when
every recipient is refused, and Django's SMTP backend drops the refusals, so that on-call address never had it (the
alert delivery audit). Sent one by one, a refusal raises; the next try goes only to the addresses still missing, and
the alert is sent once every address it is for has it.

Delivery is at-least-once towards the mail server and exactly-once per address as far as our records go: the e-mails
go out while the alert row is locked, and who has it is committed right after the last of them; a crash between the
mail server accepting an e-mail and that commit is the only way for an address to get a second copy.

Only the alert row is locked (`locked_alert`): its intake stays free for the patient's next answers, the emergency
page and a clinician's review while the mail server takes its time (up to EMAIL_TIMEOUT per e-mail).

This module does not queue anything itself: the caller passes `requeue` (the task module's `enqueue`), so the task
module can import this one without a circle.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from intake.call_backs import call_owed, promised_call
from intake.models import Level, Questionnaire
from messaging.delivery import max_attempts, retry_delay

logger = logging.getLogger(__name__)

Requeue = Callable[..., None]

# The waits between tries and when to give up are the patient messages' (messaging.delivery: one policy for every
# e-mail the portal sends, set by MESSAGE_RETRY_DELAYS and MESSAGE_MAX_ATTEMPTS), with one exception: while the intake
# waits for its review, an alert is tried again at least this often. On the messages' backoff (up to 30 minutes) an
# urgent alert reached the on-call 28 minutes after a 20-minute mail outage ended, after the lead's escalation, which
# says the on-call was alerted 15 minutes before (the alert delivery audit). The cost while the server is down is one
# connection a minute per waiting alert, a handful at most.
RETRY_MAX_DELAY_WHILE_WAITING = datetime.timedelta(minutes=1)

__all__ = [
    "RETRY_MAX_DELAY_WHILE_WAITING",
    "locked_alert",
    "max_attempts",
    "message_for",
    "recipients_for",
    "retry_delay",
    "send",
    "wait_before_retry",
]


def recipients_for(kind: str) -> list[str]:
    escalations = (Alert.Kind.ESCALATION, Alert.Kind.CALL_BACK)
    return list(settings.ESCALATION_EMAILS if kind in escalations else settings.ALERT_EMAILS)


def message_for(alert: Alert) -> tuple[str, str]:
    """Subject and body. No patient data: only the level and a link that needs a clinician's sign-in."""
    link = settings.SITE_URL + reverse("dashboard:intake", args=[alert.intake_id])
    # Which questionnaire, not whose: a follow-up's red flags come weeks after the visit, not before it.
    answers = "follow-up answers" if alert.intake.kind == Questionnaire.FOLLOW_UP else "pre-visit answers"
    intake = alert.intake
    # A sent serious intake's receipt promised a call by a time: the on-call sees the same time (no patient detail).
    call = None
    if alert.kind in (Alert.Kind.SERIOUS, Alert.Kind.CALL_BACK):
        call = promised_call(
            intake.call_back_by,
            submitted_at=intake.submitted_at,
            reviewed_at=intake.reviewed_at,
            is_reviewed=intake.is_reviewed,
            now=timezone.now(),
        )
    context = {
        "alert": alert,
        "link": link,
        "minutes": settings.ESCALATE_AFTER_MINUTES,
        "last_call_minutes": settings.CLINIC_LAST_CALL_MINUTES,
        "answers": answers,
        "call_by": call.by if call else None,
        "on_call_alerted": alert.kind != Alert.Kind.ESCALATION or _on_call_alerted(alert),
        "on_call_alert": _on_call_alert(alert) if alert.kind == Alert.Kind.CALL_BACK else None,
    }
    subject = render_to_string("alerts/subject.txt", context).strip()
    body = render_to_string("alerts/body.txt", context)
    return " ".join(subject.split()), body


def _on_call_alerted(escalation: Alert) -> bool:
    """Whether every on-call address has its round's urgent alert. The lead's e-mail said "15 minutes after the
    on-call alert" while the on-call mailbox was turning that alert away, and the lead waited on an on-call who had
    not heard (review of the alert path)."""
    return Alert.objects.filter(
        intake_id=escalation.intake_id, kind=Alert.Kind.URGENT, round=escalation.round, status=Alert.Status.SENT
    ).exists()


@dataclass(frozen=True)
class OnCallAlert:
    """What became of the on-call alert of a call-back's intake and round (the lead's e-mail says it)."""

    sent_at: datetime.datetime | None  # when it reached every on-call address; None: it has not
    waiting: bool  # not yet, and still being tried (the mail server turning it away or unreachable)


def _on_call_alert(call_back: Alert) -> OnCallAlert:
    """The lead's call-back e-mail did not say whether the on-call had the serious alert: the lead could not tell an
    on-call who knew and had not called from one who never heard. The urgent alert counts too (an intake once urgent
    in the round, serious since): either told the on-call of the patient."""
    alerts = Alert.objects.filter(
        intake_id=call_back.intake_id, kind__in=(Alert.Kind.URGENT, Alert.Kind.SERIOUS), round=call_back.round
    )
    rows = list(alerts.values_list("status", "sent_at"))
    sent = [at for status, at in rows if status == Alert.Status.SENT and at is not None]
    return OnCallAlert(min(sent, default=None), any(status == Alert.Status.PENDING for status, _at in rows))


def wait_before_retry(attempts: int, *, intake_waits: bool) -> datetime.timedelta:
    """The wait after the `attempts`-th failed try: the messages' backoff, capped while the intake waits (above)."""
    delay = retry_delay(attempts)
    return min(delay, RETRY_MAX_DELAY_WHILE_WAITING) if intake_waits else delay


def locked_alert(alert_id: int) -> QuerySet[Alert]:
    """The alert, locked until the transaction ends, with its intake read alongside but not locked.

    `of=("self",)`: without it, PostgreSQL's FOR UPDATE covers every joined row, so the intake stayed locked for the
    whole SMTP round trip and the patient's next red-flag answer, the emergency page or a clinician's review of it
    waited, up to the 4 s statement timeout (a 503).
    """
    return Alert.objects.select_for_update(of=("self",)).select_related("intake").filter(pk=alert_id)


def send(alert_id: int, *, requeue: Requeue, now: datetime.datetime | None = None) -> str:
    """Send one alert to each of its addresses that does not have it yet, if it is still news; on failure schedule
    the next try. Returns what happened."""
    with transaction.atomic():
        alert = locked_alert(alert_id).first()
        if alert is None:
            return "missing"
        if alert.status != Alert.Status.PENDING:
            return alert.status
        now = now or timezone.now()
        why_not = _why_no_longer_news(alert)
        if why_not:
            return _cancel(alert, why_not)
        alert.attempts += 1
        try:
            _email_each_address_still_missing(alert)
        except Exception as error:
            return _attempt_failed(alert, error, requeue=requeue, now=now)
        return _sent(alert, now=now)


def _why_no_longer_news(alert: Alert) -> str:
    """Why sending the alert now would mislead the on-call, or "" when it should go."""
    if alert.kind == Alert.Kind.CALL_BACK:
        # The promise stands until a review since sending answers it; one made before sending (the intake still
        # marked reviewed) does not (intake.call_backs.call_owed; the stop-32 audit of the notifications).
        if not call_owed(alert.intake) or alert.round != alert.intake.review_round:
            return "its promised call was answered by a review, or its intake has a newer round"
    elif alert.intake.is_reviewed or alert.round != alert.intake.review_round:
        # A clinician reviewed the intake (in this round), or new red flags since started a round of its own, alerted
        # in turn. Sent once the mail server was back, it told the on-call to review an intake already reviewed, or
        # told them twice (the stop-29 audit).
        return "its intake was reviewed or has a newer round"
    if _superseded_by_urgent(alert):
        return "its intake became urgent, which has an alert of its own"
    return ""


def _superseded_by_urgent(alert: Alert) -> bool:
    """A serious alert still unsent (the mail server down) when its intake became urgent in the same round: the
    urgent alert asks the on-call to phone the patient now, and this one, sent after it, said "the next working
    morning" (the alert delivery audit). The same for the lead's call-back e-mail, which says "triaged SERIOUS"
    (review of the stop-31 commits): the urgent alert's escalations tell the lead."""
    return (
        alert.kind in (Alert.Kind.SERIOUS, Alert.Kind.CALL_BACK)
        and alert.intake.level == Level.URGENT
        and Alert.objects.filter(intake_id=alert.intake_id, kind=Alert.Kind.URGENT, round=alert.round).exists()
    )


def _email_each_address_still_missing(alert: Alert) -> None:
    """One e-mail per address the alert is for and that does not have it yet, over one connection; each accepted
    address joins `delivered_to` at once. A refused address does not stop the others (the first refusal is raised
    after them all); anything else, such as the server gone mid-way, stops this try where it is."""
    recipients = recipients_for(alert.kind)
    if not recipients:
        raise RuntimeError("No recipients configured")
    missing = [address for address in dict.fromkeys(recipients) if address not in alert.delivered_to]
    if not missing:
        return  # an address still missing was removed from the settings since the last try
    subject, body = message_for(alert)
    refused: smtplib.SMTPRecipientsRefused | None = None
    with get_connection() as connection:
        for address in missing:
            try:
                EmailMessage(subject, body, None, [address], connection=connection).send()
            except smtplib.SMTPRecipientsRefused as error:
                refused = refused or error
            else:
                alert.delivered_to.append(address)
    if refused is not None:
        raise refused


def _intake_waits(alert: Alert) -> bool:
    """The intake still calls for someone (urgent or serious); reviewed ones and older rounds were cancelled above."""
    return alert.intake.level in (Level.URGENT, Level.SERIOUS)


def _cancel(alert: Alert, why: str) -> str:
    alert.status = Alert.Status.CANCELLED
    alert.save(update_fields=["status"])
    logger.info("Alert %s (%s) cancelled: %s", alert.pk, alert.kind, why)
    return alert.status


def _attempt_failed(alert: Alert, error: Exception, *, requeue: Requeue, now: datetime.datetime) -> str:
    # The class name only: an SMTP refusal's text quotes the address.
    alert.last_error = type(error).__name__
    intake_waits = _intake_waits(alert)
    if alert.attempts >= max_attempts() and not intake_waits:
        # A clinician has the intake in hand, or it no longer calls for anyone: nobody waits for this one.
        alert.status = Alert.Status.FAILED
        logger.error("Alert %s gave up after %s attempts (%s)", alert.pk, alert.attempts, alert.last_error)
    else:
        # While the intake waits for its review the alert never gives up (a mail server down for hours lost it after
        # MESSAGE_MAX_ATTEMPTS: the stop-28 audit); past that many tries, every try is an error.
        log = logger.error if alert.attempts >= max_attempts() else logger.warning
        alert.next_attempt_at = now + wait_before_retry(alert.attempts, intake_waits=intake_waits)
        requeue(alert, run_after=alert.next_attempt_at)
        log(
            "Alert %s attempt %s failed (%s) with %s address(es) reached; retry queued",
            alert.pk,
            alert.attempts,
            alert.last_error,
            len(alert.delivered_to),
        )
    alert.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "delivered_to"])
    return "retry" if alert.status == Alert.Status.PENDING else alert.status


def _sent(alert: Alert, *, now: datetime.datetime) -> str:
    alert.status = Alert.Status.SENT
    alert.sent_at = now
    alert.last_error = ""
    alert.save(update_fields=["attempts", "status", "sent_at", "last_error", "delivered_to"])
    logger.info("Alert %s (%s) sent to %s address(es)", alert.pk, alert.kind, len(alert.delivered_to))
    return alert.status
