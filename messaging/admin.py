"""Numbers that asked for no text messages (`TextOptOut`): administrators see them and delete one when its patient
asks for texts again (having replied START to the clinic's number, so the provider sends again). Nothing else here is
edited by hand: a row is added when the provider refuses a text for that reason (messaging.delivery).

Finding a number is posted and opens its row (the admin's own search is a GET form: the number went into the address,
and so into access logs and the browser's history, and on into every link of the result page)."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import dateformat, timezone

from messaging.models import TextOptOut

FIND = "number"
MSG_NOT_FOUND = "No number that asked for no texts matches what you typed: texts may go to it."


@admin.register(TextOptOut)
class TextOptOutAdmin(admin.ModelAdmin[TextOptOut]):
    list_display = ("number", "when")
    readonly_fields = ("number", "when")
    fields = readonly_fields
    # No search_fields: the list's search box (templates/admin/messaging/textoptout/change_list.html) posts to
    # `find_view`, never sends the number as ?q=.

    @admin.display(description="At", ordering="at")
    def when(self, obj: TextOptOut) -> str:
        """As the portal's staff pages write a moment ("Mar 20, 2030, 9:00 AM EDT", clinic_portal.staff_times.MOMENT,
        not Django's "March 20, 2030, 9 a.m."), sorted by the time; written here, as messaging imports no app of the
        portal (tests/messaging/test_messages.py)."""
        return dateformat.format(timezone.localtime(obj.at), "M j, Y, g:i A T")

    def get_urls(self) -> list[URLPattern]:
        find = path("find/", self.admin_site.admin_view(self.find_view), name="messaging_textoptout_find")
        return [find, *super().get_urls()]

    def find_view(self, request: HttpRequest) -> HttpResponse:
        """The number's row, for a number typed as people say it ("(555) 010-0100"); the list with a message when
        there is none. It was found only in E.164 and the administrator read the patient's number as not blocked (the
        stop-34 audit)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        typed = request.POST.get(FIND, "").replace("\x00", "").strip()[:40]
        found = TextOptOut.objects.filter(number=_as_stored(typed) or typed).first() if typed else None
        if found is None:
            messages.info(request, MSG_NOT_FOUND)
            return HttpResponseRedirect(reverse("admin:messaging_textoptout_changelist"))
        return HttpResponseRedirect(reverse("admin:messaging_textoptout_change", args=[found.pk]))

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
