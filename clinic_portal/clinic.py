"""The clinic's own details (name, phone, emergency number, public address): one place, read from settings.

Every page, error page, e-mail and emergency message shows them; nothing hard-codes a number.
"""

from __future__ import annotations

from django.conf import settings


def clinic_details() -> dict[str, str]:
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
        "site_url": settings.SITE_URL,
    }
