"""The audit trail in the Django admin: read only, for every user including superusers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_username", "action", "intake_id", "ip_address", "detail")
    list_filter = ("action",)
    search_fields = ("actor_username", "=intake_id")
    date_hierarchy = "at"
    readonly_fields = list_display
    actions = None

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
