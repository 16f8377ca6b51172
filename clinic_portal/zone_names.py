"""A time zone named in the reader's language: "Eastern Time", "hora del Este", not the English "EST".

Appointment times on patient pages and e-mails say which clock they mean. Django's `T` format gives the zone's
abbreviation in English whatever the language ("EST", "CDT"); the zones of the United States and its territories
are named here, in words every patient reads, and any other zone keeps its abbreviation. Summer and winter time share
a name ("Eastern Time" for EST and EDT): the patient needs the clock, not the season.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

NAMES: dict[str, Promise] = {
    abbreviation: name
    for abbreviations, name in (
        (("AST", "ADT"), pgettext_lazy("time zone", "Atlantic Time")),
        (("EST", "EDT"), pgettext_lazy("time zone", "Eastern Time")),
        (("CST", "CDT"), pgettext_lazy("time zone", "Central Time")),
        (("MST", "MDT"), pgettext_lazy("time zone", "Mountain Time")),
        (("PST", "PDT"), pgettext_lazy("time zone", "Pacific Time")),
        (("AKST", "AKDT"), pgettext_lazy("time zone", "Alaska Time")),
        (("HST", "HDT"), pgettext_lazy("time zone", "Hawaii Time")),
    )
    for abbreviation in abbreviations
}


def zone_name(moment: datetime.datetime) -> str:
    """The name of the zone `moment` is shown in (the current time zone, the clinic's), in the active language."""
    abbreviation = timezone.localtime(moment).tzname() or ""
    name = NAMES.get(abbreviation)
    return str(name) if name is not None else abbreviation
