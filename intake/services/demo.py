"""Demo and test data through the intake flow's own writers: the same triage, flags, reading list and review.

What differs from a live patient is only the clock: a demo intake carries the times the caller chooses, and storing
its result announces nothing (`notify=False`), because it is history being laid down, not a patient waiting.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from intake import tokens
from intake.models import FollowUp, Intake, Invitation, reviewed_before_sending
from intake.rules import answers as answer_codec
from intake.rules.catalogue import form_for
from intake.rules.form_versions import form_version
from intake.rules.questionnaire import STEP_SLUGS
from intake.rules.triage import assess_interim, needs_emergency_page
from intake.services import patients
from intake.services.answering import PHONE, SAFETY_STEP, acknowledge_emergency, save_step
from intake.services.assessment import (
    Assessment,
    assess_intake,
    promise_call_back,
    store_assessment,
    submit_intake,
)
from intake.services.follow_ups import follow_up_invitation
from intake.services.invitations import create_invitation, expiry_for, start_intake


def create_demo_invitation(
    *,
    patient_name: str,
    email: str,
    date_of_birth: datetime.date,
    appointment_at: datetime.datetime,
    token_hash: str,
    created_at: datetime.datetime,
    confirmed_at: datetime.datetime | None = None,
    phone: str = "",
) -> Invitation:
    """An invitation with a fixed token hash and a history (made, opened, confirmed at the given times)."""
    with transaction.atomic():
        patient = patients.record_for(name=patient_name, date_of_birth=date_of_birth, email=email, phone=phone)
        invitation = Invitation.objects.create(
            patient=patient,
            patient_name=patient_name,
            email=email,
            date_of_birth=date_of_birth,
            appointment_at=appointment_at,
            token_hash=token_hash,
            expires_at=expiry_for(appointment_at),
        )
        # auto_now_add cannot be given on create: set the history afterwards.
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=created_at, first_opened_at=confirmed_at, identity_confirmed_at=confirmed_at
        )
    invitation.refresh_from_db()
    return invitation


def create_assessed_intake(
    *,
    invitation: Invitation,
    answers: Mapping[str, Any],
    today: datetime.date,
    submitted_at: datetime.datetime | None,
    safety_only: bool = False,
    background: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Intake:
    """An intake stored as the flow stores it: sent (or stopped after the safety step), triaged, flagged.

    A follow-up (the invitation's kind) is triaged as a follow-up, with `background` (the pre-visit intake's answers)
    underneath. `fields` override columns afterwards (a test's `is_reviewed=True`, a queue test's `level=None`).
    """
    form = form_for(form_version(invitation.kind))
    if not safety_only and PHONE in form.questions and invitation.patient.phone:
        answers = {**answers, PHONE: invitation.patient.phone.as_e164}  # the number on the record is the one given
    safety_result = Assessment(assess_interim(answers, today=today), []) if safety_only else None
    assessment = safety_result or assess_intake(answers, today=today, form=form, background=background)
    assessed_at = submitted_at or fields.pop("assessed_at", None) or invitation.created_at
    with transaction.atomic():
        intake = Intake.objects.create(
            invitation=invitation,
            patient_id=invitation.patient_id,
            kind=invitation.kind,
            form_version=form_version(invitation.kind),
            appointment_at=invitation.appointment_at,
            answers=answer_codec.to_json(answers),
            current_step=answer_codec.after_step(SAFETY_STEP) if safety_only else answer_codec.REVIEW,
            status=Intake.Status.IN_PROGRESS if safety_only else Intake.Status.SUBMITTED,
            emergency_shown_at=assessed_at if assessment.result.emergency else None,
            submitted_at=submitted_at,
        )
        store_assessment(intake, assessment, now=assessed_at, notify=False)
        if submitted_at is not None:
            promise_call_back(intake, assessment.result.codes, sent_at=submitted_at)
        if fields:
            if {"reviewed_at", "submitted_at"} & set(fields):
                fields["last_review_before_sending"] = reviewed_before_sending(
                    fields.get("reviewed_at"), fields.get("submitted_at", submitted_at)
                )
            Intake.objects.filter(pk=intake.pk).update(**fields)
            intake.refresh_from_db()
    return intake


def create_demo_follow_up(
    *,
    visit: Intake,
    time_point: str,
    due_at: datetime.datetime,
    sent_at: datetime.datetime | None = None,
    token_hash: str = "",
    answers: Mapping[str, Any] | None = None,
    submitted_at: datetime.datetime | None = None,
) -> FollowUp:
    """A follow-up of `visit` at `time_point` with the history the caller chooses: only scheduled (no `sent_at`),
    sent (its invitation made at `sent_at`, with `token_hash`), or answered (`answers`, sent back at `submitted_at`,
    triaged as a follow-up with the visit's answers as background). Nothing is e-mailed or alerted.

    Idempotent per (visit, time point): a follow-up already there is returned as it is.
    """
    existing = FollowUp.objects.filter(visit=visit, time_point=time_point).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            patient_id=visit.patient_id, visit=visit, time_point=time_point, due_at=due_at
        )
        if sent_at is None:
            return follow_up
        invitation = follow_up_invitation(
            visit,
            token_hash=token_hash or tokens.hash_token(tokens.new_token()),
            expires_at=sent_at + datetime.timedelta(days=31),
        )
        opened = submitted_at - datetime.timedelta(minutes=9) if submitted_at else None
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=sent_at, first_opened_at=opened, identity_confirmed_at=opened
        )
        invitation.refresh_from_db()
        FollowUp.objects.filter(pk=follow_up.pk).update(invitation=invitation, sent_at=sent_at)
        follow_up.refresh_from_db()
        if answers is not None and submitted_at is not None:
            create_assessed_intake(
                invitation=invitation,
                answers=answers,
                today=timezone.localdate(submitted_at),
                submitted_at=submitted_at,
                background=answer_codec.from_json(visit.answers),
            )
    return follow_up


def create_submitted_intake_for_demo(
    *,
    answers: Mapping[str, object],
    patient_name: str = "Demo Patient",
    email: str = "",
    appointment_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    token: str | None = None,
) -> Intake:
    """A complete intake sent step by step through the live flow (alerts included); the answers must be valid."""
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
