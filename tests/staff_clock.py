"""How the staff pages write a moment, for tests that work one out: "Mar 27, 2030, 2:00 PM EDT" in the clinic's zone
(README, "Dates and times on staff pages"). Written with strftime, apart from the code's `date` filter formats."""

from __future__ import annotations

import datetime

from django.utils import timezone


def staff_moment(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%b} {local.day}, {local.year}, {local:%-I:%M %p} {local.tzname()}"
