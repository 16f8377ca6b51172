"""The clinic's own details (name, phone, emergency number, public address): one place, read from settings.

Every page, error page, e-mail and emergency message shows them; nothing hard-codes a number. A number shown as
typed in settings ("(555) 010-0100") is dialled by a `tel:` link through its dial string (`dial_string`).
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from django.conf import settings


def clinic_details() -> dict[str, str]:
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_dial": dial_string(settings.CLINIC_PHONE, settings.PHONENUMBER_DEFAULT_REGION),
        "emergency_number": settings.CLINIC_EMERGENCY_NUMBER,
        "emergency_dial": dial_string(settings.CLINIC_EMERGENCY_NUMBER, settings.PHONENUMBER_DEFAULT_REGION),
        "site_url": settings.SITE_URL,
    }


# Where a number's extension starts, as people write it: "ext. 12", "extension 12", "x12", "#12".
_EXTENSION = re.compile(r"\s*(?:ext(?:ension)?\.?|x|#)\s*(\d+)\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=16)
def dial_string(number: str, region: str) -> str:
    """What follows `tel:` for a number as people write it (a tel: URI may not hold spaces, RFC 3966): the full
    international number ("+12015550123") when it is a valid one in `region`, else its digits as written ("911",
    "5550100100" for the demo's made-up number), with a leading "+" kept; an extension as RFC 3966 writes it
    ("+12015550123;ext=4")."""
    match = _EXTENSION.search(number)
    main, extension = (number[: match.start()], match.group(1)) if match else (number, "")
    try:
        parsed = phonenumbers.parse(main, region or None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        dialled = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    else:
        digits = "".join(char for char in main if char.isdigit())
        dialled = f"+{digits}" if main.strip().startswith("+") else digits
    return f"{dialled};ext={extension}" if extension else dialled
