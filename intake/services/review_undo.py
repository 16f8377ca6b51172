"""Undoing a review saved on the wrong patient: the intake waits for review again, as it did before it.

A clinic finds such a mistake when the right patient is called, often hours later and often by a colleague, so any
clinician who may mark an intake reviewed may undo its latest review, at any time: an undo only ever puts an intake
back in front of staff, the safe direction, while a refused undo would leave an urgent patient marked reviewed that
nobody reviewed. The latest review stays undoable after new red flags have reopened the intake (a new round): until
it is undone, the red-flag answers it cleared stay cleared and its outcome counts, though no clinician reviewed this
patient. One level only: the review an undo puts back is not undoable itself (`Intake.review_undone`), so a second
click never walks back to a review nobody questioned. What an undo does:

- the intake is unreviewed again (one reopened already stays so); its "reviewed by" and "at" go back to the review
  before (`previous_reviewed_*`, none for a first review), so a reopened intake keeps its earlier review and a
  call-back the receipt promised is owed again exactly when the undone review was the one that answered it;
- the notes the reviewer saved with that review, and after it in the same round, stay on the page marked undone
  (`undone_at`): their outcomes are no longer counted (outcome report, export, reading list) and their failed calls
  no longer delay or count in escalation. Not the notes of a round new red flags opened after the review
  (`ReviewNote.review_round`, recorded under the intake's lock): a failed call logged then, even by the same
  clinician, was a call to this patient and still counts, as do its notes' outcomes;
- the red-flag answers it cleared count again (unless the patient has given the same one again since), and the
  intake is judged again with them, as before the review; a cancer history counting again latches the leg answers
  that make MSCC with it, the intake's own (still being answered) and those of its follow-ups, each judged again
  (a sent follow-up as sent: alerted, and opened again if a review had not seen the MSCC);
- the audit trail records who undid whose review of when; `review_undone` is sent, so the alerts app resumes the
  alerts the review had cancelled, and the sweeper, which escalates unreviewed urgent intakes of the current round,
  escalates this one again (at its next run, when the minutes passed while it was wrongly marked reviewed). Of an
  intake reopened already (`was_reviewed` False) the current round was never marked reviewed: its alerts and
  escalations went out as they should, and none is sent again.

`review`: the review the undo was sent for (`review_token` of the page it came from). An undo from a page opened before
someone reviewed the intake again is refused (`StaleUndo`), never applied to the newer review; one sent twice finds
no review to undo and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from audit import services as audit
from intake import signals
from intake.models import Intake, RedFlagAnswer, ReviewNote, reviewed_before_sending
from intake.services.answering import (
    latch_follow_ups_beside_a_cancer_history,
    latch_leg_answers_beside_a_cancer_history,
)
from intake.services.assessment import share_reading_held_back_until_contact, staff_have_reached
from intake.services.review import reassess_without_cleared_latches

MSG_REVIEWED_AGAIN = "Nothing was undone: intake #{intake} was reviewed again after this page was opened."


class StaleUndo(ValueError):
    """The intake's latest review is not the one the undo was sent for."""


@dataclass(frozen=True)
class UndoOutcome:
    undone: bool  # False: there was no review to undo any more (an undo sent twice): nothing changed
    reviewed_by: Any = None
    reviewed_at: datetime.datetime | None = None
    was_reviewed: bool = True  # False: new red flags had reopened the intake before the undo (it was waiting already)


def has_review_to_undo(intake: Intake) -> bool:
    """The intake's latest review, reviewed or reopened since, and not put back by an undo (one level of undo)."""
    return not intake.review_undone and (intake.is_reviewed or intake.reviewed_at is not None)


def review_token(intake: Intake) -> str:
    """Which review the intake's page shows: the reviewer and the time, to the microsecond."""
    at = intake.reviewed_at.isoformat() if intake.reviewed_at else ""
    return f"{intake.reviewed_by_id or ''}|{at}"


def undo_review(
    intake: Intake, *, by: Any, review: str, request: HttpRequest | None = None, now: datetime.datetime | None = None
) -> UndoOutcome:
    now = now or timezone.now()
    with transaction.atomic():
        locked = Intake.objects.select_for_update(of=("self",)).select_related("reviewed_by").get(pk=intake.pk)
        if not has_review_to_undo(locked):
            return UndoOutcome(undone=False)
        if review_token(locked) != review:
            raise StaleUndo(MSG_REVIEWED_AGAIN.format(intake=locked.pk))
        reviewer, reviewed_at, was_reviewed = locked.reviewed_by, locked.reviewed_at, locked.is_reviewed
        notes = 0
        reopened: list[str] = []
        if reviewed_at is not None:
            notes = _notes_of_its_round(locked, was_reviewed=was_reviewed).update(undone_at=now, undone_by=by)
            reopened = _reopen_latches(locked, cleared_by=locked.reviewed_by_id, since=reviewed_at)
        Intake.objects.filter(pk=locked.pk).update(
            is_reviewed=False,
            reviewed_at=locked.previous_reviewed_at,
            reviewed_by=locked.previous_reviewed_by_id,
            last_review_before_sending=reviewed_before_sending(locked.previous_reviewed_at, locked.submitted_at),
            previous_reviewed_at=None,
            previous_reviewed_by=None,
            review_undone=True,
            updated_at=now,
        )
        locked.refresh_from_db()
        if reopened:
            if "cancer_history" in reopened:  # the leg answers given since make MSCC with it: latched as it stands
                latch_leg_answers_beside_a_cancer_history(locked, now=now)
            reassess_without_cleared_latches(locked, now=now)
            if "cancer_history" in reopened:  # beneath its follow-ups too, sent or not: latched and triaged again
                latch_follow_ups_beside_a_cancer_history(locked, now=now)
        if notes and not staff_have_reached(locked):
            # Article 10 ("that is why we got in touch") was shared by the call the undone review recorded.
            share_reading_held_back_until_contact(locked, now=now, staff_contacted=False)
        who = reviewer.username if reviewer else "an account removed since"
        when = reviewed_at.isoformat(timespec="seconds") if reviewed_at else "an unknown time"
        detail = f"undid the review by {who} at {when}; {notes} note(s) marked undone"
        if not was_reviewed:
            detail += "; new red flags had reopened the intake already"
        if reopened:
            detail += f"; red-flag answers count again: {', '.join(reopened)}"
        audit.record("undid_review", actor=by, request=request, intake_id=locked.pk, detail=detail)
        signals.review_undone.send(sender=Intake, intake=locked, was_reviewed=was_reviewed)
    intake.refresh_from_db()
    return UndoOutcome(undone=True, reviewed_by=reviewer, reviewed_at=reviewed_at, was_reviewed=was_reviewed)


def _notes_of_its_round(intake: Intake, *, was_reviewed: bool) -> QuerySet[ReviewNote]:
    """The notes the reviewer saved with the review and after it in its round. Reopened since (`was_reviewed` False),
    the intake is in the round new red flags opened after the review (a round opens only on a reviewed intake, and
    this is its latest review): the reviewer's notes of that round, a failed call to this patient, are not the
    review's. A note no migration could place in a round (`review_round` None) counts as the review's, as before."""
    notes = ReviewNote.objects.filter(
        intake=intake, author_id=intake.reviewed_by_id, created_at__gte=intake.reviewed_at, undone_at__isnull=True
    )
    return notes if was_reviewed else notes.exclude(review_round=intake.review_round)


def _reopen_latches(intake: Intake, *, cleared_by: int | None, since: datetime.datetime) -> list[str]:
    """The latches the undone review cleared (and any its reviewer's outcome notes after it cleared), open again;
    not where the patient has given the answer again since (an open latch of that question stands already)."""
    still_open = RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True)
    open_codes = set(still_open.values_list("code", flat=True))
    cleared = RedFlagAnswer.objects.filter(intake=intake, cleared_by_id=cleared_by, cleared_at__gte=since)
    codes = []
    for row in cleared.exclude(code__in=open_codes).order_by("-cleared_at", "-id"):
        if row.code in codes:
            continue  # the latest cleared row of a question is the one to open again
        RedFlagAnswer.objects.filter(pk=row.pk).update(cleared_at=None, cleared_by=None)
        codes.append(row.code)
    return sorted(codes)
