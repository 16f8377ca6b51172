"""About 40 demo intakes over the last 12 weeks: every level, most flags, one urgent patient waiting at the top.

Idempotent: each demo invitation has a fixed token hash, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dashboard.demo import PROFILES, answers_for
from intake import services
from intake.models import Invitation

NAMES = (
    "Maria Delgado", "James Whitfield", "Aisha Rahman", "Tom Becker", "Grace Okafor", "Liam O'Connell",
    "Sofia Marchetti", "Daniel Kim", "Hannah Schultz", "Marcus Johnson", "Priya Nair", "Ethan Brooks",
    "Chloe Dubois", "Noah Fischer", "Amara Mensah", "Lucas Moreau", "Emily Carter", "Mateo Alvarez",
    "Zoe Papadopoulos", "Owen Gallagher", "Yuki Tanaka", "Isabel Ferreira", "Samuel Adeyemi", "Nora Lindqvist",
    "Ben Hartley", "Leila Haddad", "Ryan Mitchell", "Clara Novak", "David Osei", "Mia Rossi",
    "Kevin Walsh", "Ana Sousa", "Jonah Levin", "Ruth Abernathy", "Victor Petrov", "Lena Vogel",
    "Carlos Mendes", "Fatima Zahra", "Peter Lindgren", "Olivia Grant",
)  # fmt: skip

# (profile, days ago submitted, days from now to the appointment (negative: already seen), reviewed)
SCHEDULE: tuple[tuple[str, int, int, bool], ...] = (
    ("urgent_saddle_bladder", 0, 1, False),  # the patient at the top of the queue
    ("serious_cancer", 1, 2, False),
    ("sciatica_below_knee", 1, 3, False),
    ("routine_mileage_jump", 2, 3, False),
    ("serious_leg_weakening", 2, 4, False),
    ("routine_plain", 3, 5, False),
    ("sciatica_leg_weak", 3, 6, False),
    ("routine_stenosis", 4, 6, False),
    ("routine_inflammatory", 5, 7, False),
    ("serious_weak_flags", 5, 2, True),
    ("routine_non_runner", 6, 8, False),
    ("urgent_bowel", 8, -6, True),
    ("serious_fracture", 10, -4, True),
    ("sciatica_below_knee", 12, -3, True),
    ("serious_cord_compression", 14, -2, True),
    ("serious_fever", 16, -10, True),
    ("routine_mileage_jump", 19, -12, True),
    ("routine_young_arching", 22, -16, True),
    ("serious_both_leg_sides", 25, -19, True),
    ("routine_plain", 28, -22, True),
    ("urgent_mscc", 31, -29, True),
    ("urgent_sexual", 34, -28, True),
    ("routine_minimalist", 37, -30, True),
    ("sciatica_leg_weak", 40, -33, True),
    ("routine_non_runner", 43, -36, True),
    ("serious_cancer", 46, -40, True),
    ("serious_cancer_spinal_pain", 49, -43, True),
    ("serious_foot_drop", 52, -45, True),
    ("urgent_both_legs", 55, -54, True),
    ("routine_plain", 58, -50, True),
    ("serious_weak_flags", 61, -55, True),
    ("routine_stenosis", 64, -57, True),
    ("sciatica_below_knee", 67, -60, True),
    ("serious_fracture", 70, -64, True),
    ("routine_mileage_jump", 73, -66, True),
    ("routine_plain", 76, -70, True),
    ("sciatica_leg_weak", 79, -72, True),
    ("serious_leg_weakening", 81, -75, True),
    ("routine_minimalist", 82, -76, True),
    ("routine_plain", 83, -77, True),
)
NOTES = {
    "urgent": "Called the patient the same day; sent to the emergency department for an MRI. Follow up after.",
    "serious": "Phoned the patient; same-day slot booked. Bloods ordered.",
    "sciatica": "Reviewed. Keep the booked visit; neuro exam then.",
    "routine": "Reviewed; nothing that changes the booked visit.",
}


# What the reviewing clinician recorded (docs/clinical/TRIAGE.md, "Review outcomes"); sciatica and routine reviews
# carry none. A few profiles differ from their level's usual outcome, so the outcome report has something to show.
OUTCOMES = {"urgent": "emergency_care", "serious": "same_day_call_advice"}
PROFILE_OUTCOMES = {
    "serious_fracture": "urgent_imaging_or_specialist",
    "serious_cord_compression": "urgent_imaging_or_specialist",
    "serious_weak_flags": "routine_appointment",
    "urgent_sexual": "urgent_imaging_or_specialist",
}
# Unreviewed demo intakes whose patient the clinician tried and failed to reach (they stay unreviewed).
NOT_REACHED = {"serious_leg_weakening"}


def demo_token_hash(number: int) -> str:
    return hashlib.sha256(f"demo-intake-{number}".encode()).hexdigest()


class Command(BaseCommand):
    help = "Create about 40 demo intakes over the last 12 weeks (development only; safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to load demo intakes with DEBUG off: this is not a development setup.")
        reviewer = get_user_model().objects.filter(username="clinician").first()
        created = 0
        with transaction.atomic():
            for number, (profile, days_ago, appointment_in, reviewed) in enumerate(SCHEDULE):
                if Invitation.objects.filter(token_hash=demo_token_hash(number)).exists():
                    continue
                self._create(number, profile, days_ago, appointment_in, reviewed, reviewer)
                created += 1
        self.stdout.write(f"Demo intakes: {created} created, {len(SCHEDULE) - created} already there.")

    def _create(
        self, number: int, profile: str, days_ago: int, appointment_in: int, reviewed: bool, reviewer: User | None
    ) -> None:
        rng = random.Random(number)  # noqa: S311 - repeatable demo data, not security
        now = timezone.now()
        submitted_at = now - datetime.timedelta(days=days_ago, hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
        if days_ago == 0:
            submitted_at = now - datetime.timedelta(minutes=12)
        local_day = timezone.localdate() + datetime.timedelta(days=appointment_in)
        appointment = timezone.make_aware(datetime.datetime.combine(local_day, datetime.time(rng.choice(range(8, 17)))))
        answers = answers_for(profile, rng=rng, today=submitted_at.date(), age=rng.randint(22, 64))
        invitation = services.create_demo_invitation(
            patient_name=NAMES[number % len(NAMES)],
            email=f"patient{number}@example.org",
            date_of_birth=answers["date_of_birth"],
            appointment_at=appointment,
            token_hash=demo_token_hash(number),
            created_at=submitted_at - datetime.timedelta(days=2),
            confirmed_at=submitted_at - datetime.timedelta(minutes=24),
        )
        intake = services.create_assessed_intake(
            invitation=invitation, answers=answers, today=submitted_at.date(), submitted_at=submitted_at
        )
        if reviewer is None:
            return
        if reviewed:
            level = PROFILES[profile][0]
            services.mark_reviewed(
                intake,
                by=reviewer,
                note=NOTES[level],
                outcome=PROFILE_OUTCOMES.get(profile, OUTCOMES.get(level, "")),
                now=submitted_at + datetime.timedelta(hours=2),
            )
        elif profile in NOT_REACHED:
            services.mark_reviewed(
                intake,
                by=reviewer,
                note="No answer; voicemail left asking the patient to call back.",
                outcome="could_not_reach",
                now=submitted_at + datetime.timedelta(hours=1),
            )
