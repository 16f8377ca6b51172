"""Data retention: patient records are removed INTAKE_RETENTION_MONTHS after the appointment they were made for; the
patient's own record (name, birth date, contact details) with the last of their visits.

Removal is deletion, not anonymisation: an intake's free text cannot be reliably scrubbed of identifying details, and
the clinic's own record of the visit lives in its EHR. The audit trail is kept (it stores intake ids, never patient
data, and has no foreign key to intakes), and the purge itself is recorded in it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import record
from intake.models import Intake, Invitation
from intake.services.patients import forget_without_visits


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime.datetime
    invitations: int
    intakes: int
    dry_run: bool


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """Calendar months back; the 31st becomes the last day of a shorter month."""
    year, month = divmod(moment.year * 12 + (moment.month - 1) - months, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def expired_invitations(*, months: int, now: datetime.datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(appointment_at__lt=months_before(now, months))


@transaction.atomic
def purge_old_intakes(*, months: int, now: datetime.datetime | None = None, dry_run: bool = False) -> PurgeResult:
    now = now or timezone.now()
    cutoff = months_before(now, months)
    invitations = expired_invitations(months=months, now=now)
    intake_ids = list(Intake.objects.filter(invitation__in=invitations).values_list("pk", flat=True))
    invitation_count = invitations.count()
    result = PurgeResult(cutoff=cutoff, invitations=invitation_count, intakes=len(intake_ids), dry_run=dry_run)
    if dry_run or not invitation_count:
        return result
    patient_ids = set(invitations.values_list("patient_id", flat=True))
    _forget_versions(invitations, intake_ids)
    # Cascades to each invitation's intake, its flags, its review notes and its one-time codes.
    invitations.delete()
    # The patient's own record (name, birth date, e-mail, phone) goes with their last visit.
    forget_without_visits(patient_ids)
    record(
        "retention_purge",
        detail=(
            f"removed {result.intakes} intakes and {result.invitations} invitations with appointments before "
            f"{cutoff:%Y-%m-%d} ({months}-month retention)"
        ),
    )
    return result


def _forget_versions(invitations: QuerySet[Invitation], intake_ids: list[int]) -> None:
    """django-reversion keeps old copies of registered models: those of the purged rows go too."""
    import reversion
    from reversion.models import Version

    from intake.models import IntakeFlag, ReviewNote

    doomed = {
        Invitation: list(invitations.values_list("pk", flat=True)),
        Intake: intake_ids,
        IntakeFlag: list(IntakeFlag.objects.filter(intake_id__in=intake_ids).values_list("pk", flat=True)),
        ReviewNote: list(ReviewNote.objects.filter(intake_id__in=intake_ids).values_list("pk", flat=True)),
    }
    for model, ids in doomed.items():
        if ids and reversion.is_registered(model):
            Version.objects.get_for_model(model).filter(object_id__in=[str(pk) for pk in ids]).delete()
