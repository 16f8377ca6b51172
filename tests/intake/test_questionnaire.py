"""The questionnaire catalogue matches docs/clinical/INTAKE.md, asks follow-ups only when they apply, and checks
answers plainly."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from education.rendering import readability
from intake.rules import questionnaire as q
from intake.rules import questionnaire_checks as checks

TODAY = datetime.date(2026, 3, 15)
ADULT_DOB = datetime.date(1990, 6, 1)

INTAKE_CODES: dict[str, list[str]] = {
    "safety": [
        "ce_saddle_numbness",
        "ce_wiping_sensation",
        "ce_urine_start_difficulty",
        "ce_urine_leak_or_no_sensation",
        "ce_bowel_control",
        "ce_both_legs_weaker",
        "ce_sexual_change",
        "ce_onset",
    ],
    "about": ["date_of_birth", "sex", "height_cm", "weight_kg", "phone"],
    "back_pain": [
        "pain_start_date",
        "onset_cause",
        "onset_cause_other",
        "first_episode",
        "pain_now",
        "pain_week_avg",
        "pain_enjoyment_interference",
        "pain_interference",
        "psfs_1_activity",
        "psfs_1",
        "psfs_2_activity",
        "psfs_2",
        "psfs_3_activity",
        "psfs_3",
        "pain_locations",
        "night_rest_pain",
        "worse_with",
        # 2027.1: the inflammatory back pain block
        "wakes_second_half_night",
        "better_with_movement",
        "nsaid_relief",
        "family_spa",
        "joint_swelling",
        "heel_pain",
        "psoriasis",
    ],
    "legs": [
        "leg_symptoms",
        "leg_side",
        "leg_pain_lowest_point",
        "worse_back_or_leg",
        "leg_numbness_tingling",
        "leg_weakness",
        "leg_weakness_worsening",
        "foot_drop",  # 2027.1
        "walking_distance_m",
        "sitting_eases",
    ],
    "general_health": [
        "cancer_history",
        "weight_loss",
        "fever_unwell",
        "iv_drug_use",
        "immunosuppressed",
        "recent_infection_or_procedure",
        "trauma_onset",
        "osteoporosis",
        "long_term_steroids",  # 2027.1
        "hands_clumsy",  # 2027.1
        "balance_worse",  # 2027.1
        "getting_worse_or_4_weeks",
        "medications",
    ],
    "running": [
        "running_status",
        "years_running",
        "runs_per_week",
        "distance_unit",
        "weekly_distance",
        "longest_run",
        "training_changes",
        "weekly_distance_before",
        "surfaces",
        "running_shoes",
        "shoe_age_months",
        "minimalist_change",
        "warm_up",
        "strength_sessions_per_week",
        "cross_training",
        "rest_days_per_week",
        "race_goal",
        "race_date",
        "pain_timing",
        "running_time_lost",
        "past_injuries",
    ],
    "visit": ["visit_goals", "expects_scan", "worries", "consent"],
}

INTAKE_CHOICES: dict[str, list[str]] = {
    "ce_onset": ["within_14_days", "older_stable", "getting_worse"],
    "sex": ["female", "male", "other", "prefer_not"],
    "onset_cause": ["running", "lifting_bending", "fall_impact", "no_clear_cause", "other"],
    "pain_locations": ["low_back", "buttock", "mid_upper_back", "chest_band", "neck"],
    "worse_with": ["bending_forward", "leaning_back", "sitting", "standing_up", "walking", "running", "coughing"],
    "nsaid_relief": ["yes", "no", "not_tried"],
    "leg_side": ["left", "right", "both"],
    "leg_pain_lowest_point": ["buttock", "thigh", "below_knee", "foot"],
    "worse_back_or_leg": ["back", "leg", "same"],
    "running_status": ["running", "cut_back", "stopped", "not_a_runner"],
    "distance_unit": ["km", "mi"],
    "training_changes": ["distance", "speed", "hills", "frequency", "new_plan", "after_break", "none"],
    "surfaces": ["concrete", "asphalt", "sloped_road", "track", "treadmill", "trail", "grass_sand"],
    "warm_up": ["none", "walk", "dynamic"],
    "cross_training": ["swim", "cycle", "elliptical", "yoga", "pool_running", "none"],
    "pain_timing": ["before", "during", "after", "next_morning", "unrelated"],
}

YNS_CODES = INTAKE_CODES["safety"][:7] + INTAKE_CODES["general_health"][:12]
IBP_YN_CODES = [
    "wakes_second_half_night",
    "better_with_movement",
    "family_spa",
    "joint_swelling",
    "heel_pain",
    "psoriasis",
]
YN_CODES = [
    "first_episode",
    "night_rest_pain",
    "leg_symptoms",
    "leg_numbness_tingling",
    "leg_weakness",
    "leg_weakness_worsening",
    "foot_drop",
    "sitting_eases",
    "running_shoes",
    "minimalist_change",
    "running_time_lost",
    "expects_scan",
    *IBP_YN_CODES,
]


def errors(step: str, **answers: object) -> dict[str, str]:
    return checks.validate_answers(step, answers, today=TODAY)


# --- the catalogue matches docs/clinical/INTAKE.md ------------------------------------------------------------------


def test_steps_come_in_intake_order() -> None:
    assert q.STEP_SLUGS == ("safety", "about", "back_pain", "legs", "general_health", "running", "visit")
    assert [q.step_by_slug(slug) for slug in q.STEP_SLUGS] == list(q.STEPS)


@pytest.mark.parametrize(("slug", "codes"), INTAKE_CODES.items())
def test_each_step_asks_the_intake_codes_in_order(slug: str, codes: list[str]) -> None:
    assert [question.code for question in q.step_by_slug(slug).questions] == codes


def test_every_intake_code_appears_exactly_once() -> None:
    every = [question.code for step in q.STEPS for question in step.questions]
    assert sorted(every) == sorted(code for codes in INTAKE_CODES.values() for code in codes)
    assert len(every) == len(set(every)) == len(q.QUESTIONS)


@pytest.mark.parametrize(("code", "choices"), INTAKE_CHOICES.items())
def test_choice_codes_match_intake(code: str, choices: list[str]) -> None:
    assert [choice.code for choice in q.question_by_code(code).choices] == choices


@pytest.mark.parametrize("code", YNS_CODES)
def test_safety_and_health_questions_offer_yes_no_and_not_sure(code: str) -> None:
    question = q.question_by_code(code)
    assert (question.kind, question.required) == ("yns", True)
    assert [(c.code, c.label) for c in question.choices] == [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]


@pytest.mark.parametrize("code", YN_CODES)
def test_plain_yes_no_questions_offer_yes_and_no(code: str) -> None:
    assert q.question_by_code(code).choice_codes == {"yes", "no"}


def test_ce_emergency_codes_are_all_seven_cauda_equina_questions() -> None:
    # 2027.1: the sexual-function question opens the emergency page too (CE7 urgent).
    assert tuple(INTAKE_CODES["safety"][:7]) == q.CE_EMERGENCY_CODES == q.CE_QUESTION_CODES


def test_an_unknown_step_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        q.step_by_slug("billing")


@pytest.mark.parametrize("code", INTAKE_CODES["safety"][:7])
def test_safety_questions_ask_about_signs_that_are_new_or_getting_worse(code: str) -> None:
    # 2027.1 (docs/clinical/INTAKE.md step 1): "new or getting worse" rather than only "recent".
    label = q.question_by_code(code).label
    assert "new or getting worse" in label
    assert "recent" not in label


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("ce_saddle_numbness", ["numbness", "tingling", "saddle area", "inner thighs", "bottom", "genitals"]),
        ("ce_wiping_sensation", ["wiping", "different"]),
        ("ce_urine_start_difficulty", ["start", "stop", "control", "weaker"]),
        ("ce_urine_leak_or_no_sensation", ["leak", "pads", "full", "empty", "feel pee passing"]),
        ("ce_bowel_control", ["hold in", "leak", "feel a poop passing"]),
        ("ce_both_legs_weaker", ["both", "weak"]),
        ("ce_sexual_change", ["erection", "ejaculate", "genitals"]),
    ],
)
def test_each_safety_question_covers_every_card_item_it_stands_for(code: str, words: list[str]) -> None:
    # 2027.1: CE3 and CE4 cover starting, stopping or controlling the flow, pads, and not feeling full or empty.
    question = q.question_by_code(code)
    text = f"{question.label} {question.hint}".lower()
    assert [word for word in words if word not in text] == []


def test_walking_getting_harder_is_no_longer_part_of_the_both_legs_question() -> None:
    # 2027.1: CE6 is weakness in both legs only; a walking limit belongs to R1/CM1.
    question = q.question_by_code("ce_both_legs_weaker")
    assert "walking is getting harder" not in question.label.lower()
    assert "or is walking" not in question.label.lower()


@pytest.mark.parametrize("code", sorted(q.QUESTIONS))
def test_questions_and_hints_stay_short_and_plain(code: str) -> None:
    """Short sentences; and a hint, there to make a question plainer, reads at grade 8 or below
    (docs/clinical/INTAKE.md: "plain, grade 6-8"), measured as the articles are. A hint under 10 words is mostly the
    name of what it explains ("Osteoporosis means thin, weak bones."): the formula would measure that name, not the
    hint."""
    question = q.question_by_code(code)
    assert len(question.label) <= 110
    assert all(len(sentence) <= 110 for line in question.hint.split("\n") for sentence in line.split(". "))
    hint = readability(question.hint)
    assert hint.words < 10 or hint.grade <= 8, (hint.grade, question.hint)


def test_the_safety_step_says_why_it_comes_first() -> None:
    intro = q.step_by_slug("safety").intro
    assert "first" in intro
    assert "right away" in intro


def test_the_saddle_area_is_explained() -> None:
    assert "saddle area is" in q.question_by_code("ce_saddle_numbness").hint


def test_every_question_and_choice_has_a_plain_label() -> None:
    for question in q.QUESTIONS.values():
        assert question.label.strip()
        assert question.kind in q.KINDS
        assert all(choice.label.strip() for choice in question.choices)
        assert "_" not in question.label


# --- who is asked what ----------------------------------------------------------------------------------------------


def applying(slug: str, **answers: object) -> list[str]:
    return [question.code for question in q.questions_that_apply(q.step_by_slug(slug), answers)]


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
@pytest.mark.parametrize("code", INTAKE_CODES["safety"][:7])
def test_onset_is_asked_after_any_safety_concern(code: str, answer: str) -> None:
    assert "ce_onset" in applying("safety", **{code: answer})


def test_onset_is_not_asked_when_every_safety_answer_is_no() -> None:
    assert "ce_onset" not in applying("safety", **dict.fromkeys(INTAKE_CODES["safety"][:7], "no"))


def test_leg_questions_are_asked_only_with_leg_symptoms() -> None:
    assert applying("legs", leg_symptoms="no") == ["leg_symptoms"]
    assert applying("legs") == ["leg_symptoms"]
    assert "leg_side" in applying("legs", leg_symptoms="yes")


def test_weakness_getting_worse_is_asked_only_with_weakness() -> None:
    assert "leg_weakness_worsening" not in applying("legs", leg_symptoms="yes", leg_weakness="no")
    assert "leg_weakness_worsening" in applying("legs", leg_symptoms="yes", leg_weakness="yes")
    assert "leg_weakness_worsening" not in applying("legs", leg_symptoms="no", leg_weakness="yes")


def test_foot_drop_is_asked_only_with_weakness() -> None:
    assert "foot_drop" not in applying("legs", leg_symptoms="yes", leg_weakness="no")
    assert "foot_drop" in applying("legs", leg_symptoms="yes", leg_weakness="yes")
    assert "foot_drop" not in applying("legs", leg_symptoms="no", leg_weakness="yes")
    assert q.question_by_code("foot_drop").required


def test_the_new_general_health_questions_are_required_and_offer_not_sure() -> None:
    assert set(errors("general_health")) == set(INTAKE_CODES["general_health"][:12])


IBP_CODES = INTAKE_CODES["back_pain"][17:]
THIRTY_YEAR_OLD = TODAY.replace(year=TODAY.year - 30)


def ibp_asked(*, today: datetime.date = TODAY, **answers: object) -> bool:
    asked = [question.code for question in q.questions_that_apply(q.step_by_slug("back_pain"), answers, today=today)]
    found = set(IBP_CODES) & set(asked)
    assert found in (set(), set(IBP_CODES))
    return bool(found)


def test_the_ibp_codes_are_the_inflammatory_block() -> None:
    assert tuple(IBP_CODES) == q.IBP_QUESTION_CODES


@pytest.mark.parametrize(
    ("started", "asked"),
    [
        (datetime.date(2025, 12, 15), False),  # exactly 3 months before TODAY (15 March): not more
        (datetime.date(2025, 12, 14), True),
        (datetime.date(2026, 3, 1), False),
        (datetime.date(2020, 1, 1), True),
    ],
    ids=["exactly-3-months", "3-months-and-a-day", "2-weeks", "years"],
)
def test_the_ibp_block_needs_pain_for_more_than_3_months(started: datetime.date, asked: bool) -> None:
    assert ibp_asked(date_of_birth=THIRTY_YEAR_OLD, pain_start_date=started) is asked


@pytest.mark.parametrize(
    ("born", "asked"),
    [
        (datetime.date(1975, 1, 1), False),  # 45 on the day the pain began
        (datetime.date(1975, 1, 2), True),  # still 44
        (datetime.date(2000, 1, 1), True),
    ],
    ids=["45", "44-birthday-next-day", "20"],
)
def test_the_ibp_block_needs_pain_that_began_before_45(born: datetime.date, asked: bool) -> None:
    assert ibp_asked(date_of_birth=born, pain_start_date=datetime.date(2020, 1, 1)) is asked


@pytest.mark.parametrize(
    "answers",
    [{}, {"pain_start_date": datetime.date(2020, 1, 1)}, {"date_of_birth": THIRTY_YEAR_OLD}],
    ids=["nothing", "no-birth-date", "no-pain-date"],
)
def test_the_ibp_block_is_not_asked_without_both_dates(answers: dict[str, datetime.date]) -> None:
    assert not ibp_asked(**answers)


def test_the_ibp_block_reads_iso_dates_as_staff_screens_hold_them() -> None:
    assert ibp_asked(date_of_birth="1996-03-15", pain_start_date="2020-01-01")
    assert not ibp_asked(date_of_birth="1996-03-15", pain_start_date="not a date")


def test_the_day_for_the_ibp_block_comes_from_the_caller() -> None:
    answers = {"date_of_birth": THIRTY_YEAR_OLD, "pain_start_date": datetime.date(2025, 12, 15)}
    question = q.question_by_code("wakes_second_half_night")
    assert not question.applies_to(answers, today=TODAY)
    assert question.applies_to(answers, today=TODAY + datetime.timedelta(days=1))
    with q.on_day(TODAY + datetime.timedelta(days=1)):
        assert q.current_day() == TODAY + datetime.timedelta(days=1)
        assert question.applies_to(answers)
        assert not question.applies_to(answers, today=TODAY)  # an explicit day wins
    assert q.current_day() == datetime.date.today()


def test_validation_judges_the_ibp_block_on_its_own_today() -> None:
    answers = {"date_of_birth": THIRTY_YEAR_OLD, "pain_start_date": datetime.date(2025, 12, 1), "psoriasis": "maybe"}
    assert "psoriasis" in checks.validate_answers("back_pain", answers, today=TODAY)
    early = datetime.date(2026, 2, 1)  # the pain is only 2 months old that day: the block is not asked
    assert "psoriasis" not in checks.validate_answers("back_pain", answers, today=early)


def test_the_ibp_block_is_optional() -> None:
    answers = {"date_of_birth": THIRTY_YEAR_OLD, "pain_start_date": datetime.date(2020, 1, 1)}
    found = checks.validate_answers("back_pain", answers, today=TODAY)
    assert not set(found) & set(IBP_CODES)
    assert all(not q.question_by_code(code).required for code in IBP_CODES)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 15), 3, datetime.date(2025, 12, 15)),
        (datetime.date(2026, 5, 31), 3, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 5, 31), 3, datetime.date(2028, 2, 29)),
        (datetime.date(1, 2, 1), 3, datetime.date.min),
    ],
)
def test_months_before_clamps_to_the_end_of_a_shorter_month(
    day: datetime.date, months: int, expected: datetime.date
) -> None:
    assert q.months_before(day, months) == expected


@pytest.mark.parametrize(("cause", "asked"), [("other", True), ("running", False), (None, False)])
def test_the_other_cause_is_asked_only_for_something_else(cause: object, asked: bool) -> None:
    assert ("onset_cause_other" in applying("back_pain", onset_cause=cause)) is asked


def test_non_runners_skip_the_rest_of_the_running_step() -> None:
    assert applying("running", running_status="not_a_runner") == ["running_status"]
    assert "runs_per_week" in applying("running", running_status="stopped")


@pytest.mark.parametrize(
    ("changes", "asked"), [(["none"], False), ([], False), (["hills"], True), (["none", "speed"], True)]
)
def test_distance_before_is_asked_only_after_a_training_change(changes: list[str], asked: bool) -> None:
    assert ("weekly_distance_before" in applying("running", training_changes=changes)) is asked


# --- validation -----------------------------------------------------------------------------------------------------


def test_missing_required_answers_are_reported_per_field() -> None:
    assert errors("about") == {"date_of_birth": checks.MSG_REQUIRED, "phone": checks.MSG_REQUIRED}
    assert errors("visit") == {"consent": checks.MSG_CONSENT_REQUIRED}
    assert set(errors("safety")) == set(INTAKE_CODES["safety"][:7])


def test_blank_text_and_empty_lists_count_as_missing() -> None:
    assert errors("back_pain", pain_locations=[])["pain_locations"] == checks.MSG_REQUIRED
    assert errors("running", running_status="  ")["running_status"] == checks.MSG_REQUIRED


def test_optional_questions_may_be_left_empty() -> None:
    assert errors("about", date_of_birth=ADULT_DOB, phone="+12015550123", sex=None, height_cm=None) == {}


def test_unknown_choice_codes_are_rejected() -> None:
    assert errors("safety", ce_saddle_numbness="maybe")["ce_saddle_numbness"] == checks.MSG_INVALID_CHOICE
    assert errors("back_pain", pain_locations=["toe"])["pain_locations"] == checks.MSG_INVALID_CHOICE
    assert errors("back_pain", pain_locations="low_back")["pain_locations"] == checks.MSG_INVALID_CHOICE


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("pain_now", 11, checks.MSG_TOO_LARGE.format(maximum="10")),
        ("pain_now", -1, checks.MSG_NEGATIVE),
        ("pain_now", Decimal("4.5"), checks.MSG_WHOLE_NUMBER),
        ("pain_now", "four", checks.MSG_NOT_A_NUMBER),
        ("pain_now", True, checks.MSG_NOT_A_NUMBER),
        ("pain_now", float("nan"), checks.MSG_NOT_A_NUMBER),
        ("pain_now", 10, None),
        ("pain_now", 0, None),
        ("pain_now", 7.0, None),
    ],
)
def test_pain_scales_take_whole_numbers_from_0_to_10(code: str, value: object, message: str | None) -> None:
    assert errors("back_pain", **{code: value}).get(code) == message


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("height_cm", 49, checks.MSG_TOO_SMALL.format(minimum="50")),
        ("height_cm", 50, None),
        ("height_cm", Decimal("250"), None),
        ("height_cm", Decimal("250.5"), checks.MSG_TOO_LARGE.format(maximum="250")),
        ("height_cm", -170, checks.MSG_NEGATIVE),
        ("weight_kg", 19.9, checks.MSG_TOO_SMALL.format(minimum="20")),
        ("weight_kg", 350, None),
        ("weight_kg", 351, checks.MSG_TOO_LARGE.format(maximum="350")),
    ],
)
def test_height_and_weight_must_be_within_human_ranges(code: str, value: object, message: str | None) -> None:
    assert errors("about", date_of_birth=ADULT_DOB, **{code: value}).get(code) == message


RUNNER: dict[str, object] = {
    "running_status": "running",
    "runs_per_week": 3,
    "distance_unit": "km",
    "weekly_distance": 30,
    "training_changes": ["none"],
    "running_shoes": "yes",
    "pain_timing": ["after"],
}


def running_errors(**changes: object) -> dict[str, str]:
    return checks.validate_answers("running", {**RUNNER, **changes}, today=TODAY)


def test_a_complete_runner_step_has_no_errors() -> None:
    assert running_errors() == {}


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"runs_per_week": 22}, "runs_per_week", checks.MSG_TOO_LARGE.format(maximum="21")),
        ({"runs_per_week": 21}, "runs_per_week", None),
        ({"weekly_distance": 400}, "weekly_distance", None),
        # Stored in km, typed in km (400 at most) or in miles (250 at most, 402.34 km as stored).
        ({"weekly_distance": Decimal("402.34")}, "weekly_distance", None),
        ({"weekly_distance": Decimal("402.35")}, "weekly_distance",
         checks.MSG_DISTANCE_TOO_LARGE.format(maximum="402.34", unit="km")),
        ({"distance_unit": "mi", "weekly_distance": 250}, "weekly_distance", None),
        ({"distance_unit": "mi", "weekly_distance": 251}, "weekly_distance",
         checks.MSG_DISTANCE_TOO_LARGE.format(maximum="250", unit="miles")),
        ({"distance_unit": "mi", "longest_run": 300}, "longest_run",
         checks.MSG_DISTANCE_TOO_LARGE.format(maximum="250", unit="miles")),
        ({"training_changes": ["hills"], "weekly_distance_before": 403}, "weekly_distance_before",
         checks.MSG_DISTANCE_TOO_LARGE.format(maximum="402.34", unit="km")),
        ({"years_running": 81}, "years_running", checks.MSG_TOO_LARGE.format(maximum="80")),
        ({"shoe_age_months": 121}, "shoe_age_months", checks.MSG_TOO_LARGE.format(maximum="120")),
        ({"strength_sessions_per_week": 15}, "strength_sessions_per_week", checks.MSG_TOO_LARGE.format(maximum="14")),
        ({"rest_days_per_week": 8}, "rest_days_per_week", checks.MSG_TOO_LARGE.format(maximum="7")),
        ({"rest_days_per_week": -1}, "rest_days_per_week", checks.MSG_NEGATIVE),
    ],
)  # fmt: skip
def test_running_numbers_have_sane_upper_bounds(changes: dict[str, object], code: str, message: str | None) -> None:
    assert running_errors(**changes).get(code) == message


def test_the_distance_caps_per_unit() -> None:
    assert (q.max_weekly_distance("km"), q.max_weekly_distance("mi")) == (Decimal(400), Decimal(250))
    assert q.max_weekly_distance(None) == 400


@pytest.mark.parametrize(("code", "none"), [("training_changes", "No changes"), ("cross_training", "None")])
def test_none_cannot_be_picked_with_another_answer_and_the_message_names_the_answer_shown(code: str, none: str) -> None:
    assert running_errors(**{code: ["none", "swim" if code == "cross_training" else "hills"]})[code] == (
        checks.MSG_NONE_WITH_OTHERS.format(none=none)
    )
    assert code not in running_errors(**{code: ["none"]})


def test_running_questions_are_not_checked_for_non_runners() -> None:
    assert (
        checks.validate_answers("running", {"running_status": "not_a_runner", "runs_per_week": 99}, today=TODAY) == {}
    )


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (TODAY + datetime.timedelta(days=1), "Date of birth must be today or in the past"),
        (datetime.date(2014, 3, 16), checks.MSG_AGE_OUT_OF_RANGE),  # 11 on TODAY
        (datetime.date(2014, 3, 15), None),  # 12 today
        (datetime.date(1915, 3, 15), checks.MSG_AGE_OUT_OF_RANGE),  # 111
        (datetime.date(1915, 3, 16), None),  # 110
        ("1990-06-01", checks.MSG_NOT_A_DATE),
    ],
)
def test_date_of_birth_must_give_an_age_of_12_to_110(born: object, message: str | None) -> None:
    assert errors("about", date_of_birth=born).get("date_of_birth") == message


@pytest.mark.parametrize(
    ("started", "message"),
    [
        (TODAY, None),
        (TODAY + datetime.timedelta(days=1), "The date your back pain started must be today or in the past"),
        (
            ADULT_DOB - datetime.timedelta(days=1),
            "The date your back pain started must be on or after your date of birth",
        ),
        (ADULT_DOB, None),
    ],
)
def test_the_pain_start_date_is_between_birth_and_today(started: datetime.date, message: str | None) -> None:
    found = errors("back_pain", date_of_birth=ADULT_DOB, pain_start_date=started).get("pain_start_date")
    assert found == message


def test_a_race_date_may_be_in_the_future() -> None:
    assert "race_date" not in running_errors(race_date=TODAY + datetime.timedelta(days=90))


def test_free_text_is_limited_in_length_after_trimming() -> None:
    assert "worries" not in errors("visit", consent=True, worries="  " + "x" * 2000 + "  ")
    assert errors("visit", consent=True, worries="x" * 2001)["worries"] == checks.MSG_TOO_LONG.format(maximum="2,000")
    assert errors("visit", consent=True, worries=42)["worries"] == checks.MSG_NOT_TEXT


def test_consent_must_be_ticked() -> None:
    assert errors("visit", consent=False)["consent"] == checks.MSG_CONSENT_REQUIRED
    assert errors("visit", consent=True) == {}


def test_messages_say_what_to_do_in_plain_words() -> None:
    messages = [value for name, value in vars(checks).items() if name.startswith("MSG_")]
    assert len(messages) == 22
    # The GOV.UK date messages are named after their date and, as GOV.UK writes them, end without a full stop.
    dated = {checks.MSG_FUTURE_DATE, checks.MSG_BEFORE_BIRTH}
    assert all(message.endswith(".") for message in messages if message not in dated)
    assert all(message.startswith("{name} must be") for message in dated)
    assert all(len(message) < 120 for message in messages)


# --- staff display --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [
        ("ce_saddle_numbness", "not_sure", "Not sure"),
        ("leg_weakness", "yes", "Yes"),
        ("onset_cause", "fall_impact", "A fall, crash or blow"),
        ("pain_locations", ["low_back", "chest_band"], "Lower back, A band around the chest or ribs"),
        ("date_of_birth", datetime.date(1990, 6, 1), "Jun 1, 1990"),
        ("date_of_birth", "1990-06-01", "Jun 1, 1990"),  # as read back from the JSON column
        ("pain_start_date", "2026-12-25", "Dec 25, 2026"),
        ("weekly_distance", Decimal("25.50"), "25.5"),
        ("pain_now", 7, "7"),
        ("worries", "  Will I run again?  ", "Will I run again?"),
        ("consent", True, "Yes"),
        ("consent", None, "No"),
        ("medications", None, checks.NOT_ANSWERED),
        ("surfaces", [], checks.NOT_ANSWERED),
        ("onset_cause", "retired_code", "retired_code"),
    ],
)
def test_answers_are_shown_to_staff_in_plain_words(code: str, value: object, shown: str) -> None:
    assert checks.human_value(q.question_by_code(code), value) == shown


def test_human_answers_follow_questionnaire_order() -> None:
    shown = checks.human_answers({"leg_symptoms": "no", "ce_bowel_control": "no", "unknown": "x"})
    assert [(question.code, text) for question, text in shown] == [("ce_bowel_control", "No"), ("leg_symptoms", "No")]


# --- robustness -----------------------------------------------------------------------------------------------------

_any_value = st.one_of(
    st.none(),
    st.sampled_from(sorted({choice.code for question in q.QUESTIONS.values() for choice in question.choices})),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.dates(),
    st.text(max_size=5),
    st.lists(st.one_of(st.text(max_size=3), st.integers()), max_size=3),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slug=st.sampled_from(q.STEP_SLUGS),
    answers=st.dictionaries(st.sampled_from(sorted(q.QUESTIONS)), _any_value),
    today=st.dates(),
)
def test_checking_and_showing_any_typed_value_never_raises(
    slug: str, answers: dict[str, object], today: datetime.date
) -> None:
    found = checks.validate_answers(slug, answers, today=today)
    assert set(found) <= {question.code for question in q.step_by_slug(slug).questions}
    assert all(isinstance(checks.human_value(q.question_by_code(code), value), str) for code, value in answers.items())


@pytest.mark.parametrize(
    ("race_date", "message"),
    [
        (TODAY - datetime.timedelta(days=6 * 365), "The race date is more than 5 years ago"),
        (datetime.date(1900, 4, 20), "The race date is more than 5 years ago"),
        (TODAY + datetime.timedelta(days=4 * 365), "The race date is more than 3 years away"),
    ],
)
def test_a_race_date_years_off_gets_a_message(race_date, message) -> None:
    assert running_errors(race_date=race_date)["race_date"].startswith(message)


def test_a_race_date_run_since_or_next_year_is_fine() -> None:
    """A form sent weeks after it was started may hold a race that has been run since (the answers are checked again
    when the form is sent: a bound of a year back failed a race date saved 350 days back, three weeks later)."""
    for race_date in (TODAY - datetime.timedelta(days=400), TODAY + datetime.timedelta(days=400)):
        assert "race_date" not in running_errors(race_date=race_date)


def test_a_runner_who_runs_less_than_once_a_week_may_say_0_runs_and_a_distance() -> None:
    assert running_errors(runs_per_week=0, weekly_distance=5) == {}


def test_more_years_of_running_than_years_of_life_gets_a_message() -> None:
    born = TODAY.replace(year=TODAY.year - 41)
    assert running_errors(date_of_birth=born, years_running=70)["years_running"] == (
        "This is more years than your age. Please check it."
    )
    assert "years_running" not in running_errors(date_of_birth=born, years_running=30)
