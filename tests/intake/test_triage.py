"""Every rule and combination of TRIAGE.md (version 2026.1), run against the pure triage engine without a database."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.rules import triage
from intake.rules.questionnaire import CE_EMERGENCY_CODES, QUESTIONS

TODAY = datetime.date(2026, 3, 15)


def born_years_ago(years: int, *, days: int = 0) -> datetime.date:
    """A date of birth giving exactly ``years`` on TODAY; ``days`` shifts it (positive = birthday still to come)."""
    return TODAY.replace(year=TODAY.year - years) + datetime.timedelta(days=days)


def complete_routine_answers() -> dict[str, object]:
    """A full intake from a 35-year-old runner with no flags at all; tests change a few answers."""
    return {
        **dict.fromkeys(CE_EMERGENCY_CODES, "no"),
        "ce_sexual_change": "no",
        "date_of_birth": born_years_ago(35),
        "sex": "female",
        "height_cm": Decimal("168"),
        "weight_kg": Decimal("61.5"),
        "pain_start_date": TODAY - datetime.timedelta(days=10),
        "onset_cause": "no_clear_cause",
        "first_episode": "no",
        "pain_now": 3,
        "pain_week_avg": 4,
        "pain_interference": 2,
        "pain_locations": ["low_back"],
        "night_rest_pain": "no",
        "worse_with": ["bending_forward"],
        "leg_symptoms": "no",
        "cancer_history": "no",
        "weight_loss": "no",
        "fever_unwell": "no",
        "iv_drug_use": "no",
        "immunosuppressed": "no",
        "recent_infection_or_procedure": "no",
        "trauma_onset": "no",
        "osteoporosis": "no",
        "getting_worse_or_4_weeks": "no",
        "medications": "",
        "running_status": "running",
        "years_running": 6,
        "runs_per_week": 3,
        "distance_unit": "km",
        "weekly_distance": Decimal("25"),
        "longest_run": Decimal("12"),
        "training_changes": ["none"],
        "surfaces": ["track"],
        "running_shoes": "yes",
        "shoe_age_months": 6,
        "minimalist_change": "no",
        "warm_up": "walk",
        "strength_sessions_per_week": 2,
        "cross_training": ["cycle"],
        "rest_days_per_week": 2,
        "pain_timing": ["next_morning"],
        "running_time_lost": "no",
        "consent": True,
    }


BENIGN_LEGS: dict[str, object] = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "buttock",
    "worse_back_or_leg": "back",
    "leg_numbness_tingling": "no",
    "leg_weakness": "no",
    "sitting_eases": "no",
}


def answers_with(*removed: str, **changes: object) -> dict[str, object]:
    answers = complete_routine_answers()
    answers.update(changes)
    for code in removed:
        del answers[code]
    return answers


def legs_with(*removed: str, **changes: object) -> dict[str, object]:
    return answers_with(*removed, **{**BENIGN_LEGS, **changes})


def assess(answers: dict[str, object]) -> triage.TriageResult:
    return triage.assess(answers, today=TODAY)


def codes(answers: dict[str, object]) -> set[str]:
    return set(assess(answers).codes)


# --- the all-clear baseline ---------------------------------------------------------------------------------------


def test_complete_routine_answers_raise_no_flags() -> None:
    result = assess(complete_routine_answers())
    assert (result.level, result.flags, result.rules_version) == ("routine", (), "2026.1")


def test_benign_leg_symptoms_alone_stay_routine() -> None:
    assert assess(legs_with()).level == "routine"
    assert assess(legs_with()).flags == ()


# --- cauda equina ---------------------------------------------------------------------------------------------------

CE_FLAGS = {
    "ce_saddle_numbness": "CE1",
    "ce_wiping_sensation": "CE2",
    "ce_urine_start_difficulty": "CE3",
    "ce_urine_leak_or_no_sensation": "CE4",
    "ce_bowel_control": "CE5",
    "ce_both_legs_weaker": "CE6",
}


def test_saddle_numbness_alone_is_urgent() -> None:
    result = assess(answers_with(ce_saddle_numbness="yes"))
    assert result.level == "urgent"
    assert result.codes == ("CE1",)


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
@pytest.mark.parametrize(("code", "flag"), CE_FLAGS.items())
def test_each_cauda_equina_warning_sign_alone_is_urgent(code: str, flag: str, answer: str) -> None:
    result = assess(answers_with(**{code: answer}))
    assert (result.level, result.codes) == ("urgent", (flag,))


@pytest.mark.parametrize("code", CE_FLAGS)
def test_a_missing_cauda_equina_answer_counts_as_not_sure(code: str) -> None:
    assert assess(answers_with(code)).codes == (CE_FLAGS[code],)
    assert assess(answers_with(**{code: None})).level == "urgent"


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_sexual_change_alone_is_serious(answer: str) -> None:
    result = assess(answers_with(ce_sexual_change=answer))
    assert (result.level, result.codes) == ("serious", ("CE7",))


@pytest.mark.parametrize("code", CE_FLAGS)
def test_sexual_change_with_another_cauda_equina_sign_is_urgent_without_ce7(code: str) -> None:
    result = assess(answers_with(ce_sexual_change="yes", **{code: "yes"}))
    assert (result.level, result.codes) == ("urgent", (CE_FLAGS[code],))


def test_onset_answer_is_kept_for_staff_and_never_lowers_the_level() -> None:
    result = assess(answers_with(ce_saddle_numbness="yes", ce_onset="older_stable"))
    assert (result.level, result.ce_onset) == ("urgent", "older_stable")


def test_onset_is_ignored_when_no_cauda_equina_sign_was_raised() -> None:
    assert assess(answers_with(ce_onset="getting_worse")).ce_onset is None


def test_leg_symptoms_on_both_sides_are_serious() -> None:
    result = assess(legs_with(leg_side="both"))
    assert (result.level, result.codes) == ("serious", ("CE8",))


@pytest.mark.parametrize("side", ["left", "right"])
def test_leg_symptoms_on_one_side_are_not_ce8(side: str) -> None:
    assert "CE8" not in codes(legs_with(leg_side=side))


# --- serious pathology ------------------------------------------------------------------------------------------

SP_FLAGS = {
    "cancer_history": "SP1",
    "weight_loss": "SP2",
    "fever_unwell": "SP3",
    "iv_drug_use": "SP4",
    "immunosuppressed": "SP5",
    "recent_infection_or_procedure": "SP6",
    "trauma_onset": "SP7",
}


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
@pytest.mark.parametrize(("code", "flag"), SP_FLAGS.items())
def test_each_serious_pathology_answer_alone_is_serious(code: str, flag: str, answer: str) -> None:
    result = assess(answers_with(**{code: answer}))
    assert (result.level, result.codes) == ("serious", (flag,))


@pytest.mark.parametrize("code", SP_FLAGS)
def test_a_missing_general_health_answer_counts_as_not_sure(code: str) -> None:
    result = assess(answers_with(code))
    assert (result.level, result.codes) == ("serious", (SP_FLAGS[code],))


@pytest.mark.parametrize(
    ("changes", "raised"),
    [
        ({"onset_cause": "fall_impact"}, True),
        ({"osteoporosis": "yes", "onset_cause": "lifting_bending"}, True),
        ({"osteoporosis": "not_sure", "onset_cause": "lifting_bending"}, True),
        ({"osteoporosis": "yes", "onset_cause": "running"}, False),
        ({"osteoporosis": "no", "onset_cause": "lifting_bending"}, False),
        ({"onset_cause": "lifting_bending"}, False),
    ],
)
def test_possible_fracture_after_a_fall_or_a_strain_with_osteoporosis(changes: dict[str, object], raised: bool) -> None:
    assert ("SP7" in codes(answers_with(**changes))) is raised


def test_missing_osteoporosis_answer_with_a_lifting_strain_counts_as_possible_fracture() -> None:
    assert codes(answers_with("osteoporosis", onset_cause="lifting_bending")) == {"SP7"}


def test_worsening_leg_weakness_is_serious() -> None:
    result = assess(legs_with(leg_weakness="yes", leg_weakness_worsening="yes"))
    assert (result.level, result.codes) == ("serious", ("SP12", "SC4"))


def test_steady_leg_weakness_is_sciatica_not_serious() -> None:
    result = assess(legs_with(leg_weakness="yes", leg_weakness_worsening="no"))
    assert (result.level, result.codes) == ("sciatica", ("SC4",))


def test_missing_worsening_answer_with_leg_weakness_counts_as_not_sure() -> None:
    assert "SP12" in codes(legs_with(leg_weakness="yes"))


def test_worsening_question_not_asked_when_there_is_no_weakness_is_not_unanswered() -> None:
    assert codes(legs_with(leg_weakness="no")) == set()


def test_missing_weakness_answer_leaves_worsening_weakness_open() -> None:
    assert "SP12" in codes(legs_with("leg_weakness"))


# --- weak flags -------------------------------------------------------------------------------------------------

WEAK_TRIGGERS: dict[str, dict[str, object]] = {
    "SP8": {"first_episode": "yes", "date_of_birth": born_years_ago(60)},
    "SP9": {"night_rest_pain": "yes"},
    "SP10": {"pain_locations": ["low_back", "mid_upper_back"]},
    "SP11": {"getting_worse_or_4_weeks": "yes"},
}


@pytest.mark.parametrize(("flag", "changes"), WEAK_TRIGGERS.items())
def test_one_weak_flag_is_shown_on_a_routine_intake(flag: str, changes: dict[str, object]) -> None:
    result = assess(answers_with(**changes))
    assert (result.level, result.codes) == ("routine", (flag,))


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(WEAK_TRIGGERS, 2)))
def test_any_two_weak_flags_are_serious_with_w2(first: str, second: str) -> None:
    result = assess(answers_with(**WEAK_TRIGGERS[first], **WEAK_TRIGGERS[second]))
    assert result.level == "serious"
    assert set(result.codes) == {first, second, "W2"}


@pytest.mark.parametrize(
    ("date_of_birth", "raised"),
    [
        (born_years_ago(19), True),
        (born_years_ago(20), False),
        (born_years_ago(20, days=1), True),  # still 19 on TODAY
        (born_years_ago(50), False),
        (born_years_ago(51, days=1), False),  # still 50 on TODAY
        (born_years_ago(51), True),
        (born_years_ago(35), False),
    ],
    ids=["19", "20", "19-birthday-tomorrow", "50", "50-birthday-tomorrow", "51", "35"],
)
def test_first_episode_flags_ages_under_20_and_over_50_on_the_day(date_of_birth: datetime.date, raised: bool) -> None:
    assert ("SP8" in codes(answers_with(first_episode="yes", date_of_birth=date_of_birth))) is raised


def test_a_recurring_episode_is_not_flagged_at_any_age() -> None:
    assert codes(answers_with(first_episode="no", date_of_birth=born_years_ago(70))) == set()


def test_a_missing_date_of_birth_with_a_first_episode_raises_sp8() -> None:
    assert codes(answers_with("date_of_birth", first_episode="yes")) == {"SP8"}


def test_a_missing_first_episode_answer_counts_as_yes_outside_20_to_50() -> None:
    assert codes(answers_with("first_episode", date_of_birth=born_years_ago(60))) == {"SP8"}


@pytest.mark.parametrize(("location", "raised"), [("chest_band", True), ("mid_upper_back", True), ("neck", False)])
def test_thoracic_pain_is_mid_or_upper_back_or_a_chest_band(location: str, raised: bool) -> None:
    assert ("SP10" in codes(answers_with(pain_locations=[location]))) is raised


@pytest.mark.parametrize(("code", "flag"), [("night_rest_pain", "SP9"), ("getting_worse_or_4_weeks", "SP11")])
def test_a_missing_weak_flag_answer_counts_as_yes(code: str, flag: str) -> None:
    assert codes(answers_with(code)) == {flag}


# --- combinations -----------------------------------------------------------------------------------------------

MSCC_PARTNERS: dict[str, dict[str, object]] = {
    "SP9": {"night_rest_pain": "yes"},
    "SP10": {"pain_locations": ["chest_band"]},
    "SP12": {**BENIGN_LEGS, "leg_weakness": "yes", "leg_weakness_worsening": "yes"},
}


@pytest.mark.parametrize(("partner", "changes"), MSCC_PARTNERS.items())
def test_cancer_history_with_each_mscc_partner_is_urgent(partner: str, changes: dict[str, object]) -> None:
    result = assess(answers_with(cancer_history="yes", **changes))
    assert result.level == "urgent"
    assert {"SP1", partner, "MSCC"} <= set(result.codes)


def test_cancer_history_with_a_non_partner_weak_flag_is_serious_not_mscc() -> None:
    result = assess(answers_with(cancer_history="yes", getting_worse_or_4_weeks="yes"))
    assert (result.level, result.codes) == ("serious", ("SP1", "SP11"))


@pytest.mark.parametrize(("partner", "changes"), MSCC_PARTNERS.items())
def test_an_mscc_partner_without_cancer_history_is_not_mscc(partner: str, changes: dict[str, object]) -> None:
    assert "MSCC" not in codes(answers_with(**changes))


# --- sciatica ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lowest", "raised"), [("below_knee", True), ("foot", True), ("thigh", False), ("buttock", False)]
)
def test_leg_pain_below_the_knee_is_sciatica(lowest: str, raised: bool) -> None:
    result = assess(legs_with(leg_pain_lowest_point=lowest))
    assert (result.level == "sciatica", "SC1" in result.codes) == (raised, raised)


def test_leg_weakness_alone_is_sciatica() -> None:
    assert assess(legs_with(leg_weakness="yes", leg_weakness_worsening="no")).level == "sciatica"


def test_leg_worse_than_back_alone_is_a_flag_on_a_routine_intake() -> None:
    result = assess(legs_with(worse_back_or_leg="leg"))
    assert (result.level, result.codes) == ("routine", ("SC2",))


def test_leg_numbness_alone_is_a_flag_on_a_routine_intake() -> None:
    result = assess(legs_with(leg_numbness_tingling="yes"))
    assert (result.level, result.codes) == ("routine", ("SC3",))


def test_leg_worse_than_back_with_numbness_is_sciatica() -> None:
    result = assess(legs_with(worse_back_or_leg="leg", leg_numbness_tingling="yes"))
    assert (result.level, result.codes) == ("sciatica", ("SC2", "SC3"))


@pytest.mark.parametrize("value", ["no", None, "not_sure_what_this_is"])
def test_leg_answers_do_not_count_without_leg_symptoms(value: object) -> None:
    answers = legs_with(
        leg_side="both",
        leg_pain_lowest_point="foot",
        worse_back_or_leg="leg",
        leg_numbness_tingling="yes",
        leg_weakness="yes",
        leg_weakness_worsening="yes",
        sitting_eases="yes",
        worse_with=["walking"],
        leg_symptoms=value,
    )
    assert assess(answers).flags == ()


def test_missing_leg_answers_with_leg_symptoms_raise_only_the_worsening_weakness_flag() -> None:
    answers = answers_with(leg_symptoms="yes")
    assert codes(answers) == {"SP12"}


# --- informational ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "raised"),
    [
        ({**BENIGN_LEGS, "sitting_eases": "yes", "worse_with": ["walking"]}, True),
        ({**BENIGN_LEGS, "sitting_eases": "yes", "worse_with": ["sitting"]}, False),
        ({**BENIGN_LEGS, "sitting_eases": "no", "worse_with": ["walking"]}, False),
        ({"leg_symptoms": "no", "sitting_eases": "yes", "worse_with": ["walking"]}, False),
    ],
)
def test_walking_pain_eased_by_sitting_is_r1(changes: dict[str, object], raised: bool) -> None:
    assert ("R1" in codes(answers_with(**changes))) is raised


@pytest.mark.parametrize(
    ("now", "before", "raised"),
    [
        (Decimal("130"), Decimal("100"), False),
        (Decimal("130.01"), Decimal("100"), True),
        (13.0, 10, False),
        (13.01, 10, True),
        (39, 30, False),
        (40, 30, True),
        (20, 0, False),
        (0, 10, False),
        (20, 10, True),
        (Decimal("9E+999999"), Decimal("1E-999999"), True),
    ],
)
def test_weekly_distance_rising_by_more_than_30_percent_is_r3(now: object, before: object, raised: bool) -> None:
    answers = answers_with(training_changes=["distance"], weekly_distance=now, weekly_distance_before=before)
    assert ("R3" in codes(answers)) is raised


def test_distance_before_is_ignored_when_no_training_change_was_reported() -> None:
    answers = answers_with(training_changes=["none"], weekly_distance=50, weekly_distance_before=10)
    assert codes(answers) == set()


@pytest.mark.parametrize(
    ("changes", "raised"),
    [
        ({"running_shoes": "no"}, True),
        ({"shoe_age_months": 13}, True),
        ({"shoe_age_months": 12}, False),
        ({"minimalist_change": "yes"}, True),
        ({"running_shoes": "yes", "shoe_age_months": 0, "minimalist_change": "no"}, False),
    ],
)
def test_footwear_risk_is_r4(changes: dict[str, object], raised: bool) -> None:
    assert ("R4" in codes(answers_with(**changes))) is raised


@pytest.mark.parametrize(("sessions", "raised"), [(0, True), (Decimal(0), True), (1, False), (None, False)])
def test_no_strength_training_is_r5(sessions: object, raised: bool) -> None:
    assert ("R5" in codes(answers_with(strength_sessions_per_week=sessions))) is raised


def test_running_flags_are_not_raised_for_non_runners() -> None:
    answers = answers_with(
        running_status="not_a_runner",
        running_shoes="no",
        strength_sessions_per_week=0,
        training_changes=["distance"],
        weekly_distance=50,
        weekly_distance_before=10,
    )
    assert assess(answers).flags == ()


def test_informational_flags_leave_the_level_routine() -> None:
    answers = answers_with(running_shoes="no", strength_sessions_per_week=0)
    assert (assess(answers).level, assess(answers).codes) == ("routine", ("R4", "R5"))


# --- levels and ordering ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "level"),
    [
        ({**BENIGN_LEGS, "ce_bowel_control": "yes", "weight_loss": "yes", "leg_pain_lowest_point": "foot"}, "urgent"),
        ({**BENIGN_LEGS, "weight_loss": "yes", "leg_pain_lowest_point": "foot"}, "serious"),
        ({**BENIGN_LEGS, "leg_pain_lowest_point": "foot", "night_rest_pain": "yes", "running_shoes": "no"}, "sciatica"),
        ({"night_rest_pain": "yes", "running_shoes": "no"}, "routine"),
    ],
)
def test_the_level_is_the_highest_level_raised(changes: dict[str, object], level: str) -> None:
    assert assess(answers_with(**changes)).level == level


def test_flags_are_ordered_by_severity_then_code_number() -> None:
    answers = legs_with(
        cancer_history="yes",
        ce_wiping_sensation="yes",
        night_rest_pain="yes",
        getting_worse_or_4_weeks="yes",
        leg_numbness_tingling="yes",
        leg_weakness="yes",
        leg_weakness_worsening="yes",
        strength_sessions_per_week=0,
    )
    assert assess(answers).codes == (
        "CE2", "MSCC",
        "SP1", "SP12", "W2",
        "SP9", "SP11",
        "SC3", "SC4",
        "R5",
    )  # fmt: skip


def test_flags_carry_the_staff_reason_and_a_short_label() -> None:
    result = assess(answers_with(ce_saddle_numbness="yes", cancer_history="yes", night_rest_pain="yes"))
    by_code = {flag.code: flag for flag in result.flags}
    assert by_code["CE1"].reason == "Numbness or altered feeling in the saddle area"
    assert by_code["SP1"].reason == "History of cancer: risk of spinal metastasis"
    assert [by_code[code].short for code in ("CE1", "SP1", "MSCC")] == [
        "Saddle numbness",
        "Cancer history",
        "Possible MSCC",
    ]


def test_short_labels_fit_a_dashboard_row() -> None:
    shorts = {code: flag.short for code, flag in triage.FLAGS_BY_CODE.items()}
    assert shorts["CE3"] == shorts["CE4"] == "Bladder"
    assert (shorts["CE5"], shorts["SC1"], shorts["W2"]) == ("Bowel", "Below knee", "2+ weak flags")
    assert all(1 <= len(short.split()) <= 3 and len(short) <= 40 for short in shorts.values())
    assert all(len(flag.reason) <= 200 and len(flag.code) <= 8 for flag in triage.FLAGS_BY_CODE.values())


def test_levels_rank_most_urgent_first() -> None:
    assert triage.LEVELS == ("urgent", "serious", "sciatica", "routine")
    assert [triage.level_rank(level) for level in triage.LEVELS] == [0, 1, 2, 3]
    assert triage.RULES_VERSION == "2026.1"


def test_an_unknown_level_has_no_rank() -> None:
    with pytest.raises(ValueError, match="critical"):
        triage.level_rank("critical")


# --- the safety step on its own ---------------------------------------------------------------------------------

SAFETY_ALL_NO: dict[str, object] = {**dict.fromkeys(CE_EMERGENCY_CODES, "no"), "ce_sexual_change": "no"}


def test_the_safety_step_alone_ignores_questions_not_yet_asked() -> None:
    result = triage.assess_safety_step(SAFETY_ALL_NO)
    assert (result.level, result.flags, result.rules_version) == ("routine", (), "2026.1")


@pytest.mark.parametrize(("code", "flag"), CE_FLAGS.items())
def test_a_cauda_equina_sign_at_the_safety_step_is_urgent(code: str, flag: str) -> None:
    result = triage.assess_safety_step({**SAFETY_ALL_NO, code: "not_sure", "ce_onset": "within_14_days"})
    assert (result.level, result.codes, result.ce_onset) == ("urgent", (flag,), "within_14_days")


def test_sexual_change_alone_at_the_safety_step_is_serious() -> None:
    assert triage.assess_safety_step({**SAFETY_ALL_NO, "ce_sexual_change": "yes"}).codes == ("CE7",)


@pytest.mark.parametrize("answer", ["yes", "not_sure", None])
@pytest.mark.parametrize("code", CE_EMERGENCY_CODES)
def test_any_cauda_equina_sign_needs_the_emergency_page(code: str, answer: object) -> None:
    assert triage.needs_emergency_page({**SAFETY_ALL_NO, code: answer})


def test_all_clear_or_sexual_change_alone_does_not_need_the_emergency_page() -> None:
    assert not triage.needs_emergency_page(SAFETY_ALL_NO)
    assert not triage.needs_emergency_page({**SAFETY_ALL_NO, "ce_sexual_change": "yes"})


# --- red-flag questions ---------------------------------------------------------------------------------------------


def test_every_red_flag_question_left_unanswered_raises_a_flag() -> None:
    setups: dict[str, dict[str, object]] = {
        "first_episode": {"date_of_birth": born_years_ago(60)},
        "osteoporosis": {"onset_cause": "lifting_bending"},
        "leg_weakness_worsening": {**BENIGN_LEGS, "leg_weakness": "yes"},
    }
    for code in sorted(triage.RED_FLAG_QUESTIONS):
        answers = answers_with(**setups.get(code, {}))
        answers.pop(code, None)
        assert assess(answers).flags, code


@pytest.mark.parametrize(
    "code", sorted(set(QUESTIONS) - triage.RED_FLAG_QUESTIONS - {"date_of_birth", "leg_symptoms", "leg_weakness"})
)
def test_other_questions_left_unanswered_raise_nothing(code: str) -> None:
    answers = legs_with()
    answers.pop(code, None)
    assert assess(answers).flags == ()


# --- properties -----------------------------------------------------------------------------------------------------

KNOWN_CODES = sorted(QUESTIONS)
YNS_CODES = sorted(code for code, question in QUESTIONS.items() if question.kind == "yns")
ALL_CHOICE_CODES = sorted({choice.code for question in QUESTIONS.values() for choice in question.choices})

any_value = st.one_of(
    st.none(),
    st.sampled_from(ALL_CHOICE_CODES),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.lists(st.one_of(st.sampled_from(ALL_CHOICE_CODES), st.integers(), st.none()), max_size=4),
    st.text(max_size=8),
)
# Either arbitrary answers (most red flags then count as unanswered) or a complete intake with a few arbitrary changes.
any_answers = st.one_of(
    st.dictionaries(st.sampled_from(KNOWN_CODES), any_value, max_size=len(KNOWN_CODES)),
    st.dictionaries(st.sampled_from(KNOWN_CODES), any_value, max_size=6).map(
        lambda changes: {**complete_routine_answers(), **changes}
    ),
)
# Whole intakes of mixed values are big examples; the first draw can be slow on a cold machine.
big_examples = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@big_examples
@given(answers=any_answers, today=st.dates())
def test_assess_never_raises_and_always_returns_a_valid_level(answers: dict[str, object], today: datetime.date) -> None:
    result = triage.assess(answers, today=today)
    assert result.level in triage.LEVELS
    assert len(set(result.codes)) == len(result.codes)
    assert triage.assess_safety_step(answers).level in triage.LEVELS


@big_examples
@given(answers=any_answers, code=st.sampled_from(YNS_CODES), answer=st.sampled_from(["yes", "not_sure"]))
def test_answering_yes_to_any_safety_question_never_lowers_the_level(
    answers: dict[str, object], code: str, answer: str
) -> None:
    before = triage.assess(answers, today=TODAY)
    after = triage.assess({**answers, code: answer}, today=TODAY)
    assert triage.level_rank(after.level) <= triage.level_rank(before.level)
