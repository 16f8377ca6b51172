"""Numbers that asked for no text messages (`TextOptOut`): administrators see them and delete one when its patient
asks for texts again (having replied START to the clinic's number, so the provider sends again). Nothing else here is
edited by hand: a row is added when the provider refuses a text for that reason (messaging.delivery)."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest

from messaging.models import TextOptOut


@admin.register(TextOptOut)
class TextOptOutAdmin(admin.ModelAdmin[TextOptOut]):
    list_display = ("number", "at")
    search_fields = ("=number",)
    readonly_fields = ("number", "at")

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        # A number typed as people say it, "(555) 010-0100", is looked up as stored (E.164): it found nothing, and
        # the administrator read the patient's number as not blocked (the stop-34 audit).
        stored = _as_stored(search_term) if search_term.strip() else None
        return super().get_search_results(request, queryset, stored or search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _as_stored(text: str) -> str | None:
    """A number as someone types it ("(555) 010-0100") in the stored E.164 form ("+15550100100"), in the clinic's
    region; None when it is no phone number at all. Valid or not: the search must find what was stored."""
    try:
        number = phonenumbers.parse(text, str(getattr(settings, "PHONENUMBER_DEFAULT_REGION", "") or "") or None)
    except phonenumbers.NumberParseException:
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
