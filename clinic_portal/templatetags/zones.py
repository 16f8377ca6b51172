"""`{{ appointment|zone_name }}`: the clinic's time zone named in the page's language (clinic_portal.zone_names)."""

from __future__ import annotations

import datetime

from django import template

from clinic_portal import zone_names

register = template.Library()


@register.filter
def zone_name(moment: datetime.datetime | None) -> str:
    return zone_names.zone_name(moment) if moment is not None else ""
