"""Patients' phone numbers as staff see them: the clinic's national format, as a `tel:` link a phone can dial.

Numbers are stored in E.164 by django-phonenumber-field (`Patient.phone`); one from another country is shown in the
international format, so it is dialled right from the clinic.

Parsing and formatting a number with phonenumbers costs some 50 microseconds, and the queue shows up to fifty
numbers on every request (issue 16): a stored number (text) is formatted once per process and kept (`_from_text`),
the same few hundred patients' numbers coming back page after page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from phonenumber_field.phonenumber import PhoneNumber, to_python
from phonenumbers import region_code_for_number

KEPT_NUMBERS = 4096


@dataclass(frozen=True)
class Phone:
    shown: str  # "(201) 555-0123"
    uri: str  # "tel:+1-201-555-0123"

    @functools.cached_property
    def link(self) -> SafeString:
        return format_html('<a class="phone-link text-nowrap" href="{}">{}</a>', self.uri, self.shown)


def phone(value: object) -> Phone | None:
    """A stored number (E.164 text or a PhoneNumber) as staff see it; None when there is none or it is not valid."""
    home = str(getattr(settings, "PHONENUMBER_DEFAULT_REGION", "") or "")
    if isinstance(value, PhoneNumber):
        return _shown(value, home)
    return _from_text(str(value), home) if value else None


@functools.lru_cache(maxsize=KEPT_NUMBERS)
def _from_text(text: str, home: str) -> Phone | None:
    number = to_python(text)
    return _shown(number, home) if isinstance(number, PhoneNumber) else None


def _shown(number: PhoneNumber, home: str) -> Phone | None:
    if not number.is_valid():
        return None
    shown = number.as_national if region_code_for_number(number) == home else number.as_international
    return Phone(shown, number.as_rfc3966)
