"""One row per e-mail the portal owes someone: the source of truth for "was it sent?".

The task queue only carries the row's id. Whether the e-mail still has to go out, how often it was tried and when to
try next live here, so a lost, duplicated or crashed task can never cause a missed or a second e-mail.

The row says what the e-mail is (`kind`), which row it is about (`about_id`) and where it goes; its text is rendered
when it is sent, from the database, by the renderer the owning app registered for its kind (`messaging.registry`).
No subject, body or clinical detail is ever stored here. An invitation's link travels as a sealed token
(`intake.tokens.seal`, useless without the server's secret), emptied once the e-mail is sent or given up.

This app imports no app of the portal: the apps above it register renderers and queue rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import dateformat, timezone

from messaging import channels


class State:
    """What staff are shown: the status, with "pending" split into not tried yet and tried and failed, and "failed"
    into failed and unconfirmed: it failed for good after an attempt that may have arrived (`may_have_arrived`: the
    mail server took it and its answer never came), so it may have been delivered."""

    QUEUED = "queued"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    CANCELLED = "cancelled"


class Delivery(models.Model):
    """What every row the portal must deliver keeps about its delivery (this app's messages, alerts.Alert): whether
    it still has to go, how often it was tried, when to try next, and the task that carries it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up after repeated failures"
        CANCELLED = "cancelled", "Not needed any more"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="When the next send attempt is due.")
    # The id of the newest queued task for this row, so the sweeper can tell a waiting task from a lost one.
    task_id = models.CharField(max_length=64, blank=True)
    # An exception class name only: never a message, which could quote an address or patient data.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class OutboundMessage(Delivery):
    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation link, to the patient"
        CONFIRMATION = "confirmation", "Answers received, to the patient"
        LOCKOUT = "lockout", "Link locked, to the front desk"
        DEVICE_CODE = "device_code", "One-time code for a new device, to the patient"
        FOLLOW_UP = "follow_up", "Follow-up questionnaire link, to the patient"
        FOLLOW_UP_REMINDER = "follow_up_reminder", "Follow-up reminder with a new link, to the patient"
        PRE_VISIT_REMINDER = "pre_visit_reminder", "Pre-visit reminder with a new link, to the patient"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    # E-mail, or a text message to a phone number (E.164) in `recipients` (messaging.channels).
    channel = models.CharField(max_length=8, choices=channels.CHOICES, default=channels.EMAIL)
    about_id = models.PositiveBigIntegerField(
        help_text="The row it is about: the invitation (invitation, lockout, follow_up), the intake (confirmation), "
        "the one-time code (device_code) or the reminder (follow_up_reminder, pre_visit_reminder)."
    )
    recipients = models.JSONField(default=list, help_text="The addresses it goes to.")
    # An invitation link's token or a one-time code, sealed; emptied when the message is sent, given up or replaced.
    sealed_token = models.CharField(max_length=255, blank=True)
    # The attempt handing it to the mail server now (messaging.delivery: claimed, sent outside any transaction, then
    # recorded), and since when: another attempt leaves it alone until `delivery.CLAIM_LEASE` has passed.
    claim = models.CharField(max_length=32, blank=True, default="", db_default="")  # db_default: as may_have_arrived
    claimed_at = models.DateTimeField(null=True, blank=True)
    # An attempt failed in a way that leaves open whether it arrived (`channels.may_have_arrived`: the mail server took
    # it and its answer never came): a reminder that then fails for good keeps its link (intake.services.reminders).
    # db_default: processes still on the code before it insert messages while it migrates (alerts.Alert.round too).
    may_have_arrived = models.BooleanField(default=False, db_default=False)
    # When the first such attempt handed it over (its claim's time): what staff are told of a reminder that may have
    # arrived once a moved visit deletes it (intake.models.EarlierReminder).
    may_have_arrived_at = models.DateTimeField(null=True, blank=True)

    class Meta(Delivery.Meta):
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["kind", "about_id"], name="message_about"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {'text' if self.channel == channels.SMS else 'e-mail'} #{self.pk}"

    @property
    def state(self) -> str:
        if self.status == self.Status.PENDING:
            return State.RETRYING if self.attempts else State.QUEUED
        if self.status == self.Status.FAILED and self.may_have_arrived:
            return State.UNCONFIRMED
        return str(self.status)


def state_in_sql() -> Case:
    """`OutboundMessage.state` as an expression, to annotate a subquery next to the rows the messages are about."""
    pending = OutboundMessage.Status.PENDING
    return Case(
        When(Q(status=pending, attempts=0), then=Value(State.QUEUED)),
        When(status=pending, then=Value(State.RETRYING)),
        When(status=OutboundMessage.Status.FAILED, may_have_arrived=True, then=Value(State.UNCONFIRMED)),
        default=F("status"),
        output_field=CharField(),
    )


class TextOptOut(models.Model):
    """A phone number whose owner asked for no text messages: the provider refused a text to it for that reason
    (they replied STOP; ``messaging.sms.RecipientOptedOut``). No text is queued to it again (a patient with no e-mail
    then gets nothing, as with no phone: staff see it on the invitation). An administrator deletes the row, in the
    admin, when the patient asks for texts again (after replying START to the clinic's number)."""

    number = models.CharField(max_length=16, unique=True, help_text="E.164, like +15550100100.")
    at = models.DateTimeField(help_text="When the provider first refused a text to it.")

    class Meta:
        verbose_name = "number that asked for no texts"
        verbose_name_plural = "numbers that asked for no texts"

    def __str__(self) -> str:
        # The clinic's day, written as the staff pages write a date ("Mar 20, 2030"): the name heads its admin page.
        return f"No texts since {dateformat.format(timezone.localtime(self.at), 'M j, Y')}"
