"""Removing visits for good (the retention policy, intake.retention, decides which and when): the invitations, their
intakes and everything that hangs on them, and the patient's record with their last visit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

from intake.models import Intake, IntakeFlag, Invitation, Patient, ReviewNote
from intake.services.patients import forget_without_visits
from intake.tasks import e164
from messaging import services as messages


@dataclass(frozen=True)
class Removed:
    invitations: int
    intakes: int


def remove_invitations(invitation_ids: list[int]) -> Removed:
    """Delete these invitations with their intakes, flags, red-flag answers, notes, alerts, follow-up rows, one-time
    codes, reminders (and the record of those sent before a visit moved), the messages about them (signals of
    intake.tasks) and stored versions, and the patient records left without a visit with their numbers' "no texts"
    rows. Counts what was really deleted (another purge may have taken some first)."""
    with transaction.atomic():
        # Locked first (the retention purge holds them already): their reminders' messages are deleted before them,
        # and a worker sending one holds its invitation (messaging.registry: lock order).
        locked = Invitation.objects.select_for_update().filter(pk__in=invitation_ids).order_by("pk")
        patient_ids = set(locked.values_list("patient_id", flat=True))
        _forget_versions(invitation_ids)
        # The intakes first, read by id only: deleting them through their invitations read every row's answers into
        # memory (a delete signal listens on Intake, so Django loads each row it deletes).
        _, by_model = Intake.objects.filter(invitation_id__in=invitation_ids).only("pk").delete()
        intakes = by_model.get(Intake._meta.label, 0)
        _, by_model = Invitation.objects.filter(pk__in=invitation_ids).delete()
        invitations = by_model.get(Invitation._meta.label, 0)
        # The patient's own record (name, birth date, e-mail, phone) goes with their last visit.
        _forget_records(patient_ids)
    return Removed(invitations=invitations, intakes=intakes)


def remove_records_without_visits() -> int:
    """Delete every patient record no invitation points to: one whose last visit went in a purge that ran beside
    another (each saw the other's visit still there), or with a discarded demo invitation. A record being made for a
    new invitation is not seen: both are written in one transaction. How many were deleted."""
    with transaction.atomic():
        return _forget_records(Patient.objects.filter(invitations__isnull=True).values_list("pk", flat=True))


def _forget_records(patient_ids: Iterable[int]) -> int:
    """The records among these that have no visit left, and the "no texts" row of a number no record has then."""
    patient_ids = list(patient_ids)
    phones = {e164(phone) for phone in Patient.objects.filter(pk__in=patient_ids).values_list("phone", flat=True)}
    phones.discard("")
    deleted = forget_without_visits(patient_ids)
    still_on_record = Patient.objects.filter(phone__in=phones).values_list("phone", flat=True)
    messages.forget_opt_outs(phones - {e164(phone) for phone in still_on_record})
    return deleted


def _forget_versions(invitation_ids: list[int]) -> None:
    """django-reversion keeps old copies of registered models: those of the removed rows go too. (None of these
    models is registered today; this keeps the removal complete if one is.)"""
    import reversion
    from reversion.models import Version

    rows: dict[type[Model], QuerySet[Any]] = {
        Invitation: Invitation.objects.filter(pk__in=invitation_ids),
        Intake: Intake.objects.filter(invitation_id__in=invitation_ids),
        IntakeFlag: IntakeFlag.objects.filter(intake__invitation_id__in=invitation_ids),
        ReviewNote: ReviewNote.objects.filter(intake__invitation_id__in=invitation_ids),
    }
    for model, queryset in rows.items():
        if reversion.is_registered(model):
            ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
            Version.objects.get_for_model(model).filter(object_id__in=ids).delete()
