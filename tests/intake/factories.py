"""Answers and invitations for intake tests: a complete, valid, routine intake to start from."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from intake import services
from intake.forms import as_post_data
from intake.models import Intake, Invitation
from tests.intake.quiet_answers import CAUDA_EQUINA_NO, NO_RED_FLAGS

BIRTH_DATE = datetime.date(1985, 3, 27)


def routine_answers(**changes: Any) -> dict[str, object]:
    """Typed answers for every step: a runner with no red flags and no leg symptoms."""
    answers: dict[str, object] = {
        **NO_RED_FLAGS,
        "date_of_birth": BIRTH_DATE,
        "sex": "female",
        "height_cm": 168,
        "weight_kg": 61.5,
        "phone": "+12015550123",
        "pain_start_date": timezone.localdate() - datetime.timedelta(days=20),
        "onset_cause": "running",
        "first_episode": "no",
        "pain_now": 3,
        "pain_week_avg": 4,
        "pain_enjoyment_interference": 4,
        "pain_interference": 3,
        "psfs_1_activity": "Running",
        "psfs_1": 4,
        "pain_locations": ["low_back"],
        "night_rest_pain": "no",
        "worse_with": ["running"],
        "leg_symptoms": "no",
        "running_status": "cut_back",
        "runs_per_week": 4,
        "distance_unit": "km",
        "weekly_distance": 40,
        "training_changes": ["distance"],
        "weekly_distance_before": 25,
        "running_shoes": "yes",
        "strength_sessions_per_week": 0,
        "pain_timing": ["after"],
        "consent": True,
    }
    answers.update(changes)
    return answers


def days_ahead_at(days: int, hour: int = 10, minute: int = 30) -> datetime.datetime:
    """The clinic's clock `days` days from today at `hour`:`minute`, for an appointment typed into a staff form.
    "Now plus two days" as typed was, at some hours, a time the appointment box rightly refuses (2:30 AM on the night
    the clocks skip 2:00-3:00, two days after a Friday 2:30 AM run) or reads as the first of two (1:30 AM on the night
    they go back): the default 10:30 AM happens once on every day of the year."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_invitation(
    *, date_of_birth: datetime.date = BIRTH_DATE, email: str = "pat@example.org", name: str = "Pat Example", **kw: Any
) -> tuple[Invitation, str]:
    return services.create_invitation(
        patient_name=name,
        email=email,
        date_of_birth=date_of_birth,
        appointment_at=kw.pop("appointment_at", timezone.now() + datetime.timedelta(days=3)),
        created_by=None,
        send_email=kw.pop("send_email", False),
        **kw,
    )


def submitted_intake(**changes: Any) -> Intake:
    return services.create_submitted_intake_for_demo(answers=routine_answers(**changes))


def follow_up_answers(**changes: Any) -> dict[str, object]:
    """Typed answers to every page of a follow-up (form "follow-up-2027.1"): no red flags, no new leg symptoms, a
    better PEG than `routine_answers` (4, 4, 3 -> 2, 2, 2), running less than before."""
    answers: dict[str, object] = {
        **CAUDA_EQUINA_NO,
        "hands_clumsy": "no",
        "balance_worse": "no",
        "leg_symptoms": "no",
        "pain_week_avg": 2,
        "pain_enjoyment_interference": 2,
        "pain_interference": 2,
        "psfs_1_activity": "Running",
        "psfs_1": 7,
        "global_change": "better",
        "follow_up_running": "running_less",
    }
    answers.update(changes)
    return answers


def follow_up_for(
    visit: Intake, *, time_point: str = "6w", now: datetime.datetime | None = None
) -> tuple[Invitation, str, Intake]:
    """A sent follow-up for the patient of `visit` (a sent pre-visit intake), as the dispatcher makes one: its
    `FollowUp` row, its invitation (kind follow_up, the patient's birth date for the check, a fresh private link) and
    its empty Intake row on form "follow-up-2027.1". Returns (invitation, raw token for /intake/start/<token>/,
    intake)."""
    from intake import tokens
    from intake.models import FollowUp
    from intake.services.follow_ups import follow_up_invitation

    now = now or timezone.now()
    raw = tokens.new_token()
    invitation = follow_up_invitation(
        visit, token_hash=tokens.hash_token(raw), expires_at=now + datetime.timedelta(days=30)
    )
    FollowUp.objects.create(
        patient=visit.patient, visit=visit, time_point=time_point, due_at=now, invitation=invitation, sent_at=now
    )
    return invitation, raw, services.start_intake(invitation)


def post_data(page: Any, answers: dict[str, object]) -> dict[str, list[str]]:
    """A page's answers as its form posts them (`as_post_data`), in the shape Django's test client sends in full: the
    client sends only the last value of each key of a QueryDict, so a question with several ticked (`worse_with`)
    went with one (the stop-32 audit)."""
    return dict(as_post_data(page, answers).lists())
