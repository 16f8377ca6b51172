"""One row per alert that must reach staff: the source of truth for "was it sent?".

The task queue only carries the alert's id. Whether an e-mail still has to go out, how often it was tried and when to
try next live here, so a lost, duplicated or crashed task can never cause a missed or a second e-mail.
"""

from __future__ import annotations

from django.db import models

from intake.models import Intake


class Alert(models.Model):
    class Kind(models.TextChoices):
        URGENT = "urgent", "Urgent intake"
        SERIOUS = "serious", "Serious intake"
        ESCALATION = "escalation", "Urgent intake not reviewed in time"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up after repeated failures"
        CANCELLED = "cancelled", "Not needed any more"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="When the next send attempt is due.")
    # The id of the newest queued task for this alert, so the sweeper can tell a waiting task from a lost one.
    task_id = models.CharField(max_length=64, blank=True)
    # An exception class name only: never a message, which could quote an address or patient data.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["intake", "kind"], name="alert_once_per_intake_and_kind")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alert_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} alert #{self.pk}"
