"""Moments as the staff pages write them (README, "Dates and times on staff pages"), for text made in Python: admin
columns and messages, the audit trail's admin. Templates use the `date` filter with the same formats.

In English and the clinic's time zone, whatever the page's language: "Mar 27, 2030, 2:00 PM EDT". Django's own
default ("March 27, 2030, 2 p.m.", DATETIME_FORMAT) is left alone: patient pages follow the patient's language.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.utils import dateformat, timezone

MOMENT = "M j, Y, g:i A T"  # "Mar 27, 2030, 2:00 PM EDT"
MOMENT_WITH_SECONDS = "M j, Y, g:i:s A T"  # the audit trail: "Mar 27, 2030, 2:00:05 PM EDT"
MOMENT_WITHOUT_YEAR = "M j, g:i A T"  # a short label: "Mar 27, 2:00 PM EDT"


def staff_moment(value: datetime.datetime, *, seconds: bool = False, year: bool = True) -> str:
    shape = MOMENT_WITH_SECONDS if seconds else MOMENT if year else MOMENT_WITHOUT_YEAR
    return dateformat.format(timezone.localtime(value), shape)


def admin_moment(field: str, description: str, *, seconds: bool = False) -> Callable[[Any, Any], str]:
    """A read-only admin column or field showing the model's `field` as `staff_moment` writes it, in place of Django's
    "March 27, 2030, 2 p.m."; sorted by the field. Use: ``created = admin_moment("created_at", "Created at")``, then
    "created" in `readonly_fields` (and `list_display`)."""

    @admin.display(description=description, ordering=field)
    def shown(model_admin: Any, obj: Any) -> str:
        value = getattr(obj, field)
        return staff_moment(value, seconds=seconds) if value is not None else "-"

    return shown
