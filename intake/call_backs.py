"""The call-back the patient was promised, as staff see it (docs/clinical/TRIAGE.md, "What the patient is told").

A `serious` intake's receipt promises a call by a time worked out from when it was sent and the clinic's hours
(`intake.rules.callback.callback_deadline`); the time is stored when the intake is sent (`Intake.call_back_by`).
Until stop 31 staff saw that time nowhere: the queue and the intake page now say it, and say when it has passed while
the intake waits, and the serious alert's e-mail says it.

`clinic_hours()` is the one reading of the settings the promise is worked out from (hours, closed dates, last-call
minutes): the receipt, the confirmation e-mail and the stored time use it alike, so none of them forgets a holiday.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from intake.rules.callback import ClinicHours, parse_clinic_hours

if TYPE_CHECKING:
    from intake.models import Intake


def clinic_hours() -> ClinicHours:
    """The clinic's hours as every call-back promise counts them: `CLINIC_HOURS`, `CLINIC_CLOSED_DATES` and
    `CLINIC_LAST_CALL_MINUTES` (checked at start-up in settings)."""
    return parse_clinic_hours(
        settings.CLINIC_HOURS,
        closed_dates=settings.CLINIC_CLOSED_DATES,
        last_call_minutes=settings.CLINIC_LAST_CALL_MINUTES,
    )


@dataclass(frozen=True)
class PromisedCall:
    by: datetime.datetime  # in the clinic's time zone, as the receipt said it
    overdue: bool  # the time has passed (and no review since sending has answered it: else there is no PromisedCall)


def promised_call(
    call_back_by: datetime.datetime | None,
    *,
    submitted_at: datetime.datetime | None,
    reviewed_at: datetime.datetime | None,
    is_reviewed: bool,
    now: datetime.datetime,
) -> PromisedCall | None:
    """The call the patient's receipt promised (`Intake.call_back_by`, stored when the intake was sent serious and its
    receipt promised a call: `services.assessment.promise_call_back`), while no review has answered it.

    A review made once the intake was sent answers the promise (`reviewed_at`, the last review): an intake reopened
    since by new red flags has no receipt promise outstanding, and the old time is not shown as overdue. A review
    before sending (of the safety step's urgent result) answers none, even though the intake stays reviewed: the
    patient was still told a clinician would call (until stop 32 such a promise was shown nowhere and never
    escalated). A review whose time is not known (`is_reviewed` without `reviewed_at`, rows from before it was kept)
    is taken to answer it. A level reached after sending promised the patient nothing: none is stored (review of the
    stop-31 commits).
    """
    if call_back_by is None or submitted_at is None:
        return None
    if reviewed_at is not None and reviewed_at >= submitted_at:
        return None
    if reviewed_at is None and is_reviewed:
        return None
    return PromisedCall(by=timezone.localtime(call_back_by), overdue=now >= call_back_by)


def call_owed(intake: Intake, *, now: datetime.datetime | None = None) -> bool:
    """The call `intake`'s receipt promised is still owed: no review since sending has answered it, though the
    intake may be marked reviewed (a review before sending). Only a review with an outcome answers it
    (`services.review.mark_reviewed`); a bare note never did (review of the stop-32 commits)."""
    return (
        promised_call(
            intake.call_back_by,
            submitted_at=intake.submitted_at,
            reviewed_at=intake.reviewed_at,
            is_reviewed=intake.is_reviewed,
            now=now or timezone.now(),
        )
        is not None
    )
