"""Removing visits for good (the retention policy, intake.retention, decides which and when): the invitations, their
intakes and everything that hangs on them, and the patient's record with their last visit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet

from clinic_portal import set_delete
from intake.models import Intake, Invitation, Patient
from intake.tasks import MESSAGES_ABOUT, e164
from messaging import services as messages


@dataclass(frozen=True)
class Removed:
    invitations: int
    intakes: int


def remove_invitations(invitation_ids: list[int]) -> Removed:
    """Delete these invitations with their intakes, flags, red-flag answers, notes, alerts, follow-up rows, one-time
    codes, reminders (and the record of those sent before a visit moved), the messages about them and stored
    versions, and the patient records left without a visit with their numbers' "no texts" rows. Counts what was
    really deleted (another purge may have taken some first). A fixed number of statements, whatever the number of
    invitations (`_remove`)."""
    with transaction.atomic():
        # Locked first (the retention purge holds them already): their reminders' messages are deleted before them,
        # and a worker sending one holds its invitation (messaging.registry: lock order).
        locked = Invitation.objects.select_for_update().filter(pk__in=invitation_ids).order_by("pk")
        patient_ids = set(locked.values_list("patient_id", flat=True))
        removed = _remove(Invitation.objects.filter(pk__in=invitation_ids))
        # The patient's own record (name, birth date, e-mail, phone) goes with their last visit.
        _forget_records(patient_ids)
    return Removed(invitations=removed.get(Invitation._meta.label, 0), intakes=removed.get(Intake._meta.label, 0))


def remove_records_without_visits() -> int:
    """Delete every patient record no invitation points to: one whose last visit went in a purge that ran beside
    another (each saw the other's visit still there), or with a discarded demo invitation. A record being made for a
    new invitation is not seen: both are written in one transaction. How many were deleted."""
    with transaction.atomic():
        return _forget_records(Patient.objects.filter(invitations__isnull=True).values_list("pk", flat=True))


def _remove(rows: QuerySet[Any]) -> dict[str, int]:
    """Delete `rows` with all that cascades from them (`clinic_portal.set_delete`: one statement per table, the rows
    never read), after what the delete signals of those models would do row by row, for all of them at once: the
    messages about them (`intake.tasks.MESSAGES_ABOUT`) and their stored versions. How many rows of each model went.

    The signals are not sent: a receiver connected to one of these models must be done here too (a test lists
    them, tests/security/test_retention_sets.py)."""
    going = set_delete.plan(rows)
    messages.forget_all(
        (kinds, about.values("pk"))
        for label, kinds in MESSAGES_ABOUT.items()
        for about in going.rows_of(apps.get_model(label))
    )
    _forget_versions(going)
    return going.delete()


def _forget_records(patient_ids: Iterable[int]) -> int:
    """The records among these that have no visit left, and the "no texts" row of a number no record has then."""
    patient_ids = list(patient_ids)
    phones = {e164(phone) for phone in Patient.objects.filter(pk__in=patient_ids).values_list("phone", flat=True)}
    phones.discard("")
    deleted = _remove(Patient.objects.filter(pk__in=patient_ids, invitations__isnull=True))
    still_on_record = Patient.objects.filter(phone__in=phones).values_list("phone", flat=True)
    messages.forget_opt_outs(phones - {e164(phone) for phone in still_on_record})
    return deleted.get(Patient._meta.label, 0)


def _forget_versions(going: set_delete.Plan) -> None:
    """django-reversion keeps old copies of registered models: those of the rows that go, go too. (None of these
    models is registered today; this keeps the removal complete if one is.)"""
    import reversion
    from reversion.models import Version

    for model in going.models:
        if reversion.is_registered(model):
            ids = [str(pk) for rows in going.rows_of(model) for pk in rows.values_list("pk", flat=True)]
            Version.objects.get_for_model(model).filter(object_id__in=ids).delete()
