"""The audit trail in the admin: read-only for everyone, superusers included. Entries are never changed or deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpRequest

from audit.models import AuditEvent
from clinic_portal.staff_times import admin_moment


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("when", "actor_username", "action", "intake_id", "ip_address", "detail")
    list_filter = ("action",)
    # An intake's number finds the events about it and the exports and lists that held it.
    search_fields = ("actor_username", "=intake_id", "=intakes__intake_id")
    date_hierarchy = "at"
    list_per_page = 100
    when = admin_moment("at", "When", seconds=True)
    # "When" as the audit trail page writes it ("Jul 15, 2030, 1:10:05 PM EDT"), not Django's "July 15, 2030,
    # 1:10 p.m." (no seconds, no zone).
    readonly_fields = ["when", *(field.name for field in AuditEvent._meta.fields if field.name != "at")]
    fields = list(readonly_fields)
    # No bulk actions either: "delete selected" would be the one way round has_delete_permission.
    actions = None

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        # A date link for the last year there is (?at__year=9999) overflowed in Django's date drill-down: a 500. It
        # is a bad address, answered as the admin answers any (the stop-34 audit).
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
