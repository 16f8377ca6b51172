"""Patients' phone numbers as staff see them: the clinic's national format, as a `tel:` link a phone can dial.

Numbers are stored in E.164 by django-phonenumber-field (`Patient.phone`); one from another country is shown in the
international format, so it is dialled right from the clinic.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from phonenumber_field.phonenumber import PhoneNumber, to_python
from phonenumbers import region_code_for_number


@dataclass(frozen=True)
class Phone:
    shown: str  # "(201) 555-0123"
    uri: str  # "tel:+1-201-555-0123"

    @property
    def link(self) -> SafeString:
        return format_html('<a class="phone-link text-nowrap" href="{}">{}</a>', self.uri, self.shown)


def phone(value: object) -> Phone | None:
    """A stored number (E.164 text or a PhoneNumber) as staff see it; None when there is none or it is not valid."""
    number = value if isinstance(value, PhoneNumber) else to_python(str(value or "")) if value else None
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        return None
    home = str(getattr(settings, "PHONENUMBER_DEFAULT_REGION", "") or "")
    shown = number.as_national if region_code_for_number(number) == home else number.as_international
    return Phone(shown, number.as_rfc3966)
