"""The patient's phone number (docs/clinical/INTAKE.md, "About you": the number staff call, stored in E.164).

Pure: the clinic's region (settings.PHONENUMBER_DEFAULT_REGION, e.g. "US") is passed in by the caller. Parsing and
checking are the `phonenumbers` library's (Google's libphonenumber data), never a pattern of ours.

Public API
----------
- ``as_e164(text, region) -> str | None``: a typed number ("(201) 555-0123", "201.555.0123", "+44 20 7946 0958") as
  E.164 ("+12015550123"), or None when it is not a number anyone could call.
- ``is_callable(value) -> bool``: a stored E.164 number that is a real, whole number.
- ``shown(value, region=None) -> str``: a stored number as people write it: the national form for the clinic's own
  country (``region``), the international form ("+1 201-555-0123") for any other or when no region is given;
  anything else as it is.
"""

from __future__ import annotations

import phonenumbers


def _parsed(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def as_e164(text: str, region: str) -> str | None:
    number = _parsed(text.strip(), region) if text.strip() else None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None


def is_callable(value: object) -> bool:
    return isinstance(value, str) and value.startswith("+") and _parsed(value, None) is not None


def shown(value: object, region: str | None = None) -> str:
    number = _parsed(value, None) if isinstance(value, str) and value.startswith("+") else None
    if number is None:
        return str(value)
    same_country = region is not None and phonenumbers.region_code_for_number(number) == region.upper()
    style = phonenumbers.PhoneNumberFormat.NATIONAL if same_country else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)
