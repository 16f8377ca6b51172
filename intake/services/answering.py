"""Saving the patient's answers one step at a time, and acting at once on any red-flag answer.

docs/clinical/TRIAGE.md, "Latched red flags and partial pages": a red-flag answer (yes or not sure) is stored,
triaged and alerted the moment it is posted, whatever else on the page is missing or wrong (`record_red_flags`,
called before the page is validated); a later "no" never erases it (`RedFlagAnswer` rows are given to the engine as
the earlier answers until a clinician's review clears them).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from intake.models import Intake, Level
from intake.rules import answers as answer_codec
from intake.rules.questionnaire import is_yes, questions_that_apply, step_by_slug
from intake.rules.questionnaire_checks import validate_answers
from intake.rules.triage import LATCHED_QUESTIONS, EarlierAnswer, TriageResult, assess_interim, emergency_for_codes
from intake.services.assessment import record_assessment
from intake.services.errors import InvalidAnswers
from intake.services.latches import as_earlier, latch, open_latches

SAFETY_STEP = "safety"
MSG_ALREADY_SENT = "This form has already been sent."


def _reassess(intake: Intake, *, earlier: Mapping[str, EarlierAnswer], now: datetime.datetime) -> None:
    """Triage the answers so far, with the latches; store the result when it flags or changes what staff see.

    An intake with nothing worrying keeps no level until it is sent (the queue shows sent intakes and flagged ones).
    """
    answers = answer_codec.from_json(intake.answers)
    result: TriageResult = assess_interim(answers, today=timezone.localdate(now), earlier=earlier)
    if result.level not in ("urgent", "serious") and intake.level is None:
        return
    shown = set(intake.flags.values_list("code", "reason"))
    if intake.level_code != result.level or shown != {(flag.code, flag.reason) for flag in result.flags}:
        record_assessment(intake, result, now=now)


def record_red_flags(intake: Intake, posted: Mapping[str, object], *, now: datetime.datetime) -> Intake:
    """Act on the red-flag answers of a posted page before anything else about the page is checked.

    `posted` maps this page's field codes to what was posted. Only answers of exactly yes or not sure to red-flag
    questions are taken; they are stored into the answers (so the page shows them again), latched, and triaged, and
    the result alerts staff through the usual signal. Nothing else on the page is saved here.
    """
    raised = {code: value for code, value in posted.items() if code in LATCHED_QUESTIONS and is_yes(value)}
    if not raised:
        return intake
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status == Intake.Status.SUBMITTED:
            return locked
        answers = answer_codec.from_json(locked.answers)
        if any(answers.get(code) != value for code, value in raised.items()):
            locked.answers = answer_codec.to_json({**answers, **raised})
            locked.save(update_fields=["answers", "updated_at"])
        latches = latch(locked, raised, set(raised), latches=open_latches(locked), now=now)
        _reassess(locked, earlier=as_earlier(latches), now=now)
    intake.refresh_from_db()
    return intake


def save_step(intake: Intake, step_slug: str, answers: Mapping[str, object], *, now: datetime.datetime) -> Intake:
    """Replace one step's answers (all or nothing) and move the resume point on.

    `answers` are typed values for this step's questions. If any fails the questionnaire's checks, InvalidAnswers is
    raised and nothing is stored (red-flag answers were already acted on by `record_red_flags`). Red-flag answers
    are latched, and the answers so far are triaged: a flag stores the intake's level at once.
    """
    step = step_by_slug(step_slug)
    codes = {question.code for question in step.questions}
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status == Intake.Status.SUBMITTED:
            raise InvalidAnswers(step_slug, {"__all__": MSG_ALREADY_SENT})
        current = answer_codec.from_json(locked.answers)
        merged = {code: value for code, value in current.items() if code not in codes}
        merged.update({code: value for code, value in answers.items() if code in codes and value is not None})
        # Answers to questions that are not asked (a hidden follow-up) are not kept.
        asked = {question.code for question in questions_that_apply(step, merged, today=timezone.localdate(now))}
        merged = {code: value for code, value in merged.items() if code not in codes or code in asked}
        errors = validate_answers(step_slug, merged, today=timezone.localdate(now))
        if errors:
            raise InvalidAnswers(step_slug, errors)
        locked.answers = answer_codec.to_json(merged)
        locked.current_step = answer_codec.furthest(locked.current_step, answer_codec.next_place(step_slug))
        locked.save(update_fields=["answers", "current_step", "updated_at"])
        # Nothing flagged yet and no red-flag question on this page: no latch can exist, spare the query.
        known = open_latches(locked) if locked.level is not None or codes & LATCHED_QUESTIONS else {}
        latches = latch(locked, merged, codes, latches=known, now=now)
        _reassess(locked, earlier=as_earlier(latches), now=now)
    intake.refresh_from_db()
    return intake


def emergency_kind(intake: Intake) -> str | None:
    """Which emergency page the stored flags call for: "ces", "mscc" or None."""
    return emergency_for_codes(set(intake.flags.values_list("code", flat=True)))


def safety_answers_need_emergency_page(intake: Intake) -> bool:
    """Whether the stored triage result calls for an emergency page (kept name: the safety step is one way in)."""
    # Only an urgent intake can have one: spare every other page the query for its flags.
    return intake.level == Level.URGENT and emergency_kind(intake) is not None


def needs_emergency_acknowledgement(intake: Intake) -> bool:
    return intake.emergency_acknowledged_at is None and safety_answers_need_emergency_page(intake)


def mark_emergency_shown(intake: Intake, *, now: datetime.datetime) -> None:
    Intake.objects.filter(pk=intake.pk, emergency_shown_at__isnull=True).update(emergency_shown_at=now)


def acknowledge_emergency(intake: Intake, *, now: datetime.datetime) -> None:
    Intake.objects.filter(pk=intake.pk, emergency_acknowledged_at__isnull=True).update(emergency_acknowledged_at=now)
    intake.refresh_from_db()
