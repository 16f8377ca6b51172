"""Realistic intake answers for demo data, factories and the benchmark: one profile per clinical picture.

Each profile is a complete, valid questionnaire (docs/clinical/INTAKE.md) changed in a few
answers; `tests/dashboard/test_demo.py`
checks every profile passes the questionnaire's validation and lands on the level it is named after.
Storing them is the intake app's job (`intake.services.create_assessed_intake`): the same triage, reading list and
flag rows as the live flow, with the timestamps a demo or a test chooses and without sending alerts.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping
from typing import Any

from intake.rules.questionnaire import CE_QUESTION_CODES, step_by_slug

# The red-flag questions, from the questionnaire itself (a new one is answered "no" here without a change).
GENERAL_HEALTH_RED_FLAG_CODES = tuple(
    question.code for question in step_by_slug("general_health").questions if question.kind == "yns"
)


def base_answers(*, rng: random.Random, today: datetime.date, age: int) -> dict[str, Any]:
    """A runner with ordinary, mechanical low back pain: every answer 'no' that could raise a flag."""
    born = today.replace(year=today.year - age) - datetime.timedelta(days=rng.randint(1, 300))
    weekly = rng.choice([18, 24, 30, 35, 42, 50])
    return {
        **dict.fromkeys(CE_QUESTION_CODES, "no"),
        "date_of_birth": born,
        "sex": rng.choice(["female", "male", "female", "male", "prefer_not"]),
        "height_cm": rng.randint(155, 190),
        "weight_kg": rng.randint(52, 90),
        "phone": "+12015550100",  # 555-0100 to 555-0199 are kept for fiction; the loader gives each record its own
        "pain_start_date": today - datetime.timedelta(days=rng.randint(5, 40)),
        "onset_cause": rng.choice(["running", "running", "lifting_bending", "no_clear_cause"]),
        "first_episode": "no",
        "pain_now": rng.randint(2, 5),
        "pain_week_avg": rng.randint(3, 5),
        "pain_interference": rng.randint(1, 4),
        "pain_enjoyment_interference": rng.randint(2, 6),
        # The Patient-Specific Functional Scale (issue 12): asked again at every follow-up.
        "psfs_1_activity": rng.choice(["Running", "Running for 30 minutes", "Long runs"]),
        "psfs_1": rng.randint(2, 5),
        "psfs_2_activity": rng.choice(["Sitting at work", "Lifting my child", "Gardening"]),
        "psfs_2": rng.randint(3, 6),
        "pain_locations": ["low_back"] + (["buttock"] if rng.random() < 0.4 else []),
        "night_rest_pain": "no",
        "worse_with": rng.choice(
            [["bending_forward"], ["sitting", "running"], ["running"], ["bending_forward", "sitting"]]
        ),
        "leg_symptoms": "no",
        **dict.fromkeys(GENERAL_HEALTH_RED_FLAG_CODES, "no"),
        "medications": rng.choice(["", "Ibuprofen when needed", "None", "Vitamin D"]),
        "running_status": rng.choice(["running", "cut_back", "cut_back", "stopped"]),
        "years_running": rng.randint(1, min(20, age - 1)),  # never more years running than years of life
        "runs_per_week": rng.randint(3, 6),
        "distance_unit": "km",
        "weekly_distance": weekly,
        "longest_run": min(weekly, rng.choice([8, 10, 12, 16, 21])),
        "training_changes": ["none"],
        "surfaces": rng.choice(
            [["asphalt"], ["asphalt", "trail"], ["concrete", "sloped_road"], ["treadmill", "track"]]
        ),
        "running_shoes": "yes",
        "shoe_age_months": rng.randint(2, 10),
        "minimalist_change": "no",
        "warm_up": rng.choice(["walk", "dynamic", "none"]),
        "strength_sessions_per_week": rng.randint(1, 3),
        "cross_training": rng.choice([["cycle"], ["swim"], ["yoga"], ["none"]]),
        "rest_days_per_week": rng.randint(1, 3),
        "race_goal": rng.choice(["", "City half marathon", "Spring 10K"]),
        "pain_timing": rng.choice([["after"], ["after", "next_morning"], ["during", "after"]]),
        "running_time_lost": "no",
        "past_injuries": rng.choice(["", "Shin splints two years ago", "Sprained ankle in 2023"]),
        "visit_goals": rng.choice(
            ["Get back to running without pain", "Know whether I can keep training", "Understand what is wrong"]
        ),
        "expects_scan": rng.choice(["yes", "no", "no"]),
        "worries": rng.choice(["", "That I will have to stop running", ""]),
        "consent": True,
    }


LEGS_SCIATICA = {
    "leg_symptoms": "yes",
    "leg_side": "right",
    "leg_pain_lowest_point": "below_knee",
    "worse_back_or_leg": "leg",
    "leg_numbness_tingling": "yes",
    "leg_weakness": "no",
    "sitting_eases": "no",
    "walking_distance_m": 800,
}
# Asked after a "yes" to leg weakness (2027.1): both follow-ups answered "no" unless a profile says otherwise.
LEG_WEAKNESS_FOLLOW_UPS = {"leg_weakness_worsening": "no", "foot_drop": "no"}

# profile name -> (expected level, answers that differ from the base)
PROFILES: Mapping[str, tuple[str, Mapping[str, Any]]] = {
    "urgent_saddle_bladder": (
        "urgent",
        {"ce_saddle_numbness": "yes", "ce_urine_start_difficulty": "not_sure", "ce_onset": "within_14_days"},
    ),
    "urgent_bowel": ("urgent", {"ce_bowel_control": "yes", "ce_onset": "getting_worse"}),
    "urgent_both_legs": ("urgent", {"ce_both_legs_weaker": "yes", "ce_onset": "within_14_days"}),
    # docs/clinical/TRIAGE.md 2027.1 (NICE NG234): cancer with nerve symptoms is MSCC (urgent); with spinal pain
    # alone, MET.
    "urgent_mscc": ("urgent", {"cancer_history": "yes", **LEGS_SCIATICA}),
    "serious_cancer": ("serious", {"cancer_history": "yes"}),
    "serious_cancer_spinal_pain": (
        "serious",
        {"cancer_history": "yes", "night_rest_pain": "yes", "pain_locations": ["mid_upper_back"]},
    ),
    "serious_cord_compression": ("serious", {"hands_clumsy": "yes", "balance_worse": "not_sure"}),
    "serious_fracture": ("serious", {"trauma_onset": "yes", "onset_cause": "fall_impact", "osteoporosis": "not_sure"}),
    "serious_fever": ("serious", {"fever_unwell": "yes", "recent_infection_or_procedure": "yes"}),
    "urgent_sexual": ("urgent", {"ce_sexual_change": "not_sure", "ce_onset": "older_stable"}),
    "serious_both_leg_sides": ("serious", {**LEGS_SCIATICA, "leg_side": "both"}),
    "serious_leg_weakening": (
        "serious",
        {**LEGS_SCIATICA, "leg_weakness": "yes", **LEG_WEAKNESS_FOLLOW_UPS, "leg_weakness_worsening": "yes"},
    ),
    "serious_foot_drop": (
        "serious",
        {**LEGS_SCIATICA, "leg_weakness": "yes", **LEG_WEAKNESS_FOLLOW_UPS, "foot_drop": "yes"},
    ),
    "serious_weak_flags": ("serious", {"night_rest_pain": "yes", "getting_worse_or_4_weeks": "yes"}),
    "sciatica_below_knee": ("sciatica", LEGS_SCIATICA),
    "sciatica_leg_weak": (
        "sciatica",
        {
            **LEGS_SCIATICA,
            "leg_pain_lowest_point": "thigh",
            "worse_back_or_leg": "same",
            "leg_weakness": "yes",
            **LEG_WEAKNESS_FOLLOW_UPS,
            "leg_numbness_tingling": "no",
        },
    ),
    "routine_mileage_jump": (
        "routine",
        {
            "training_changes": ["distance", "new_plan"],
            "weekly_distance": 52,
            "weekly_distance_before": 34,
            "shoe_age_months": 16,
            "strength_sessions_per_week": 0,
            "race_goal": "Fall marathon",
        },
    ),
    "routine_stenosis": (
        "routine",
        {
            **LEGS_SCIATICA,
            "leg_pain_lowest_point": "thigh",
            "worse_back_or_leg": "back",
            "leg_numbness_tingling": "no",
            "sitting_eases": "yes",
            "worse_with": ["walking", "standing_up"],
            "running_status": "stopped",
        },
    ),
    "routine_minimalist": (
        "routine",
        {
            "minimalist_change": "yes",
            "running_shoes": "no",
            "training_changes": ["speed"],
            "weekly_distance_before": 30,
        },
    ),
    "routine_young_arching": (
        "routine",
        {"worse_with": ["leaning_back", "running"], "first_episode": "no", "running_status": "cut_back"},
    ),
    "routine_inflammatory": (
        "routine",
        {
            "pain_start_date": lambda today: today - datetime.timedelta(days=240),
            "pain_locations": ["low_back", "buttock"],
            "wakes_second_half_night": "yes",
            "better_with_movement": "yes",
            "nsaid_relief": "yes",
            "family_spa": "no",
            "joint_swelling": "no",
            "heel_pain": "no",
            "psoriasis": "no",
        },
    ),
    "routine_plain": ("routine", {}),
    "routine_non_runner": ("routine", {"running_status": "not_a_runner", "onset_cause": "lifting_bending"}),
}

# Profiles that only make sense at one age (R6: under 20; IBP: pain that began before 35).
PROFILE_AGES: Mapping[str, int] = {"routine_young_arching": 17, "routine_inflammatory": 30}

RUNNING_CODES = (
    "years_running", "runs_per_week", "distance_unit", "weekly_distance", "longest_run", "training_changes",
    "weekly_distance_before", "surfaces", "running_shoes", "shoe_age_months", "minimalist_change", "warm_up",
    "strength_sessions_per_week", "cross_training", "rest_days_per_week", "race_goal", "race_date", "pain_timing",
    "running_time_lost", "past_injuries",
)  # fmt: skip


def answers_for(profile: str, *, rng: random.Random, today: datetime.date, age: int | None = None) -> dict[str, Any]:
    _, changes = PROFILES[profile]
    answers = base_answers(rng=rng, today=today, age=PROFILE_AGES.get(profile) or age or rng.randint(24, 48))
    # A change may depend on the day (a pain start date months back): given as a function of `today`.
    answers.update({code: value(today) if callable(value) else value for code, value in changes.items()})
    if answers["running_status"] == "not_a_runner":
        for code in RUNNING_CODES:
            answers.pop(code, None)
    if answers.get("leg_symptoms") == "yes" and answers.get("leg_weakness") != "yes":
        for code in LEG_WEAKNESS_FOLLOW_UPS:
            answers.pop(code, None)
    return answers


# --- Follow-ups (issue 12) -------------------------------------------------------------------------------------------
# A follow-up asks the CES safety questions and the cord-compression ones again (all "no" here), new leg symptoms,
# PEG, the PSFS (the intake's activities), the global rating of change and running status.
FOLLOW_UP_SAFETY_CODES = (*CE_QUESTION_CODES, "hands_clumsy", "balance_worse")
PEG_CODES = ("pain_week_avg", "pain_enjoyment_interference", "pain_interference")
PSFS_CODES = ("psfs_1", "psfs_2", "psfs_3")
# Global rating of change by how PEG moved: better, about the same, worse.
GLOBAL_CHANGE_BY_TREND = {"better": ("better", "much_better"), "same": ("same",), "worse": ("worse", "little_worse")}


def _clamped(value: int) -> int:
    return max(0, min(10, value))


def follow_up_answers(
    intake_answers: Mapping[str, Any], *, rng: random.Random, steps: int, trend: str = "better"
) -> dict[str, Any]:
    """A follow-up's answers `steps` time points after the visit: PEG lower and the PSFS higher by about 1.5 points
    a time point when `trend` is "better", the other way when "worse", about the same when "same"."""
    sign = {"better": 1, "same": 0, "worse": -1}[trend]
    answers: dict[str, Any] = {**dict.fromkeys(FOLLOW_UP_SAFETY_CODES, "no"), "leg_symptoms": "no"}
    for code in PEG_CODES:
        before = int(intake_answers.get(code) or 5)
        answers[code] = _clamped(
            before - sign * (steps + rng.randint(0, 1)) * 3 // 2 + (0 if sign else rng.randint(-1, 1))
        )
    for code in PSFS_CODES:
        if code in intake_answers:
            answers[f"{code}_activity"] = intake_answers[f"{code}_activity"]
            answers[code] = _clamped(int(intake_answers[code]) + sign * (steps + rng.randint(0, 1)) * 3 // 2)
    answers["global_change"] = rng.choice(GLOBAL_CHANGE_BY_TREND[trend])
    if intake_answers.get("running_status") not in (None, "not_a_runner"):
        running = {"better": ("running_less", "usual_running"), "same": ("run_walk",), "worse": ("not_running",)}
        answers["follow_up_running"] = running[trend][min(steps - 1, len(running[trend]) - 1)]
    return answers
