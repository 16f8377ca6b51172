"""About 40 demo intakes over the last 12 weeks: every level, most flags, one urgent patient waiting at the top;
and a few patients seen months ago with their follow-up questionnaires (issue 12): two or three answered, most
better and one worse, one overdue and one waiting, so the charts and the follow-up list show a clinic's picture.

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

from dashboard.demo import PROFILES, answers_for, follow_up_answers
from intake import services
from intake.models import Intake, Invitation
from intake.rules.schedule import parse_schedule
from intake.services.demo import create_demo_follow_up

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


# Patients seen months ago, with their follow-ups: (name, profile, days since the visit, trend, answered time points).
# A time point whose day has come and that is not in the answered ones was sent and not answered: overdue once it
# waited more than FOLLOW_UP_REMINDER_DAYS, else sent and waiting.
FOLLOW_UP_STORIES: tuple[tuple[str, str, int, str, tuple[str, ...]], ...] = (
    ("Helen Marsh", "routine_mileage_jump", 380, "better", ("6w", "3m", "12m")),
    ("Omar Said", "sciatica_below_knee", 150, "better", ("6w", "3m")),
    ("Julia Berg", "routine_plain", 110, "better", ("6w", "3m")),
    ("Ivan Horvat", "sciatica_leg_weak", 130, "worse", ("6w", "3m")),
    ("Keiko Sato", "routine_stenosis", 62, "better", ()),  # 6 weeks: sent 20 days ago, no answer (overdue)
    ("Paul Okoye", "routine_minimalist", 46, "better", ()),  # 6 weeks: sent 4 days ago, waiting
)


def demo_token_hash(number: int) -> str:
    return hashlib.sha256(f"demo-intake-{number}".encode()).hexdigest()


def story_token_hash(number: int, what: str) -> str:
    return hashlib.sha256(f"demo-follow-up-story-{number}-{what}".encode()).hexdigest()


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
            stories = sum(self._story(number, *story, reviewer) for number, story in enumerate(FOLLOW_UP_STORIES))
        self.stdout.write(f"Demo intakes: {created} created, {len(SCHEDULE) - created} already there.")
        self.stdout.write(f"Demo patients with follow-ups: {stories} created.")

    def _story(
        self,
        number: int,
        name: str,
        profile: str,
        days_ago: int,
        trend: str,
        answered: tuple[str, ...],
        reviewer: User | None,
    ) -> int:
        """One patient seen `days_ago` days ago and their follow-ups so far; 0 when already there."""
        if Invitation.objects.filter(token_hash=story_token_hash(number, "visit")).exists():
            return 0
        rng = random.Random(1000 + number)  # noqa: S311 - repeatable demo data, not security
        now = timezone.now()
        visit_day = timezone.localdate() - datetime.timedelta(days=days_ago)
        appointment = timezone.make_aware(datetime.datetime.combine(visit_day, datetime.time(rng.choice(range(8, 17)))))
        submitted_at = appointment - datetime.timedelta(days=2, hours=rng.randint(1, 8))
        answers = answers_for(profile, rng=rng, today=submitted_at.date(), age=rng.randint(25, 60))
        invitation = services.create_demo_invitation(
            patient_name=name,
            email=f"followup{number}@example.org",
            date_of_birth=answers["date_of_birth"],
            appointment_at=appointment,
            token_hash=story_token_hash(number, "visit"),
            created_at=submitted_at - datetime.timedelta(days=3),
            confirmed_at=submitted_at - datetime.timedelta(minutes=20),
            phone=f"+12015550{150 + number}",
        )
        visit = services.create_assessed_intake(
            invitation=invitation, answers=answers, today=submitted_at.date(), submitted_at=submitted_at
        )
        if reviewer is not None:
            level = PROFILES[profile][0]
            services.mark_reviewed(
                visit,
                by=reviewer,
                note=NOTES[level],
                outcome=OUTCOMES.get(level, ""),
                now=submitted_at + datetime.timedelta(hours=3),
            )
        self._follow_ups(number, visit, answers, trend=trend, answered=answered, rng=rng, now=now)
        if reviewer is not None:
            # Follow-ups answered more than a week ago were read; the newer ones wait in the queue.
            read = Intake.objects.filter(
                patient_id=visit.patient_id, kind="follow_up", submitted_at__lt=now - datetime.timedelta(days=7)
            )
            for follow_up in read:
                read_at = (follow_up.submitted_at or now) + datetime.timedelta(hours=20)
                services.mark_reviewed(follow_up, by=reviewer, note="Read the follow-up.", outcome="", now=read_at)
        return 1

    def _follow_ups(
        self,
        number: int,
        visit: Intake,
        answers: dict[str, Any],
        *,
        trend: str,
        answered: tuple[str, ...],
        rng: random.Random,
        now: datetime.datetime,
    ) -> None:
        for steps, point in enumerate(parse_schedule(settings.FOLLOW_UP_SCHEDULE), start=1):
            due_at = visit.appointment_at + datetime.timedelta(days=point.days)
            sent_at = due_at + datetime.timedelta(minutes=rng.randint(5, 50)) if due_at <= now else None
            submitted_at = sent_at + datetime.timedelta(days=rng.randint(1, 4)) if sent_at else None
            if point.code not in answered or (submitted_at and submitted_at > now):
                submitted_at = None
            create_demo_follow_up(
                visit=visit,
                time_point=point.code,
                due_at=due_at,
                sent_at=sent_at if sent_at and sent_at <= now else None,
                token_hash=story_token_hash(number, point.code),
                answers=follow_up_answers(answers, rng=rng, steps=steps, trend=trend) if submitted_at else None,
                submitted_at=submitted_at,
            )

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
            phone=f"+12015550{100 + number}",  # 555-0100 to 555-0199: numbers kept for fiction
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
