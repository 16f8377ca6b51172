"""Invitations: making a private link, renewing it, and checking the date of birth of whoever opens it."""

from __future__ import annotations

import datetime
import enum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake import tasks, tokens
from intake.models import Intake, Invitation


def max_identity_attempts() -> int:
    # A setting so the security work can tune it; 5 wrong dates of birth lock the link.
    return int(getattr(settings, "INTAKE_MAX_IDENTITY_ATTEMPTS", 5))


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


def discard_invitation(invitation: Invitation) -> None:
    """Delete an invitation with its intake, flags and notes (demo links being made again)."""
    with transaction.atomic():
        Intake.objects.filter(invitation=invitation).delete()
        invitation.delete()


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
