"""The audit trail: who did what to which intake, every staff sign-in, and clinical reviewers' decisions on
translation releases. Append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinic_portal.staff_times import staff_moment


class AppendOnly(models.Model):
    """A row that is written once and never changed or deleted by the application."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(AppendOnly):
    class Action(models.TextChoices):
        VIEWED_INTAKE = "viewed_intake", "Viewed an intake"
        VIEWED_FOLLOW_UPS = "viewed_follow_ups", "Viewed the follow-up list"
        REVIEWED_INTAKE = "reviewed_intake", "Marked an intake reviewed"
        UNDID_REVIEW = "undid_review", "Undid an intake's review"
        CHANGED_INTAKE = "changed_intake", "Changed an intake"
        EXPORTED_INTAKES = "exported_intakes", "Exported intakes"
        VIEWED_OUTCOME_REPORT = "viewed_outcome_report", "Viewed the review outcomes report"
        CREATED_INVITATION = "created_invitation", "Created an invitation"
        CHANGED_INVITATION = "changed_invitation", "Changed an invitation's appointment or contact details"
        CANCELLED_VISIT = "cancelled_visit", "Cancelled a visit"
        BOOKED_VISIT_AGAIN = "booked_visit_again", "Booked a cancelled visit again"
        VIEWED_INVITATION = "viewed_invitation", "Viewed an invitation (contact details)"
        SEARCHED_PATIENTS = "searched_patients", "Searched patients by name"
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGNED_OUT = "signed_out", "Signed out"
        CHANGED_PASSWORD = "changed_password", "Changed their own password"
        RETENTION_PURGE = "retention_purge", "Old intakes removed by the retention policy"
        # A clinical reviewer's decision on a translation's words or its new starter release
        # (education/translation_approval.py): no intake; the article and language are named in the detail.
        APPROVED_TRANSLATION = "approved_translation", "Approved a translation's words"
        APPROVED_RELEASE = "approved_release", "Approved a translation's new release"
        DECLINED_RELEASE = "declined_release", "Declined a translation's new release"
        REOPENED_RELEASE = "reopened_release", "Brought a declined translation release back for review"

    at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When it happened (stored in UTC).")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the trail still names the person after their account is removed.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    # Not a foreign key: the trail must outlive intakes removed by the retention policy.
    intake_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Never patient data: counts, filters and ids only.
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        # The clinic's time with its zone, as the trail's pages write it (this read UTC, unnamed).
        return f"{staff_moment(self.at, seconds=True)} {self.actor_username or '-'} {self.action}"


class EventIntake(AppendOnly):
    """One of several intakes an event covered: a line of a CSV export, a row of a listed page. The trail's filter
    by intake finds the event through these ("who exported this patient's intake"). Append-only, as the events."""

    event = models.ForeignKey(AuditEvent, on_delete=models.CASCADE, related_name="intakes")
    # Not a foreign key either: the trail outlives the intakes it names.
    intake_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["intake_id", "event"], name="audit_event_intake_once")]

    def __str__(self) -> str:
        return f"#{self.intake_id} in event {self.event_id}"
