"""Alerts in the admin, to see what was sent and what is still being retried. Read only: the sweeper owns them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from alerts.models import Alert
from clinic_portal.staff_times import admin_moment


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    # The times as the staff pages write them ("Mar 20, 2030, 9:00 AM EDT", not Django's "March 20, 2030, 9 a.m."),
    # still sorted by the time.
    created = admin_moment("created_at", "Created at")
    next_attempt = admin_moment("next_attempt_at", "Next attempt at")
    sent = admin_moment("sent_at", "Sent at")
    list_display = ("id", "kind", "status", "intake_id", "attempts", "created", "next_attempt", "sent")
    list_filter = ("kind", "status")
    # Every field the page showed before its times were named here: its intake, and which review round and attempt
    # an escalation is.
    readonly_fields = ("intake", "round", "attempt", *list_display, "delivered_to", "last_error", "task_id")
    fields = readonly_fields
    actions = None

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
