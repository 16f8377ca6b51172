"""Whole, valid intakes for the reading-list tests: one per clinical picture that should bring up an article.

Each sample is a complete questionnaire (docs/clinical/INTAKE.md) on a fixed day, changed in a few answers from a
quiet runner whose only suggestion is the general "How long back pain lasts". The tests triage each one with the
real rules (``triage.assess``) and run the pure recommender on the result, as the submission does.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from intake.rules import triage
from intake.rules.questionnaire import STEP_SLUGS
from intake.rules.questionnaire_checks import validate_answers
from intake.rules.recommendations import recommend
from tests.intake.quiet_answers import NO_RED_FLAGS

TODAY = datetime.date(2027, 3, 15)

RUNNING_CODES = (
    "years_running", "runs_per_week", "distance_unit", "weekly_distance", "longest_run", "training_changes",
    "weekly_distance_before", "surfaces", "running_shoes", "shoe_age_months", "minimalist_change", "warm_up",
    "strength_sessions_per_week", "cross_training", "rest_days_per_week", "race_goal", "race_date", "pain_timing",
    "running_time_lost", "past_injuries",
)  # fmt: skip

LEGS_RADIATING = {
    "leg_symptoms": "yes",
    "leg_side": "right",
    "leg_pain_lowest_point": "below_knee",
    "worse_back_or_leg": "leg",
    "leg_numbness_tingling": "yes",
    "leg_weakness": "no",
    "sitting_eases": "no",
}


def born_aged(age: int) -> datetime.date:
    """A date of birth that makes the patient ``age`` on TODAY (a birthday well away from it)."""
    return TODAY.replace(year=TODAY.year - age) - datetime.timedelta(days=100)


def full_intake(**changes: object) -> dict[str, object]:
    """A 34-year-old runner with ten days of plain low back pain: no flags, no article-specific answers."""
    answers: dict[str, object] = {
        **NO_RED_FLAGS,
        "date_of_birth": born_aged(34),
        "sex": "female",
        "height_cm": 168,
        "weight_kg": 61,
        "phone": "+12015550123",
        "pain_start_date": TODAY - datetime.timedelta(days=10),
        "onset_cause": "no_clear_cause",
        "first_episode": "no",
        "pain_now": 3,
        "pain_week_avg": 3,
        "pain_enjoyment_interference": 2,
        "pain_interference": 2,
        "psfs_1_activity": "Running",
        "psfs_1": 6,
        "pain_locations": ["low_back"],
        "night_rest_pain": "no",
        "worse_with": ["bending_forward"],
        "leg_symptoms": "no",
        "medications": "",
        "running_status": "running",
        "years_running": 6,
        "runs_per_week": 4,
        "distance_unit": "km",
        "weekly_distance": 30,
        "training_changes": ["none"],
        "surfaces": ["track", "trail"],
        "running_shoes": "yes",
        "shoe_age_months": 6,
        "minimalist_change": "no",
        "strength_sessions_per_week": 2,
        "pain_timing": ["next_morning"],
        "running_time_lost": "no",
        "race_goal": "",
        "visit_goals": "Keep running",
        "expects_scan": "no",
        "worries": "",
        "consent": True,
        **changes,
    }
    if answers["running_status"] == "not_a_runner":
        for code in RUNNING_CODES:
            answers.pop(code, None)
    return answers


def validation_errors(answers: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """Every step's messages for these answers, as the submission checks them (empty when the intake is valid)."""
    errors = {slug: validate_answers(slug, answers, today=TODAY) for slug in STEP_SLUGS}
    return {slug: messages for slug, messages in errors.items() if messages}


def reading_list(answers: Mapping[str, object], *, staff_contacted: bool = True, limit: int = 5) -> list[str]:
    """The real triage, then the recommender, on TODAY."""
    result = triage.assess(answers, today=TODAY)
    return recommend(answers, result, today=TODAY, staff_contacted=staff_contacted, limit=limit)


@dataclass(frozen=True)
class Sample:
    level: triage.LevelCode
    answers: dict[str, object]
    suggests: tuple[str, ...]  # articles the five-article list must include (after staff have called)


# name -> the intake, its level and the articles it must bring up. Together they cover all 18 starter articles.
SAMPLES: Mapping[str, Sample] = {
    "quiet_runner": Sample("routine", full_intake(), ("how-long-back-pain-lasts",)),
    "strain_after_a_run": Sample(
        "routine", full_intake(onset_cause="running", pain_timing=["after"]), ("back-pain-after-a-run",)
    ),
    "sciatica_below_the_knee": Sample(
        "sciatica",
        full_intake(**LEGS_RADIATING, pain_week_avg=6, pain_now=6),
        ("sciatica-explained-for-runners", "cauda-equina-warning-signs", "medicines-for-back-pain-and-sciatica"),
    ),
    "mileage_jump_before_a_race": Sample(
        "routine",
        full_intake(
            training_changes=["distance", "new_plan"],
            weekly_distance=45,
            weekly_distance_before=30,
            race_goal="Spring half marathon",
        ),
        ("building-mileage-safely",),
    ),
    "old_shoes_on_concrete": Sample(
        "routine", full_intake(shoe_age_months=18, surfaces=["concrete", "asphalt"]), ("form-surfaces-and-shoes",)
    ),
    "no_strength_work": Sample("routine", full_intake(strength_sessions_per_week=0), ("strength-and-core-training",)),
    "stopped_running": Sample(
        "routine",
        full_intake(running_status="stopped", running_time_lost="yes", pain_start_date=TODAY - datetime.timedelta(21)),
        ("cross-training-while-your-back-settles", "back-to-running-step-by-step"),
    ),
    "worried_about_running": Sample(
        "routine",
        full_intake(worries="Will running wear out my discs?", pain_timing=["during", "after"]),
        ("is-running-bad-for-your-spine", "hurt-is-not-harm"),
    ),
    "expects_a_scan": Sample("routine", full_intake(expects_scan="yes"), ("do-i-need-a-scan",)),
    "cancer_history": Sample(
        "serious",
        full_intake(cancer_history="yes"),
        ("cancer-history-and-back-pain", "cauda-equina-warning-signs", "signs-that-need-a-prompt-review"),
    ),
    "saddle_numbness": Sample(
        "urgent",
        full_intake(ce_saddle_numbness="yes", ce_onset="within_14_days"),
        ("cauda-equina-warning-signs",),
    ),
    "high_pain_on_ibuprofen": Sample(
        "routine",
        full_intake(pain_now=7, pain_week_avg=7, pain_interference=6, medications="Ibuprofen 400 mg twice a day"),
        ("medicines-for-back-pain-and-sciatica", "hurt-is-not-harm"),
    ),
    "legs_ache_on_walking_at_63": Sample(
        "routine",
        full_intake(
            date_of_birth=born_aged(63),
            pain_start_date=TODAY - datetime.timedelta(days=120),
            leg_symptoms="yes",
            leg_side="left",
            leg_pain_lowest_point="thigh",
            worse_back_or_leg="back",
            leg_numbness_tingling="no",
            leg_weakness="no",
            sitting_eases="yes",
            worse_with=["walking", "standing_up"],
            running_status="not_a_runner",
        ),
        ("spinal-stenosis-leg-pain-when-walking",),
    ),
    "teen_runner_arching_hurts": Sample(
        "routine",
        full_intake(date_of_birth=born_aged(16), worse_with=["leaning_back", "running"], running_status="cut_back"),
        ("back-pain-in-young-runners",),
    ),
    "inflammatory_pattern": Sample(
        "routine",
        full_intake(
            date_of_birth=born_aged(29),
            pain_start_date=TODAY - datetime.timedelta(days=240),
            pain_locations=["low_back", "buttock"],
            wakes_second_half_night="yes",
            better_with_movement="yes",
            nsaid_relief="yes",
            family_spa="no",
            joint_swelling="no",
            heel_pain="no",
            psoriasis="no",
        ),
        ("inflammatory-back-pain",),
    ),
    "ten_weeks_of_pain": Sample(
        "routine",
        full_intake(pain_start_date=TODAY - datetime.timedelta(days=70), getting_worse_or_4_weeks="yes"),
        ("hurt-is-not-harm", "signs-that-need-a-prompt-review"),
    ),
    "lifted_a_box_non_runner": Sample(
        "routine",
        full_intake(onset_cause="lifting_bending", running_status="not_a_runner"),
        ("back-pain-after-a-run",),
    ),
}
