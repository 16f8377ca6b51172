"""A clinician's review of an intake: who reviewed it, when, with what outcome, and the notes they add.

docs/clinical/TRIAGE.md, "Review outcomes": reviewing an urgent or serious intake records what happened, and so does
reviewing any intake whose red-flag answers are still latched (`needs_outcome`: the service refuses a review without
one, whoever calls it, so an urgent intake can never leave the escalation path on a bare note). Any outcome
but "could not reach" marks the intake reviewed and clears its latched red-flag answers (the engine then runs again
on the current answers; the rows stay as the record). "Could not reach" leaves it unreviewed, so escalation goes on.
An outcome that means staff spoke with the patient (`PATIENT_REACHED_OUTCOMES`) also adds to the patient's reading
list the articles held back until that call (docs/clinical/ARTICLES.md, article 10).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from audit import services as audit
from intake.call_backs import call_owed
from intake.models import PATIENT_REACHED_OUTCOMES, Intake, Level, RedFlagAnswer, ReviewNote, reviewed_before_sending
from intake.rules import answers as answer_codec
from intake.rules.catalogue import assess_answers
from intake.rules.triage import MSCC_LEG_QUESTIONS, RULES
from intake.services.assessment import (
    actionable_flags,
    background_for,
    form_of,
    record_assessment,
    share_reading_held_back_until_contact,
)
from intake.services.latches import clear_latches, earlier_answers

Outcome = ReviewNote.Outcome
MSG_OTHER_NEEDS_NOTE = "Say in the note what happened."
MSG_UNKNOWN_OUTCOME = "Choose one of the outcomes listed."
MSG_OUTCOME_REQUIRED = "Choose what happened: an urgent or serious intake is marked reviewed with its outcome."
MSG_CHANGED_SINCE_SHOWN = (
    "New red-flag answers came in after this page was opened, so nothing was saved. The page now shows them: read "
    "them, then review again."
)


class InvalidReview(ValueError):
    """A review the service refuses; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReviewOutcome:
    newly_reviewed: bool
    note: ReviewNote | None
    # The same review from the same page was saved already (a double click): nothing more was saved.
    repeated: bool = False


def review_basis(
    level: int | None,
    flag_codes: Iterable[str],
    review_round: int | None = None,
    last_note: int | None = None,
    *,
    reasons: Mapping[str, str] | None = None,
) -> str:
    """What a review is judged on, as the intake page shows it: the level, the red flags (codes only), the review
    round, the newest note listed (its id, 0 for none) and, with `reasons` (code -> the reason the page shows), a
    short digest of each red flag's reason (and of each MSCC leg flag's, SC1-SC4: `LATCH_NOTED_LEG_FLAGS`), as one
    short string. The review form carries it back (`seen`), so a review sent from a page opened before a new red flag
    arrived is refused rather than applied to flags the clinician never saw (`_new_since_shown`; also a flag whose
    reason changed: a latched answer given again, "changed to no" gone or come), and the same review sent twice from
    one page is saved once (`_sent_again`)."""
    codes = ",".join(sorted(actionable_flags(set(flag_codes))))
    basis = f"{level or ''}|{codes}"
    if review_round is None:
        return basis
    basis = f"{basis}|{review_round}"
    if last_note is None:
        return basis
    basis = f"{basis}|{last_note}"
    if reasons is None:
        return basis
    digests = _reason_digests(reasons)
    return f"{basis}|" + ",".join(f"{code}:{digest}" for code, digest in sorted(digests.items()))


# The sciatica flags (SC1-SC4) are not red flags (`actionable_flags`), but beside a cancer history their answers make
# MSCC and latch: their reasons carry the latch's note ("leg numbness or tingling answered yes at 10:02, changed to no
# at 10:05"), which the MSCC flag above them does not. A clinician judging the MSCC reads it there: a change to it is
# news the review must not skip, as for the red flags' own reasons.
LATCH_NOTED_LEG_FLAGS = frozenset(rule.code for rule in RULES if set(rule.questions) & MSCC_LEG_QUESTIONS)


def _reason_digests(reasons: Mapping[str, str]) -> dict[str, str]:
    """A few characters per red flag standing for its reason (the times of latched answers included); the MSCC leg
    flags' too (`LATCH_NOTED_LEG_FLAGS`)."""
    return {
        code: hashlib.sha256(reason.encode()).hexdigest()[:8]
        for code, reason in reasons.items()
        if code in actionable_flags({code}) or code in LATCH_NOTED_LEG_FLAGS
    }


def _shown_reasons(seen: str) -> dict[str, str] | None:
    """The reason digests a `review_basis` names (None for a page that did not say)."""
    parts = seen.split("|")
    if len(parts) < 5:
        return None
    return dict(item.partition(":")[::2] for item in parts[4].split(",") if item)


def _shown(seen: str) -> tuple[int | None, set[str]]:
    """The level and red flags a `review_basis` names."""
    level_text, _, rest = seen.partition("|")
    codes_text = rest.partition("|")[0]
    return (int(level_text) if level_text.isdigit() else None), set(filter(None, codes_text.split(",")))


def _shown_round(seen: str) -> int | None:
    """The review round a `review_basis` names (None for a page that did not say)."""
    round_text = seen.split("|")[2] if seen.count("|") >= 2 else ""
    return int(round_text) if round_text.isdigit() else None


def _shown_last_note(seen: str) -> int | None:
    """The id of the newest note the page listed (None for a page that did not say)."""
    parts = seen.split("|")
    return int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None


def _sent_again(seen: str, intake: Intake, *, by: Any, text: str, outcome: str) -> bool:
    """This review was saved already from the same page (a double click, or a slow page sent again): a note by the
    same person, with the same words and outcome, saved since the page was opened. A page opened afterwards lists
    that note, so a second attempt to reach the patient sent from it is a note of its own."""
    shown = _shown_last_note(seen)
    if shown is None or not (text or outcome):
        return False
    return ReviewNote.objects.filter(intake=intake, pk__gt=shown, author=by, text=text, outcome=outcome).exists()


def _new_since_shown(seen: str, intake: Intake) -> bool:
    """Red flags the page did not show, a more urgent level, or a round opened since (new red flags took the intake
    out of "reviewed": a flag another review cleared and the patient then gave again has the same code as the one
    the page showed, but it is a new report). Flags gone since (another clinician's review cleared a latch) are not
    news: that review still stands beside this one."""
    shown_level, shown = _shown(seen)
    now = actionable_flags(set(intake.flags.values_list("code", flat=True)))
    more_urgent = intake.level is not None and (shown_level is None or intake.level < shown_level)
    shown_round = _shown_round(seen)
    reopened_since = shown_round is not None and shown_round != intake.review_round
    shown_reasons = _shown_reasons(seen)
    reworded = shown_reasons is not None and any(
        code in shown_reasons and shown_reasons[code] != digest
        for code, digest in _reason_digests(dict(intake.flags.values_list("code", "reason"))).items()
    )
    return bool(now - shown) or more_urgent or reopened_since or (reworded and not _latches_cleared_since(seen, intake))


def _latches_cleared_since(seen: str, intake: Intake) -> bool:
    """A review with an outcome, saved (and not undone) since the page was opened, cleared the latches: a flag that
    stands on another answer loses its latch's note from its reason then, which is no news (a colleague's review at
    the same moment, or a double click, was refused as if the patient had said yes again). Such a review closed every
    latch: one open now is an answer given again since, which is news."""
    return (
        ReviewNote.objects.filter(intake=intake, pk__gt=_shown_last_note(seen) or 0, undone_at__isnull=True)
        .exclude(outcome__in=("", Outcome.COULD_NOT_REACH))
        .exists()
        and not RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()
    )


def needs_outcome(level: int | None, *, reviewed: bool, latches_open: bool) -> bool:
    """An urgent or serious intake is reviewed with an outcome; so is one with red-flag answers still latched (only a
    review with an outcome clears them). A note added after such a review needs none."""
    if level not in (Level.URGENT, Level.SERIOUS):
        return False
    return not reviewed or latches_open


def mark_reviewed(
    intake: Intake,
    *,
    by: Any,
    note: str = "",
    outcome: str = "",
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
    seen: str | None = None,
) -> ReviewOutcome:
    """Record the review (or, for "could not reach", the attempt), keep the note, and clear latches on an outcome.

    Two clinicians at once: the conditional update lets exactly one of them become "reviewed by"; the other's click
    still succeeds and their note is added, never overwriting anything. `seen`: the `review_basis` of the page the
    review was sent from; when red flags it did not show have come in since (or a more urgent level), nothing is saved
    (InvalidReview on "__all__"). Callers without a page (scripts) pass None.
    """
    now = now or timezone.now()
    text = note.strip()
    if outcome and outcome not in Outcome.values:
        raise InvalidReview(MSG_UNKNOWN_OUTCOME, field="outcome")
    if outcome == Outcome.OTHER and not text:
        raise InvalidReview(MSG_OTHER_NEEDS_NOTE, field="note")
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if seen is not None and _new_since_shown(seen, locked):
            raise InvalidReview(MSG_CHANGED_SINCE_SHOWN, field="__all__")
        if seen is not None and _sent_again(seen, locked, by=by, text=text, outcome=outcome):
            intake.refresh_from_db(fields=["is_reviewed", "reviewed_at", "reviewed_by", "level"])
            return ReviewOutcome(newly_reviewed=False, note=None, repeated=True)
        # A call its receipt promised after a review before sending is still owed: the review of the sent form needs
        # an outcome, as any first review of a serious intake does.
        owed = call_owed(locked, now=now)
        if not outcome and needs_outcome(
            locked.level,
            reviewed=locked.is_reviewed and not owed,
            latches_open=RedFlagAnswer.objects.filter(intake=locked, cleared_at__isnull=True).exists(),
        ):
            raise InvalidReview(MSG_OUTCOME_REQUIRED, field="outcome")
        saved = None
        if text or outcome:
            saved = ReviewNote.objects.create(
                intake=locked,
                author=by,
                text=text,
                outcome=outcome,
                rules_version=locked.rules_version,
                review_round=locked.review_round,  # locked: a reopen waits for this note, or this note for it
                # The flags the reviewer judged: those stored now, and those their page showed that a review sent
                # at the same moment has cleared since (its note kept only what was left, and the outcome report
                # lost the flags the outcome answered: the stop-29 audit).
                flag_codes=sorted(
                    set(locked.flags.values_list("code", flat=True))
                    | (actionable_flags(_shown(seen)[1]) if seen else set())  # posted: only real flag codes
                ),
            )
        newly = False
        if outcome != Outcome.COULD_NOT_REACH:
            # Not reviewed yet; or reviewed only before it was sent and owing the call its receipt promised, which a
            # review with an outcome of the sent form answers (intake.call_backs; review of the stop-32 commits).
            # Still one "reviewed by" at once; a note on any other reviewed intake leaves who reviewed it as it was.
            waiting = Q(is_reviewed=False)
            if owed and outcome:
                waiting |= Q(reviewed_at__lt=F("submitted_at"))
            newly = bool(
                Intake.objects.filter(waiting, pk=locked.pk).update(
                    is_reviewed=True,
                    reviewed_at=now,
                    reviewed_by=by,
                    # The row is locked: its sending time cannot change before this commits.
                    last_review_before_sending=reviewed_before_sending(now, locked.submitted_at),
                    # What undoing this review puts back (SET reads the row as it was before the UPDATE).
                    previous_reviewed_at=F("reviewed_at"),
                    previous_reviewed_by=F("reviewed_by"),
                    review_undone=False,  # this review is the one an undo would undo
                    updated_at=now,
                )
            )
        if outcome in PATIENT_REACHED_OUTCOMES:
            # Before the latches are cleared; the list is judged on the flags as sent (latched answers included).
            share_reading_held_back_until_contact(locked, now=now)
        if outcome and outcome != Outcome.COULD_NOT_REACH and clear_latches(locked, by=by, now=now):
            reassess_without_cleared_latches(locked, now=now)
        if outcome != Outcome.COULD_NOT_REACH:
            # What the intake is reviewed with, once its latches are cleared: red flags beyond these reopen it.
            reviewed = sorted(actionable_flags(set(locked.flags.values_list("code", flat=True))))
            Intake.objects.filter(pk=locked.pk).update(reviewed_flags=reviewed)
        audit.record(
            "reviewed_intake",
            actor=by,
            request=request,
            intake_id=intake.pk,
            detail=_audit_detail(newly=newly, outcome=outcome, note_added=bool(text)),
        )
    intake.refresh_from_db(fields=["is_reviewed", "reviewed_at", "reviewed_by", "level"])
    return ReviewOutcome(newly, saved)


def reassess_without_cleared_latches(intake: Intake, *, now: datetime.datetime) -> None:
    """The intake judged again by its own form's rules (a follow-up with its visit's answers beneath it), the
    cleared latches no longer counting."""
    sent = intake.status == Intake.Status.SUBMITTED
    result = assess_answers(
        form_of(intake),
        answer_codec.from_json(intake.answers),
        today=timezone.localdate(intake.submitted_at or now),
        background=background_for(intake),
        earlier=earlier_answers(intake),
        interim=not sent,
    )
    record_assessment(intake, result, now=now)


def _audit_detail(*, newly: bool, outcome: str, note_added: bool) -> str:
    if outcome == Outcome.COULD_NOT_REACH:
        detail = "could not reach the patient; stays unreviewed"
    else:
        detail = "marked reviewed" if newly else "already reviewed"
    if outcome and outcome != Outcome.COULD_NOT_REACH:
        detail += f", outcome {outcome}"
    return detail + (", note added" if note_added else "")


# How far back the sweep sets `Intake.last_review_before_sending` from the times (`flag_recent_reviews_before_sending`).
REVIEW_FLAG_REPAIR_WINDOW = datetime.timedelta(days=1)


def flag_recent_reviews_before_sending(now: datetime.datetime) -> int:
    """Set the flag of intakes sent in the last day whose last review came before sending, where a writer left it
    unset: web processes still on the previous release during a deploy send forms and undo reviews without it (intake
    0025 fills it once, and they keep running a few minutes after). The alert sweep runs it before its call-back
    look-up, which reads through the flag. A range of the sending-time index (`intake_submitted_at`); an UPDATE of
    nothing on nearly every run. Returns how many it set."""
    return Intake.objects.filter(
        submitted_at__gte=now - REVIEW_FLAG_REPAIR_WINDOW,
        reviewed_at__lt=F("submitted_at"),
        last_review_before_sending=False,
    ).update(last_review_before_sending=True)
