"""Latched red-flag answers: opened by a yes or not sure (or a red-flag choice: the fall behind SP7), marked when
changed to "no" (another choice), cleared only by a review.

docs/clinical/TRIAGE.md, "Latched red flags and partial pages". Callers hold the intake's row lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Set
from typing import Any

from django.utils import timezone

from intake.models import Intake, RedFlagAnswer
from intake.rules.triage import LATCHED_QUESTIONS, MSCC_LEG_QUESTIONS, EarlierAnswer, is_red_flag_answer, takes_back


def open_latches(intake: Intake) -> dict[str, RedFlagAnswer]:
    return {row.code: row for row in RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True)}


def as_earlier(
    latches: Mapping[str, RedFlagAnswer], *, sent_at: datetime.datetime | None = None
) -> dict[str, EarlierAnswer]:
    """Open latches as the triage engine takes them (times in the clinic's time zone); `sent_at`, the intake's sending
    time, tells an answer given after it."""
    return {
        code: EarlierAnswer(
            row.value,
            timezone.localtime(row.answered_at),
            timezone.localtime(row.changed_to_no_at) if row.changed_to_no_at else None,
            # One given before its latch (a leg answer, a follow-up's cancer history) came with the form, not after it.
            after_sending=sent_at is not None and row.answered_at > sent_at and not row.given_before,
            given_before=row.given_before,
        )
        for code, row in latches.items()
    }


def earlier_answers(intake: Intake) -> dict[str, EarlierAnswer]:
    return as_earlier(open_latches(intake), sent_at=intake.submitted_at)


def latch(
    intake: Intake,
    answers: Mapping[str, object],
    codes: set[str],
    *,
    latches: dict[str, RedFlagAnswer],
    now: datetime.datetime,
    before: Mapping[str, object] | None = None,
    cancer_history: bool = False,
    stored: Set[str] = frozenset(),
) -> dict[str, RedFlagAnswer]:
    """Open a latch for each red-flag answer (`is_red_flag_answer`: yes/not sure, or a red-flag choice); note the time
    of a change to "no" or another choice (`takes_back`) on an open one.

    `latches` are the intake's open latches (`open_latches`); the updated mapping is returned. `before`, the answers
    as stored before these: a latched choice changed from one other choice to another (a fall, then lifting, then
    running) notes the time of the latest change, so that the reason's "changed to running at ..." is true.
    `cancer_history`: a cancer history stands, so a leg answer that makes MSCC with it (`MSCC_LEG_QUESTIONS`) opens
    a latch too; one already open is marked or reopened whatever the caller says. `stored`: codes whose answer was
    stored before this request (not posted in it): a latch opened for one is marked as given before `now`.
    """
    latches = dict(latches)
    opens = LATCHED_QUESTIONS | MSCC_LEG_QUESTIONS if cancer_history else LATCHED_QUESTIONS
    for code in sorted(codes & (LATCHED_QUESTIONS | MSCC_LEG_QUESTIONS)):
        value, row = answers.get(code), latches.get(code)
        if row is None and code not in opens:
            continue
        if isinstance(value, str) and is_red_flag_answer(code, value) and row is None:
            latches[code] = RedFlagAnswer.objects.create(
                intake=intake, code=code, value=value, answered_at=now, given_before=code in stored
            )
        elif is_red_flag_answer(code, value) and row is not None and row.changed_to_no_at is not None:
            row.changed_to_no_at = None  # said yes (chose the fall) again
            row.save(update_fields=["changed_to_no_at"])
        elif (
            takes_back(code, value)
            and row is not None
            and (row.changed_to_no_at is None or _changed_again(code, value, before))
        ):
            row.changed_to_no_at = now
            row.save(update_fields=["changed_to_no_at"])
    return latches


def _changed_again(code: str, value: object, before: Mapping[str, object] | None) -> bool:
    """From one answer that takes the red-flag answer back to another (only a choice has more than one)."""
    previous = before.get(code) if before is not None else None
    return takes_back(code, previous) and previous != value


def clear_latches(intake: Intake, *, by: Any, now: datetime.datetime) -> int:
    """A clinician's review with an outcome closes every open latch (the rows stay as the record)."""
    return RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).update(cleared_at=now, cleared_by=by)
