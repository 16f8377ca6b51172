"""Saving the patient's answers one step at a time, and the emergency page that a safety concern opens."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from intake.models import Intake, IntakeFlag, Level
from intake.rules import answers as answer_codec
from intake.rules.questionnaire import questions_that_apply, step_by_slug
from intake.rules.questionnaire_checks import validate_answers
from intake.rules.triage import assess_safety_step, needs_emergency_page
from intake.services.assessment import record_assessment
from intake.services.errors import InvalidAnswers

SAFETY_STEP = "safety"


def save_step(intake: Intake, step_slug: str, answers: Mapping[str, object], *, now: datetime.datetime) -> Intake:
    """Replace one step's answers (all or nothing) and move the resume point on.

    `answers` are typed values for this step's questions. If any fails the questionnaire's checks, InvalidAnswers is
    raised and nothing is stored. After the safety step, any CE1-CE6 concern stores the intake as urgent at once.
    """
    step = step_by_slug(step_slug)
    codes = {question.code for question in step.questions}
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status == Intake.Status.SUBMITTED:
            raise InvalidAnswers(step_slug, {"__all__": "This form has already been sent."})
        current = answer_codec.from_json(locked.answers)
        merged = {code: value for code, value in current.items() if code not in codes}
        merged.update({code: value for code, value in answers.items() if code in codes and value is not None})
        # Answers to questions that are not asked (a hidden follow-up) are not kept.
        asked = {question.code for question in questions_that_apply(step, merged)}
        merged = {code: value for code, value in merged.items() if code not in codes or code in asked}
        errors = validate_answers(step_slug, merged, today=timezone.localdate(now))
        if errors:
            raise InvalidAnswers(step_slug, errors)
        locked.answers = answer_codec.to_json(merged)
        locked.current_step = answer_codec.furthest(locked.current_step, answer_codec.next_place(step_slug))
        locked.save(update_fields=["answers", "current_step", "updated_at"])
        if step_slug == SAFETY_STEP and needs_emergency_page(merged):
            result = assess_safety_step(merged)
            stored_codes = set(IntakeFlag.objects.filter(intake=locked).values_list("code", flat=True))
            # Stored (and staff alerted) the first time; again only if the concerns changed, never for a re-save.
            if locked.level != Level.URGENT or stored_codes != set(result.codes):
                record_assessment(locked, result, now=now)
    intake.refresh_from_db()
    return intake


def safety_answers_need_emergency_page(intake: Intake) -> bool:
    """Whether the saved safety step (once saved; an empty one does not count) calls for the emergency page."""
    saved = answer_codec.place_index(intake.current_step) > answer_codec.place_index(SAFETY_STEP)
    return saved and needs_emergency_page(answer_codec.from_json(intake.answers))


def needs_emergency_acknowledgement(intake: Intake) -> bool:
    return intake.emergency_acknowledged_at is None and safety_answers_need_emergency_page(intake)


def mark_emergency_shown(intake: Intake, *, now: datetime.datetime) -> None:
    Intake.objects.filter(pk=intake.pk, emergency_shown_at__isnull=True).update(emergency_shown_at=now)


def acknowledge_emergency(intake: Intake, *, now: datetime.datetime) -> None:
    Intake.objects.filter(pk=intake.pk, emergency_acknowledged_at__isnull=True).update(emergency_acknowledged_at=now)
    intake.refresh_from_db()
