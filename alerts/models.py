"""One row per alert that must reach staff: the source of truth for "was it sent?".

The task queue only carries the alert's id. Whether an e-mail still has to go out, how often it was tried and when to
try next live here (messaging.models.Delivery, as for the patients' messages), so a lost, duplicated or crashed task
can never cause a missed or a second e-mail. An alert goes to each address it is for as an e-mail of its own, and the
row keeps the addresses that have it (`delivered_to`), so a retry reaches the ones still missing and nobody twice.
"""

from __future__ import annotations

from django.db import models

from clinic_portal.staff_times import staff_moment
from intake.models import Intake
from messaging.models import Delivery


class Alert(Delivery):
    class Kind(models.TextChoices):
        URGENT = "urgent", "Urgent intake"
        SERIOUS = "serious", "Serious intake"
        ESCALATION = "escalation", "Urgent intake not reviewed in time"
        CALL_BACK = "call_back", "Promised call-back time passed"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The intake's review round it belongs to (Intake.review_round): new red flags after a review start another.
    round = models.PositiveIntegerField(default=0, db_default=0)
    # An escalation's failed calls before it: 0 for the first (nobody reviewed in time); each "could not reach" with
    # nobody reviewing in time after it escalates again (docs/clinical/TRIAGE.md: it "keeps escalating").
    attempt = models.PositiveIntegerField(default=0, db_default=0)
    # Who has it: one e-mail per address, so a server refusing one address of several is seen (alerts.delivery).
    # db_default as for round and attempt: a worker still on the code before it can insert alerts while it migrates.
    delivered_to = models.JSONField(
        default=list,
        db_default=[],
        blank=True,
        help_text="The addresses that have this alert; a retry goes only to the others it is for.",
    )

    class Meta(Delivery.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "kind", "round", "attempt"], name="alert_once_per_intake_kind_round_and_attempt"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alert_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} alert #{self.pk}"


class SweeperHeartbeat(models.Model):
    """When the sweeper (`alerts.services.sweep`) last checked for escalations: one row, shared by every server.

    Nothing else says the sweeper is running: with its cron line missing or its process dead no escalation is ever
    made and nothing fails, so the queue reads this row and says so (alerts.selectors.SWEEPER_LATE_AFTER).
    """

    ROW = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW, editable=False)
    swept_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="sweeper_heartbeat_one_row")]

    def __str__(self) -> str:
        return f"Sweeper last ran {staff_moment(self.swept_at, seconds=True)}"


class WorkerHeartbeat(models.Model):
    """Whether the task worker (`manage.py db_worker`) answers: one row, shared by every server.

    A worker dead while no alert waited was seen only once an urgent intake's alert had sat unsent for two minutes
    (alerts.selectors.ALERTS_LATE_AFTER). Each sweeper run queues a tiny task (`alerts.tasks.answer_ping`) unless one
    still waits (`alerts.services.ping_worker`), and the worker running it clears `waiting_since`: the queue says so
    when a ping has waited WORKER_LATE_AFTER (alerts.selectors). No row: no ping queued yet, nothing to say.
    """

    ROW = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW, editable=False)
    # The ping queued last: the sweeper queues no other while it waits, and deletes its finished task row as it queues
    # the next one (a finished task row a minute would otherwise pile up until prune_db_task_results).
    ping_task_id = models.CharField(max_length=64, blank=True)
    # When the oldest ping not answered yet was queued, on the sweeper's clock (the queue's compares with its own, as
    # for SweeperHeartbeat); None once the worker answers. A ping lost or failed is replaced and the clock runs on.
    waiting_since = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, help_text="When the worker last answered a ping.")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="worker_heartbeat_one_row")]

    def __str__(self) -> str:
        if self.waiting_since is None:
            return "Worker ping answered"
        return f"Worker ping waiting since {staff_moment(self.waiting_since, seconds=True)}"
