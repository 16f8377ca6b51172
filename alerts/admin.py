"""Alerts in the admin, to see what was sent and what is still being retried. Read only: the sweeper owns them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = ("id", "kind", "status", "intake_id", "attempts", "created_at", "next_attempt_at", "sent_at")
    list_filter = ("kind", "status")
    readonly_fields = (*list_display, "delivered_to", "last_error", "task_id")
    actions = None

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
