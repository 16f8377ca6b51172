"""A clinician's review of an intake: who reviewed it and when, and the notes they add."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit import services as audit
from intake.models import Intake, ReviewNote


@dataclass(frozen=True)
class ReviewOutcome:
    newly_reviewed: bool
    note: ReviewNote | None


def mark_reviewed(
    intake: Intake,
    *,
    by: Any,
    note: str = "",
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> ReviewOutcome:
    """Record who reviewed the intake and when, and keep the note.

    Two clinicians at once: the conditional update lets exactly one of them become "reviewed by"; the other's click
    still succeeds and their note is added, never overwriting anything.
    """
    now = now or timezone.now()
    text = note.strip()
    with transaction.atomic():
        saved = ReviewNote.objects.create(intake=intake, author=by, text=text) if text else None
        newly = bool(
            Intake.objects.filter(pk=intake.pk, is_reviewed=False).update(
                is_reviewed=True, reviewed_at=now, reviewed_by=by, updated_at=now
            )
        )
        audit.record(
            "reviewed_intake",
            actor=by,
            request=request,
            intake_id=intake.pk,
            detail=("marked reviewed" if newly else "already reviewed") + (", note added" if saved else ""),
        )
    intake.refresh_from_db(fields=["is_reviewed", "reviewed_at", "reviewed_by"])
    return ReviewOutcome(newly, saved)
