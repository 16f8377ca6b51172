"""Every write of the intake app: invitations, identity checks, saved steps, triage results and submissions.

Views and commands call these; nothing else writes Invitation, Intake or IntakeFlag rows. Each function is one
transaction, so a failure leaves nothing half-saved, and the ones a patient can trigger twice at once (saving a step
in two tabs, a double tap on "Send") lock the intake row first.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts import services as alert_services
from intake import tasks, tokens
from intake.models import Intake, IntakeFlag, Invitation, Level
from intake.rules import answers as answer_codec
from intake.rules.questionnaire import STEP_SLUGS, questions_that_apply, step_by_slug
from intake.rules.questionnaire_checks import validate_answers
from intake.rules.recommendations import recommend
from intake.rules.triage import TriageResult, assess, assess_safety_step, needs_emergency_page

SAFETY_STEP = "safety"


def max_identity_attempts() -> int:
    # A setting so the security work can tune it; 5 wrong dates of birth lock the link.
    return int(getattr(settings, "INTAKE_MAX_IDENTITY_ATTEMPTS", 5))


class InvalidAnswers(ValueError):
    """Raised instead of saving answers that do not pass the questionnaire's checks."""

    def __init__(self, step_slug: str, errors: Mapping[str, str]) -> None:
        super().__init__(f"step {step_slug}: {len(errors)} answer(s) need attention")
        self.step_slug = step_slug
        self.errors = dict(errors)


# --- invitations --------------------------------------------------------------------------------------------------


def expiry_for(appointment_at: datetime.datetime) -> datetime.datetime:
    """The end of the day after the appointment, in the clinic's time zone."""
    day_after = timezone.localtime(appointment_at).date() + datetime.timedelta(days=2)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))


def create_invitation(
    *,
    patient_name: str,
    email: str,
    date_of_birth: datetime.date,
    appointment_at: datetime.datetime,
    created_by: Any,
    send_email: bool,
    token: str | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its raw token (returned once; only the hash is stored). `token` is for demo data."""
    raw = token or tokens.new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            patient_name=patient_name.strip(),
            email=email.strip(),
            date_of_birth=date_of_birth,
            appointment_at=appointment_at,
            token_hash=tokens.hash_token(raw),
            expires_at=expiry_for(appointment_at),
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        if send_email and invitation.email:
            tasks.send_invitation_email.enqueue(invitation.pk, tokens.seal(raw))
    return invitation, raw


def renew_link(invitation: Invitation, *, send_email: bool) -> str:
    """A fresh link for the same invitation (the old one stops working); also lifts a lock. Answers are kept."""
    raw = tokens.new_token()
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            token_hash=tokens.hash_token(raw), failed_attempts=0, locked_at=None
        )
        invitation.refresh_from_db()
        if send_email and invitation.email:
            tasks.send_invitation_email.enqueue(invitation.pk, tokens.seal(raw))
    return raw


class IdentityCheck(enum.Enum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    LOCKED = "locked"


def mark_opened(invitation: Invitation, *, now: datetime.datetime) -> None:
    Invitation.objects.filter(pk=invitation.pk, first_opened_at__isnull=True).update(first_opened_at=now)


def confirm_identity(invitation: Invitation, date_of_birth: datetime.date, *, now: datetime.datetime) -> IdentityCheck:
    """Compare the date of birth; count wrong tries and lock the link (telling the front desk) at the limit."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.locked_at is not None:
            return IdentityCheck.LOCKED
        if locked.date_of_birth == date_of_birth:
            locked.identity_confirmed_at = locked.identity_confirmed_at or now
            locked.failed_attempts = 0
            locked.save(update_fields=["identity_confirmed_at", "failed_attempts"])
            return IdentityCheck.CONFIRMED
        locked.failed_attempts += 1
        fields = ["failed_attempts"]
        if locked.failed_attempts >= max_identity_attempts():
            locked.locked_at = now
            fields.append("locked_at")
            tasks.send_lockout_email.enqueue(locked.pk)
        locked.save(update_fields=fields)
        return IdentityCheck.LOCKED if locked.locked_at else IdentityCheck.WRONG


def start_intake(invitation: Invitation) -> Intake:
    intake, _ = Intake.objects.get_or_create(
        invitation=invitation, defaults={"appointment_at": invitation.appointment_at}
    )
    return intake


# --- answering --------------------------------------------------------------------------------------------------


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


# --- triage and submission ----------------------------------------------------------------------------------------


def flag_rows(intake: Intake, result: TriageResult) -> list[IntakeFlag]:
    """The rows that show staff why an intake was flagged, one per rule that fired."""
    return [
        IntakeFlag(intake=intake, code=flag.code, short=flag.short[:40], reason=flag.reason[:200])
        for flag in result.flags
    ]


def record_assessment(intake: Intake, result: TriageResult, *, now: datetime.datetime) -> None:
    """Store a triage result (level, version, flags) and tell the alerts app, in one transaction."""
    with transaction.atomic():
        previous_level = Intake.objects.filter(pk=intake.pk).values_list("level", flat=True).get()
        intake.level = Level.from_code(result.level)
        intake.rules_version = result.rules_version
        intake.assessed_at = now
        intake.save(update_fields=["level", "rules_version", "assessed_at", "updated_at"])
        IntakeFlag.objects.filter(intake=intake).delete()
        IntakeFlag.objects.bulk_create(flag_rows(intake, result))
        alert_services.intake_level_changed(intake, previous_level=previous_level)


def first_step_with_errors(answers: Mapping[str, object], *, today: datetime.date) -> tuple[str, dict[str, str]] | None:
    for slug in STEP_SLUGS:
        errors = validate_answers(slug, answers, today=today)
        if errors:
            return slug, errors
    return None


@dataclass(frozen=True)
class Assessment:
    result: TriageResult
    articles: list[str]


def assess_intake(answers: Mapping[str, object], *, today: datetime.date) -> Assessment:
    result = assess(answers, today=today)
    # Stored as the patient sees them now, before anyone has called: without the articles held back until then.
    return Assessment(result, recommend(answers, result, staff_contacted=False))


def submit_intake(intake: Intake, *, now: datetime.datetime) -> Intake:
    """Send the intake: triage it, store the result and the reading list, e-mail the patient. Idempotent.

    The conditional UPDATE (status in progress -> submitted) is what makes a double tap, the back button or a
    second tab produce exactly one submission, on SQLite as on PostgreSQL; the row lock keeps a concurrent step save
    from slipping in between the checks and the claim.
    """
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status == Intake.Status.SUBMITTED:
            return locked
        answers = answer_codec.from_json(locked.answers)
        today = timezone.localdate(now)
        problem = first_step_with_errors(answers, today=today)
        if problem is not None:
            raise InvalidAnswers(*problem)
        claimed = Intake.objects.filter(pk=locked.pk, status=Intake.Status.IN_PROGRESS).update(
            status=Intake.Status.SUBMITTED, submitted_at=now, current_step=answer_codec.REVIEW
        )
        if not claimed:
            return Intake.objects.get(pk=locked.pk)
        locked.refresh_from_db()
        assessment = assess_intake(answers, today=today)
        record_assessment(locked, assessment.result, now=now)
        locked.recommended_articles = assessment.articles
        locked.save(update_fields=["recommended_articles", "updated_at"])
        if locked.invitation.email:
            tasks.send_confirmation_email.enqueue(locked.pk)
    return locked


def retriage(intake: Intake, *, now: datetime.datetime, apply: bool) -> tuple[int | None, int]:
    """(stored level, level under the current rules) for a submitted intake; stores the new result if `apply`."""
    answers = answer_codec.from_json(intake.answers)
    today = timezone.localdate(intake.submitted_at or now)
    result = assess(answers, today=today)
    stored_level = intake.level
    new_level = int(Level.from_code(result.level))
    if apply and (new_level != stored_level or result.rules_version != intake.rules_version):
        record_assessment(intake, result, now=now)
    return stored_level, new_level


def create_submitted_intake_for_demo(
    *,
    answers: Mapping[str, object],
    patient_name: str = "Demo Patient",
    email: str = "",
    appointment_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    token: str | None = None,
) -> Intake:
    """A complete, submitted intake from a typed answers dict (tests, demo data); the answers must be valid."""
    now = now or timezone.now()
    appointment_at = appointment_at or now + datetime.timedelta(days=2)
    date_of_birth = answers.get("date_of_birth")
    if not isinstance(date_of_birth, datetime.date):
        raise ValueError("answers need a date_of_birth (a date)")
    invitation, _ = create_invitation(
        patient_name=patient_name,
        email=email,
        date_of_birth=date_of_birth,
        appointment_at=appointment_at,
        created_by=None,
        send_email=False,
        token=token,
    )
    intake = start_intake(invitation)
    for slug in STEP_SLUGS:
        save_step(intake, slug, answers, now=now)
    if needs_emergency_page(answers):
        acknowledge_emergency(intake, now=now)
    return submit_intake(intake, now=now)
