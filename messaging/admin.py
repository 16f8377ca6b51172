"""Numbers that asked for no text messages (`TextOptOut`): administrators see them and delete one when its patient
asks for texts again (having replied START to the clinic's number, so the provider sends again). Nothing else here is
edited by hand: a row is added when the provider refuses a text for that reason (messaging.delivery)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from messaging.models import TextOptOut


@admin.register(TextOptOut)
class TextOptOutAdmin(admin.ModelAdmin[TextOptOut]):
    list_display = ("number", "at")
    search_fields = ("=number",)
    readonly_fields = ("number", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
