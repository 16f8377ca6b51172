"""The call-back the patient was promised, as staff see it (docs/clinical/TRIAGE.md, "What the patient is told").

A `serious` intake's receipt promises a call by a time worked out from when it was sent and the clinic's hours
(`intake.rules.callback.callback_deadline`, the same settings as the receipt and its e-mail). Until stop 31 staff saw
that time nowhere: the queue and the intake page now say it, and say when it has passed while the intake waits, and
the serious alert's e-mail says it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from intake.models import Level
from intake.rules.callback import ClinicHours, callback_deadline, parse_clinic_hours


@dataclass(frozen=True)
class PromisedCall:
    by: datetime.datetime  # in the clinic's time zone, as the receipt said it
    overdue: bool  # the time has passed and the intake is not reviewed


def promised_call(
    level: int | None, submitted_at: datetime.datetime | None, *, is_reviewed: bool, now: datetime.datetime
) -> PromisedCall | None:
    """The call a patient was promised on their receipt: a sent `serious` intake's; None for any other."""
    if level != Level.SERIOUS or submitted_at is None:
        return None
    hours, within = _clinic_hours(settings.CLINIC_HOURS), settings.CLINIC_CALLBACK_HOURS
    by = callback_deadline(timezone.localtime(submitted_at), hours, within_hours=within).by
    return PromisedCall(by=by, overdue=not is_reviewed and now >= by)


@lru_cache(maxsize=4)
def _clinic_hours(text: str) -> ClinicHours:
    return parse_clinic_hours(text)
