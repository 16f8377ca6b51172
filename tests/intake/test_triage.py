"""Every rule and combination of docs/clinical/TRIAGE.md (version 2027.1), run against the pure triage engine
without a database.

Where 2027.1 changed an expected result, the test says so in a comment naming the change ("2027.1: ...").
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.rules import triage
from intake.rules.questionnaire import CE_QUESTION_CODES, QUESTIONS
from tests.intake.quiet_answers import NO_RED_FLAGS

TODAY = datetime.date(2026, 3, 15)
EarlierAnswer = triage.EarlierAnswer


def born_years_ago(years: int, *, days: int = 0) -> datetime.date:
    """A date of birth giving exactly ``years`` on TODAY; ``days`` shifts it (positive = birthday still to come)."""
    return TODAY.replace(year=TODAY.year - years) + datetime.timedelta(days=days)


def complete_routine_answers() -> dict[str, object]:
    """A full intake from a 35-year-old runner with no flags at all; tests change a few answers."""
    return {
        **NO_RED_FLAGS,
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
STEADY_WEAKNESS: dict[str, object] = {
    **BENIGN_LEGS,
    "leg_weakness": "yes",
    "leg_weakness_worsening": "no",
    "foot_drop": "no",
}


def answers_with(*removed: str, **changes: object) -> dict[str, object]:
    answers = complete_routine_answers()
    answers.update(changes)
    for code in removed:
        del answers[code]
    return answers


def legs_with(*removed: str, **changes: object) -> dict[str, object]:
    return answers_with(*removed, **{**BENIGN_LEGS, **changes})


Earlier = dict[str, triage.EarlierAnswer]


def assess(answers: dict[str, object], *, earlier: Earlier | None = None) -> triage.TriageResult:
    return triage.assess(answers, today=TODAY, earlier=earlier)


def interim(answers: dict[str, object], *, earlier: Earlier | None = None) -> triage.TriageResult:
    return triage.assess_interim(answers, today=TODAY, earlier=earlier)


def codes(answers: dict[str, object]) -> set[str]:
    return set(assess(answers).codes)


def reasons(result: triage.TriageResult) -> dict[str, str]:
    return {flag.code: flag.reason for flag in result.flags}


# --- the all-clear baseline ---------------------------------------------------------------------------------------


def test_complete_routine_answers_raise_no_flags() -> None:
    result = assess(complete_routine_answers())
    assert (result.level, result.flags, result.rules_version, result.emergency) == ("routine", (), "2027.1", None)


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
    "ce_sexual_change": "CE7",  # 2027.1: CE7 is urgent like the others
}


def test_saddle_numbness_alone_is_urgent() -> None:
    result = assess(answers_with(ce_saddle_numbness="yes"))
    assert result.level == "urgent"
    assert result.codes == ("CE1",)


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
@pytest.mark.parametrize(("code", "flag"), CE_FLAGS.items())
def test_each_cauda_equina_warning_sign_alone_is_urgent_with_the_ces_page(code: str, flag: str, answer: str) -> None:
    result = assess(answers_with(**{code: answer}))
    assert (result.level, result.codes, result.emergency) == ("urgent", (flag,), "ces")


@pytest.mark.parametrize("code", CE_FLAGS)
def test_a_missing_cauda_equina_answer_counts_as_not_sure(code: str) -> None:
    assert assess(answers_with(code)).codes == (CE_FLAGS[code],)
    assert assess(answers_with(**{code: None})).level == "urgent"


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_sexual_change_alone_is_urgent(answer: str) -> None:
    # 2027.1: CE7 is urgent (2026.1: serious).
    result = assess(answers_with(ce_sexual_change=answer))
    assert (result.level, result.codes, result.emergency) == ("urgent", ("CE7",), "ces")


@pytest.mark.parametrize("code", sorted(set(CE_FLAGS) - {"ce_sexual_change"}))
def test_sexual_change_with_another_cauda_equina_sign_shows_both(code: str) -> None:
    # 2027.1: CE7 is no longer hidden when CE1-CE6 is raised ("unless CE1-6" is gone).
    result = assess(answers_with(ce_sexual_change="yes", **{code: "yes"}))
    assert (result.level, result.codes) == ("urgent", tuple(sorted((CE_FLAGS[code], "CE7"))))


def test_onset_answer_is_kept_for_staff_and_never_lowers_the_level() -> None:
    result = assess(answers_with(ce_saddle_numbness="yes", ce_onset="older_stable"))
    assert (result.level, result.ce_onset) == ("urgent", "older_stable")


def test_onset_is_ignored_when_no_cauda_equina_sign_was_raised() -> None:
    assert assess(answers_with(ce_onset="getting_worse")).ce_onset is None


def test_leg_symptoms_on_both_sides_are_serious_without_an_emergency() -> None:
    result = assess(legs_with(leg_side="both"))
    assert (result.level, result.codes, result.emergency) == ("serious", ("CE8",), None)


@pytest.mark.parametrize("side", ["left", "right"])
def test_leg_symptoms_on_one_side_are_not_ce8(side: str) -> None:
    assert "CE8" not in codes(legs_with(leg_side=side))


def test_cauda_equina_reasons_cover_every_card_item() -> None:
    # 2027.1 wording (docs/clinical/TRIAGE.md: CE1, CE3, CE4, CE5, CE6, CE7 reworded).
    found = reasons(assess(answers_with(**dict.fromkeys(CE_FLAGS, "yes"))))
    assert found == {
        "CE1": "Numbness or altered feeling in the saddle area or genitals",
        "CE2": "Altered feeling when wiping after the toilet",
        "CE3": "New difficulty starting, stopping or controlling the flow of urine",
        "CE4": "Leaking urine or needing pads; not feeling when the bladder is full or empty, or urine passing",
        "CE5": "Loss of bowel control or of feeling when passing a bowel motion",
        "CE6": "Weakness in both legs, new or getting worse",
        "CE7": "Change in erection or ejaculation, or loss of genital feeling",
    }


# --- serious pathology ------------------------------------------------------------------------------------------

SP_FLAGS = {
    "cancer_history": "SP1",
    "weight_loss": "SP2",
    "fever_unwell": "SP3",
    "iv_drug_use": "SP4",
    "immunosuppressed": "SP5",
    "recent_infection_or_procedure": "SP6",
    "trauma_onset": "SP7",
    "osteoporosis": "SP7",  # 2027.1: osteoporosis alone, any onset
    "long_term_steroids": "SP7",  # 2027.1: new question
    "hands_clumsy": "CM1",  # 2027.1: new flag
    "balance_worse": "CM1",  # 2027.1: new flag
}


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
@pytest.mark.parametrize(("code", "flag"), SP_FLAGS.items())
def test_each_general_health_red_flag_alone_is_serious(code: str, flag: str, answer: str) -> None:
    result = assess(answers_with(**{code: answer}))
    assert (result.level, result.codes, result.emergency) == ("serious", (flag,), None)


@pytest.mark.parametrize("code", SP_FLAGS)
def test_a_missing_general_health_answer_counts_as_not_sure(code: str) -> None:
    result = assess(answers_with(code))
    assert (result.level, result.codes) == ("serious", (SP_FLAGS[code],))


@pytest.mark.parametrize(
    ("changes", "raised"),
    [
        ({"trauma_onset": "yes"}, True),
        ({"onset_cause": "fall_impact"}, True),
        ({"osteoporosis": "yes", "onset_cause": "lifting_bending"}, True),
        ({"osteoporosis": "not_sure", "onset_cause": "lifting_bending"}, True),
        ({"osteoporosis": "yes", "onset_cause": "running"}, True),  # 2027.1: any onset (2026.1: False)
        ({"osteoporosis": "yes", "onset_cause": "no_clear_cause"}, True),  # 2027.1: any onset
        ({"long_term_steroids": "yes", "onset_cause": "running"}, True),  # 2027.1: new trigger
        ({"long_term_steroids": "not_sure", "onset_cause": "no_clear_cause"}, True),  # 2027.1: new trigger
        ({"osteoporosis": "no", "onset_cause": "lifting_bending"}, False),
        ({"onset_cause": "lifting_bending"}, False),
        ({"onset_cause": "running"}, False),
    ],
)
def test_possible_fracture_after_a_fall_or_with_weak_bones_at_any_onset(
    changes: dict[str, object], raised: bool
) -> None:
    assert ("SP7" in codes(answers_with(**changes))) is raised


def test_fracture_reason_names_steroids() -> None:
    assert reasons(assess(answers_with(long_term_steroids="yes")))["SP7"] == (
        "Fall, crash or blow; or osteoporosis or long-term steroids: possible fracture"
    )


def test_missing_osteoporosis_answer_counts_as_possible_fracture() -> None:
    assert codes(answers_with("osteoporosis", onset_cause="lifting_bending")) == {"SP7"}


def test_worsening_leg_weakness_is_serious() -> None:
    result = assess(answers_with(**{**STEADY_WEAKNESS, "leg_weakness_worsening": "yes"}))
    assert (result.level, result.codes) == ("serious", ("SP12", "SC4"))


def test_steady_leg_weakness_is_sciatica_not_serious() -> None:
    result = assess(answers_with(**STEADY_WEAKNESS))
    assert (result.level, result.codes) == ("sciatica", ("SC4",))


def test_missing_worsening_answer_with_leg_weakness_counts_as_not_sure() -> None:
    assert "SP12" in codes(answers_with("leg_weakness_worsening", **STEADY_WEAKNESS))


def test_follow_ups_not_asked_when_there_is_no_weakness_are_not_unanswered() -> None:
    assert codes(legs_with(leg_weakness="no")) == set()


@pytest.mark.parametrize("flag", ["SP12", "SP13"])
def test_missing_weakness_answer_leaves_the_weakness_follow_ups_open(flag: str) -> None:
    assert flag in codes(legs_with("leg_weakness"))


@pytest.mark.parametrize(("answer", "raised"), [("yes", True), ("no", False), (None, True)])
def test_foot_drop_is_marked_weakness(answer: object, raised: bool) -> None:
    # 2027.1: new flag SP13 (serious); a missing answer counts as unanswered like SP12.
    result = assess(answers_with(**{**STEADY_WEAKNESS, "foot_drop": answer}))
    assert ("SP13" in result.codes) is raised
    assert result.level == ("serious" if raised else "sciatica")
    if raised:
        assert reasons(result)["SP13"] == "Marked weakness: foot slaps or catches, or cannot stand on heels or toes"


@pytest.mark.parametrize(("code", "flag"), [("leg_weakness_worsening", "SP12"), ("foot_drop", "SP13")])
@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_a_weakness_yes_beside_a_stored_no_to_leg_weakness_still_raises_its_flag(
    code: str, flag: str, answer: str
) -> None:
    # A page changed from "no" to yes that failed its checks stores only the red-flag answer (record_red_flags).
    answers = {**STEADY_WEAKNESS, "leg_weakness": "no", code: answer}
    assert flag in codes(answers_with(**answers))
    assert flag in interim(answers_with(**answers)).codes
    assert flag not in codes(answers_with(**{**answers, code: "no"}))


@pytest.mark.parametrize("legs", ["no", None])
def test_foot_drop_does_not_count_without_leg_symptoms(legs: object) -> None:
    assert codes(answers_with(**{**STEADY_WEAKNESS, "foot_drop": "yes", "leg_symptoms": legs})) == set()


@pytest.mark.parametrize(("code", "flag"), [("leg_weakness_worsening", "SP12"), ("foot_drop", "SP13")])
@pytest.mark.parametrize("legs", ["no", None])
def test_a_latched_weakness_yes_still_stored_keeps_its_flag_when_leg_symptoms_become_no(
    code: str, flag: str, legs: object
) -> None:
    """The patient answered foot drop yes, then went back and said no leg symptoms: the yes stays stored (another
    page's answer), and it counted for less than a "no" would have (the stop-30 audit: serious became routine)."""
    earlier = {code: EarlierAnswer("yes", AT_10_02)}
    answers = answers_with(**{**STEADY_WEAKNESS, code: "yes", "leg_symptoms": legs})
    assert flag in assess(answers, earlier=earlier).codes
    assert flag in interim(answers, earlier=earlier).codes
    changed = answers_with(**{**STEADY_WEAKNESS, code: "no", "leg_symptoms": legs})
    assert flag in assess(changed, earlier=earlier).codes


@pytest.mark.parametrize(("hands", "balance"), [("yes", "no"), ("no", "yes"), ("not_sure", "no"), ("yes", "yes")])
def test_clumsy_hands_or_worse_balance_is_possible_cord_compression(hands: str, balance: str) -> None:
    result = assess(answers_with(hands_clumsy=hands, balance_worse=balance))
    assert (result.level, result.codes, result.emergency) == ("serious", ("CM1",), None)
    assert reasons(result)["CM1"] == "Hand clumsiness or worsening balance: possible spinal cord compression"


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


@pytest.mark.parametrize(
    ("location", "raised"),
    [
        ("chest_band", True),
        ("mid_upper_back", True),
        ("neck", True),  # 2027.1: SP10 includes neck pain (2026.1: False)
        ("low_back", False),
        ("buttock", False),
    ],
)
def test_thoracic_or_neck_pain_is_sp10(location: str, raised: bool) -> None:
    result = assess(answers_with(pain_locations=[location]))
    assert ("SP10" in result.codes) is raised
    if raised:
        assert reasons(result)["SP10"] == "Thoracic or neck pain"


@pytest.mark.parametrize(("code", "flag"), [("night_rest_pain", "SP9"), ("getting_worse_or_4_weeks", "SP11")])
def test_a_missing_weak_flag_answer_counts_as_yes(code: str, flag: str) -> None:
    assert codes(answers_with(code)) == {flag}


# --- MSCC (NICE NG234): cancer with a nerve symptom -------------------------------------------------------------

MSCC_PARTNERS: dict[str, dict[str, object]] = {
    "SC1": {**BENIGN_LEGS, "leg_pain_lowest_point": "below_knee"},
    "SC2": {**BENIGN_LEGS, "worse_back_or_leg": "leg"},
    "SC3": {**BENIGN_LEGS, "leg_numbness_tingling": "yes"},
    "SC4": STEADY_WEAKNESS,
    "SP12": {**STEADY_WEAKNESS, "leg_weakness_worsening": "yes"},
    "SP13": {**STEADY_WEAKNESS, "foot_drop": "yes"},
    "CE8": {**BENIGN_LEGS, "leg_side": "both"},
    "CM1": {"hands_clumsy": "yes"},
    **{flag: {code: "yes"} for code, flag in CE_FLAGS.items()},
}


def test_the_mscc_partners_are_the_ones_triage_md_names() -> None:
    assert set(MSCC_PARTNERS) == triage.MSCC_PARTNERS


@pytest.mark.parametrize(("partner", "changes"), MSCC_PARTNERS.items())
def test_cancer_history_with_each_mscc_partner_is_urgent(partner: str, changes: dict[str, object]) -> None:
    result = assess(answers_with(cancer_history="yes", **changes))
    assert result.level == "urgent"
    assert {"SP1", partner, "MSCC"} <= set(result.codes)
    assert "MET" not in result.codes
    assert result.emergency == ("ces" if partner in triage.CE_RULE_CODES else "mscc")
    assert reasons(result)["MSCC"] == "History of cancer with nerve symptoms: possible MSCC, refer immediately"


@pytest.mark.parametrize(("partner", "changes"), MSCC_PARTNERS.items())
def test_an_mscc_partner_without_cancer_history_is_not_mscc(partner: str, changes: dict[str, object]) -> None:
    result = assess(answers_with(**changes))
    assert partner in result.codes
    assert "MSCC" not in result.codes


def test_a_lone_sc3_with_cancer_is_mscc_although_sc3_alone_is_routine() -> None:
    assert assess(answers_with(**MSCC_PARTNERS["SC3"])).level == "routine"
    assert assess(answers_with(cancer_history="not_sure", **MSCC_PARTNERS["SC3"])).codes == ("MSCC", "SP1", "SC3")


def test_cancer_history_alone_is_serious_without_mscc_or_met() -> None:
    result = assess(answers_with(cancer_history="yes"))
    assert (result.level, result.codes, result.emergency) == ("serious", ("SP1",), None)


# --- MET (NICE NG234): cancer with spinal pain only ---------------------------------------------------------------

MET_PARTNERS: dict[str, dict[str, object]] = {
    "SP9": {"night_rest_pain": "yes"},
    "SP10": {"pain_locations": ["chest_band"]},
    "SP10-neck": {"pain_locations": ["neck"]},
    "SP11": {"getting_worse_or_4_weeks": "yes"},
    "coughing": {"worse_with": ["bending_forward", "coughing"]},
}


@pytest.mark.parametrize(("partner", "changes"), MET_PARTNERS.items())
def test_cancer_history_with_spinal_pain_is_serious_met(partner: str, changes: dict[str, object]) -> None:
    # 2027.1: cancer with night or thoracic pain is MET, serious (2026.1: MSCC, urgent).
    result = assess(answers_with(cancer_history="yes", **changes))
    assert (result.level, result.emergency) == ("serious", None)
    assert {"SP1", "MET"} <= set(result.codes)
    assert "MSCC" not in result.codes
    assert reasons(result)["MET"] == (
        "History of cancer with spinal pain suggesting metastases: contact within 24 hours"
    )


@pytest.mark.parametrize(("partner", "changes"), MET_PARTNERS.items())
def test_a_met_partner_without_cancer_history_is_not_met(partner: str, changes: dict[str, object]) -> None:
    assert not {"MET", "MSCC"} & codes(answers_with(**changes))


@pytest.mark.parametrize("mscc_partner", ["SC3", "SP12", "CM1", "CE1"])
@pytest.mark.parametrize(("partner", "changes"), MET_PARTNERS.items())
def test_met_is_not_raised_when_mscc_is(partner: str, changes: dict[str, object], mscc_partner: str) -> None:
    result = assess(answers_with(cancer_history="yes", **changes, **MSCC_PARTNERS[mscc_partner]))
    assert "MSCC" in result.codes
    assert "MET" not in result.codes
    assert result.level == "urgent"


def test_met_with_two_weak_flags_also_raises_w2() -> None:
    result = assess(answers_with(cancer_history="yes", night_rest_pain="yes", pain_locations=["mid_upper_back"]))
    assert (result.level, set(result.codes)) == ("serious", {"SP1", "MET", "SP9", "SP10", "W2"})


def test_a_missing_worse_with_answer_is_not_coughing() -> None:
    assert codes(answers_with("worse_with", cancer_history="yes")) == {"SP1"}


# --- sciatica ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lowest", "raised"), [("below_knee", True), ("foot", True), ("thigh", False), ("buttock", False)]
)
def test_leg_pain_below_the_knee_is_sciatica(lowest: str, raised: bool) -> None:
    result = assess(legs_with(leg_pain_lowest_point=lowest))
    assert (result.level == "sciatica", "SC1" in result.codes) == (raised, raised)


def test_leg_weakness_alone_is_sciatica() -> None:
    assert assess(answers_with(**STEADY_WEAKNESS)).level == "sciatica"


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
        foot_drop="yes",
        sitting_eases="yes",
        worse_with=["walking"],
        leg_symptoms=value,
    )
    assert assess(answers).flags == ()


def test_missing_leg_answers_with_leg_symptoms_raise_only_the_weakness_follow_ups() -> None:
    assert codes(answers_with(leg_symptoms="yes")) == {"SP12", "SP13"}


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
    result = assess(answers_with(**changes))
    assert ("R1" in result.codes) is raised
    if raised:
        assert reasons(result)["R1"] == "Pain on walking, eased by sitting: possible spinal stenosis"


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
        date_of_birth=born_years_ago(16),
        worse_with=["leaning_back"],
    )
    assert assess(answers).flags == ()


def test_informational_flags_leave_the_level_routine() -> None:
    answers = answers_with(running_shoes="no", strength_sessions_per_week=0)
    assert (assess(answers).level, assess(answers).codes) == ("routine", ("R4", "R5"))


# --- R6: young runner, pain on arching back (2027.1) ----------------------------------------------------------------

YOUNG_RUNNER: dict[str, object] = {"date_of_birth": born_years_ago(16), "worse_with": ["leaning_back", "running"]}


@pytest.mark.parametrize(
    ("date_of_birth", "raised"),
    [
        (born_years_ago(19), True),
        (born_years_ago(20, days=1), True),  # still 19 on TODAY
        (born_years_ago(20), False),
        (born_years_ago(14), True),
        (born_years_ago(35), False),
    ],
    ids=["19", "19-birthday-tomorrow", "20", "14", "35"],
)
def test_a_runner_under_20_with_pain_on_leaning_back_is_r6(date_of_birth: datetime.date, raised: bool) -> None:
    result = assess(answers_with(**{**YOUNG_RUNNER, "date_of_birth": date_of_birth}))
    assert (result.codes == ("R6",), result.level) == (raised, "routine")


@pytest.mark.parametrize(
    ("changes", "raised"),
    [
        ({"running_status": "running"}, True),
        ({"running_status": "cut_back"}, True),
        ({"running_status": "stopped"}, True),
        ({"running_status": "not_a_runner"}, False),
        ({"running_status": None}, False),
        ({"worse_with": ["bending_forward", "running"]}, False),
        ({"worse_with": None}, False),
        ({"date_of_birth": None}, False),
    ],
)
def test_r6_needs_a_runner_and_leaning_back(changes: dict[str, object], raised: bool) -> None:
    result = assess(answers_with(**{**YOUNG_RUNNER, **changes}))
    assert ("R6" in result.codes) is raised
    if raised:
        assert reasons(result)["R6"] == (
            "Young runner with pain on arching back: possible spondylolysis (stress fracture)"
        )


# --- IBP: inflammatory back pain (2027.1) --------------------------------------------------------------------------

IBP_ANSWERS = {  # the eight criteria that are answers (the ninth is "began before 35")
    "wakes_second_half_night": "yes",
    "better_with_movement": "yes",
    "nsaid_relief": "yes",
    "family_spa": "yes",
    "joint_swelling": "yes",
    "heel_pain": "yes",
    "psoriasis": "yes",
}
LONG_AGO = datetime.date(2025, 6, 1)  # more than 3 months before TODAY


def ibp_answers(
    met: int, *, began_at: int = 40, started: datetime.date = LONG_AGO, **changes: object
) -> dict[str, object]:
    """``met`` of the eight answer criteria met (buttock pain first), pain that began at ``began_at``."""
    born = started.replace(year=started.year - began_at)
    names = ["buttock", *IBP_ANSWERS]
    answers = answers_with(
        date_of_birth=born,
        pain_start_date=started,
        pain_locations=["low_back", "buttock"] if met else ["low_back"],
        **{code: IBP_ANSWERS[code] for code in names[1:met]},
        **{code: ("not_tried" if code == "nsaid_relief" else "no") for code in names[max(met, 1) :]},
    )
    answers.update(changes)
    return answers


@pytest.mark.parametrize(("met", "raised"), [(0, False), (3, False), (4, True), (8, True)])
def test_ibp_needs_four_criteria(met: int, raised: bool) -> None:
    result = assess(ibp_answers(met))
    assert (("IBP" in result.codes), result.level) == (raised, "routine")
    if raised:
        assert reasons(result)["IBP"] == (
            "Possible inflammatory back pain (axial spondyloarthritis): consider rheumatology referral "
            f"(NICE NG65 referral criteria; {met} of 9 criteria)"
        )


@pytest.mark.parametrize(("began_at", "raised"), [(34, True), (35, False)])
def test_pain_that_began_before_35_is_one_criterion(began_at: int, raised: bool) -> None:
    result = assess(ibp_answers(3, began_at=began_at))
    assert ("IBP" in result.codes) is raised
    if raised:
        assert reasons(result)["IBP"].endswith("(NICE NG65 referral criteria; 4 of 9 criteria)")


def test_all_nine_criteria_are_counted() -> None:
    assert reasons(assess(ibp_answers(8, began_at=30)))["IBP"].endswith("; 9 of 9 criteria)")


@pytest.mark.parametrize(
    ("started", "raised"),
    [
        (datetime.date(2025, 12, 15), False),  # exactly 3 months before TODAY: not more than 3 months
        (datetime.date(2025, 12, 14), True),
        (datetime.date(2026, 1, 10), False),
    ],
    ids=["exactly-3-months", "3-months-and-a-day", "2-months"],
)
def test_ibp_needs_pain_for_more_than_3_months(started: datetime.date, raised: bool) -> None:
    assert ("IBP" in codes(ibp_answers(8, started=started))) is raised


def test_three_months_before_a_month_end_clamps_to_the_shorter_month() -> None:
    today = datetime.date(2026, 5, 31)
    answers = ibp_answers(8, started=datetime.date(2026, 2, 28))
    assert "IBP" not in triage.assess(answers, today=today).codes  # exactly 3 months (31 May -> 28 Feb)
    answers = ibp_answers(8, started=datetime.date(2026, 2, 27))
    assert "IBP" in triage.assess(answers, today=today).codes


@pytest.mark.parametrize(
    ("born", "raised"),
    [
        (LONG_AGO.replace(year=LONG_AGO.year - 45), False),  # 45 on the day the pain began
        (LONG_AGO.replace(year=LONG_AGO.year - 45) + datetime.timedelta(days=1), True),  # still 44
        (LONG_AGO.replace(year=LONG_AGO.year - 44), True),
    ],
    ids=["45", "44-birthday-next-day", "44"],
)
def test_ibp_needs_pain_that_began_before_45(born: datetime.date, raised: bool) -> None:
    assert ("IBP" in codes(ibp_answers(8, date_of_birth=born))) is raised


def test_ibp_counts_nsaid_relief_only_when_it_clearly_helped() -> None:
    assert "IBP" in codes(ibp_answers(5))  # buttock, wakes, better with movement, nsaid yes, family
    assert "IBP" not in codes(ibp_answers(5, nsaid_relief="not_tried", family_spa="no"))


@pytest.mark.parametrize("removed", ["date_of_birth", "pain_start_date"])
def test_ibp_needs_both_dates(removed: str) -> None:
    answers = ibp_answers(8)
    del answers[removed]
    assert "IBP" not in codes(answers)


def test_the_published_ibp_reason_shows_where_the_count_goes() -> None:
    assert triage.FLAGS_BY_CODE["IBP"].reason.endswith("(NICE NG65 referral criteria; N of 9 criteria)")


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
        foot_drop="no",
        strength_sessions_per_week=0,
    )
    assert assess(answers).codes == (
        "CE2", "MSCC",
        "SP1", "SP12", "W2",
        "SP9", "SP11",
        "SC3", "SC4",
        "R5",
    )  # fmt: skip


def test_new_serious_flags_sort_by_letters_then_number() -> None:
    answers = answers_with(
        **{**STEADY_WEAKNESS, "leg_side": "both", "foot_drop": "yes"}, hands_clumsy="yes", long_term_steroids="yes"
    )
    assert assess(answers).codes == ("CE8", "CM1", "SP7", "SP13", "SC4")


def test_flags_carry_the_staff_reason_and_a_short_label() -> None:
    result = assess(answers_with(ce_saddle_numbness="yes", cancer_history="yes", night_rest_pain="yes"))
    by_code = {flag.code: flag for flag in result.flags}
    # 2027.1: the CE1 reason names the genitals too.
    assert by_code["CE1"].reason == "Numbness or altered feeling in the saddle area or genitals"
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


def test_every_flag_of_triage_md_2027_1_is_in_the_table() -> None:
    assert set(triage.FLAGS_BY_CODE) == {
        *(f"CE{n}" for n in range(1, 9)),
        *(f"SP{n}" for n in range(1, 14)),
        *(f"SC{n}" for n in range(1, 5)),
        "MSCC", "MET", "CM1", "W2", "R1", "R3", "R4", "R5", "R6", "IBP",
    }  # fmt: skip
    groups = {code: flag.group for code, flag in triage.FLAGS_BY_CODE.items()}
    assert {code for code, group in groups.items() if group == "urgent"} == {*CE_FLAGS.values(), "MSCC"}
    assert {code for code, group in groups.items() if group == "weak"} == {"SP8", "SP9", "SP10", "SP11"}


def test_levels_rank_most_urgent_first() -> None:
    assert triage.LEVELS == ("urgent", "serious", "sciatica", "routine")
    assert [triage.level_rank(level) for level in triage.LEVELS] == [0, 1, 2, 3]
    assert triage.RULES_VERSION == "2027.1"


def test_an_unknown_level_has_no_rank() -> None:
    with pytest.raises(ValueError, match="critical"):
        triage.level_rank("critical")


# --- the emergency page ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag_codes", "emergency"),
    [
        ((), None),
        (("CE7",), "ces"),
        (("MSCC", "SP1", "SC3"), "mscc"),
        (("CE1", "MSCC", "SP1"), "ces"),  # CES wording first when both
        (("CE8", "SP1", "MET"), None),
        (("CM1",), None),
    ],
)
def test_the_emergency_is_ces_before_mscc(flag_codes: tuple[str, ...], emergency: str | None) -> None:
    result = triage.TriageResult("urgent", tuple(triage.FLAGS_BY_CODE[code] for code in flag_codes))
    assert result.emergency == emergency == triage.emergency_for_codes(flag_codes)


# --- red-flag questions ---------------------------------------------------------------------------------------------

RED_FLAG_SETUPS: dict[str, tuple[str, dict[str, object]]] = {
    **{code: (flag, {}) for code, flag in CE_FLAGS.items()},
    **{code: (flag, {}) for code, flag in SP_FLAGS.items()},
    "first_episode": ("SP8", {"date_of_birth": born_years_ago(60)}),
    "night_rest_pain": ("SP9", {}),
    "getting_worse_or_4_weeks": ("SP11", {}),
    "leg_weakness_worsening": ("SP12", STEADY_WEAKNESS),
    "foot_drop": ("SP13", STEADY_WEAKNESS),
}


def test_the_red_flag_questions_are_those_of_the_urgent_serious_and_weak_rows() -> None:
    assert set(RED_FLAG_SETUPS) == triage.RED_FLAG_QUESTIONS


@pytest.mark.parametrize("code", sorted(RED_FLAG_SETUPS))
def test_every_red_flag_question_left_unanswered_raises_its_flag(code: str) -> None:
    flag, setup = RED_FLAG_SETUPS[code]
    answers = answers_with(**setup)
    answers.pop(code, None)
    assert flag in assess(answers).codes


@pytest.mark.parametrize(
    "code",
    sorted(set(QUESTIONS) - triage.RED_FLAG_QUESTIONS - {"date_of_birth", "leg_symptoms", "leg_weakness"}),
)
def test_other_questions_left_unanswered_raise_nothing(code: str) -> None:
    answers = legs_with()
    answers.pop(code, None)
    assert assess(answers).flags == ()


# --- latched red flags (2027.1) -------------------------------------------------------------------------------------

AT_10_02 = datetime.datetime(2026, 3, 15, 10, 2)
AT_10_05 = datetime.datetime(2026, 3, 15, 10, 5)
# The yes/no ones (the fall, a choice behind SP7, has its own tests below).
LATCHED_SETUPS = {code: RED_FLAG_SETUPS[code] for code in sorted(triage.LATCHED_QUESTIONS - {"onset_cause"})}


def test_the_latched_questions_are_those_behind_ce1_to_ce7_sp1_to_sp7_sp12_sp13_and_cm1() -> None:
    behind = {
        flag: {code for code, (raised, _) in RED_FLAG_SETUPS.items() if raised == flag}
        for flag in (*CE_FLAGS.values(), *(f"SP{n}" for n in (*range(1, 8), 12, 13)), "CM1")
    }
    assert set().union(*behind.values()) | {"onset_cause"} == triage.LATCHED_QUESTIONS
    assert not triage.LATCHED_QUESTIONS & {"first_episode", "night_rest_pain", "getting_worse_or_4_weeks"}


@pytest.mark.parametrize("code", sorted(LATCHED_SETUPS))
def test_yes_then_no_keeps_the_flag_and_the_level(code: str) -> None:
    flag, setup = LATCHED_SETUPS[code]
    said_yes = assess(answers_with(**{**setup, code: "yes"}))
    earlier = {code: EarlierAnswer("yes", AT_10_02, AT_10_05)}
    changed = assess(answers_with(**{**setup, code: "no"}), earlier=earlier)
    assert (changed.level, changed.codes) == (said_yes.level, said_yes.codes)
    which = f"{triage.LATCHED_QUESTION_NAMES[code]} " if code in triage.LATCHED_QUESTION_NAMES else ""  # SP7, CM1
    assert (
        reasons(changed)[flag] == reasons(said_yes)[flag] + f" ({which}answered yes at 10:02, changed to no at 10:05)"
    )
    assert flag not in assess(answers_with(**{**setup, code: "no"})).codes  # without the latch it would be gone


def test_a_yes_sent_after_the_form_was_sent_says_so() -> None:
    """The form went with "no"; a yes came later from a page left open: not "changed to no"."""
    earlier = {"ce_bowel_control": EarlierAnswer("yes", AT_10_02, after_sending=True)}
    result = assess(answers_with(ce_bowel_control="no"), earlier=earlier)
    assert result.level == "urgent"
    assert reasons(result)["CE5"].endswith("(answered yes at 10:02, after Send)")


def test_a_no_given_on_another_day_names_both_days() -> None:
    """ "at 10:02, changed to no at 09:30" read as one morning when the yes was the day before."""
    next_morning = AT_10_02 + datetime.timedelta(hours=23, minutes=28)
    earlier = {"ce_bowel_control": EarlierAnswer("yes", AT_10_02, next_morning)}
    result = assess(answers_with(ce_bowel_control="no"), earlier=earlier)
    said, changed = f"{AT_10_02:%b %-d} 10:02", f"{next_morning:%b %-d} 09:30"
    assert reasons(result)["CE5"].endswith(f"(answered yes at {said}, changed to no at {changed})")


@pytest.mark.parametrize("code", ["ce_sexual_change", "cancer_history", "hands_clumsy"])
def test_not_sure_then_no_says_not_sure(code: str) -> None:
    flag = RED_FLAG_SETUPS[code][0]
    result = assess(answers_with(**{code: "no"}), earlier={code: EarlierAnswer("not_sure", AT_10_02, AT_10_05)})
    which = f"{triage.LATCHED_QUESTION_NAMES[code]} " if code in triage.LATCHED_QUESTION_NAMES else ""  # CM1
    assert reasons(result)[flag].endswith(f" ({which}answered not sure at 10:02, changed to no at 10:05)")


def test_a_latched_cauda_equina_answer_keeps_the_emergency() -> None:
    earlier = {"ce_bowel_control": EarlierAnswer("yes", AT_10_02, AT_10_05)}
    result = assess(answers_with(), earlier=earlier)
    assert (result.level, result.codes, result.emergency) == ("urgent", ("CE5",), "ces")


def test_no_earlier_answers_behave_as_before() -> None:
    for answers in (answers_with(), answers_with(cancer_history="yes"), legs_with(leg_side="both")):
        assert assess(answers, earlier={}) == assess(answers, earlier=None) == assess(answers)


def test_an_answer_still_yes_gets_no_suffix() -> None:
    result = assess(answers_with(cancer_history="yes"), earlier={"cancer_history": EarlierAnswer("yes", AT_10_02)})
    assert reasons(result)["SP1"] == "History of cancer: risk of spinal metastasis"


def test_without_a_change_time_the_suffix_still_says_it_was_changed() -> None:
    result = assess(answers_with(cancer_history="no"), earlier={"cancer_history": EarlierAnswer("yes", AT_10_02)})
    assert reasons(result)["SP1"].endswith(" (answered yes at 10:02, changed to no)")


def test_a_latched_answer_that_is_now_missing_counts_in_interim_too() -> None:
    result = interim({}, earlier={"cancer_history": EarlierAnswer("yes", AT_10_02)})
    assert (result.level, reasons(result)) == (
        "serious",
        {"SP1": "History of cancer: risk of spinal metastasis (answered yes at 10:02, no longer answered)"},
    )


@pytest.mark.parametrize(
    "earlier",
    [
        {"night_rest_pain": EarlierAnswer("yes", AT_10_02, AT_10_05)},  # a weak flag does not latch
        {"first_episode": EarlierAnswer("yes", AT_10_02, AT_10_05)},
        {"leg_side": EarlierAnswer("yes", AT_10_02, AT_10_05)},  # CE8 does not latch
        {"cancer_history": EarlierAnswer("no", AT_10_02)},  # only yes or not sure latch
    ],
)
def test_only_red_flag_answers_of_yes_or_not_sure_latch(earlier: Earlier) -> None:
    assert assess(answers_with(date_of_birth=born_years_ago(60)), earlier=earlier).flags == ()


def test_a_flag_with_two_latched_answers_names_each() -> None:
    earlier = {
        "osteoporosis": EarlierAnswer("yes", AT_10_02, AT_10_05),
        "long_term_steroids": EarlierAnswer("not_sure", AT_10_02),
    }
    result = assess(answers_with(osteoporosis="no", long_term_steroids="no"), earlier=earlier)
    assert reasons(result)["SP7"] == (
        "Fall, crash or blow; or osteoporosis or long-term steroids: possible fracture "
        "(osteoporosis: yes 10:02, no 10:05; steroid pills: unsure 10:02, no)"
    )


def test_the_longest_latched_reason_fits_a_stored_flag() -> None:
    codes_ = ("trauma_onset", "osteoporosis", "long_term_steroids")
    earlier = {code: EarlierAnswer("not_sure", AT_10_02, AT_10_05) for code in codes_}
    result = assess(answers_with(**dict.fromkeys(codes_, "no")), earlier=earlier)
    assert len(reasons(result)["SP7"]) <= 200


# --- a latched fall (the red-flag choice behind SP7) -------------------------------------------------------------

FALL_THEN_LIFTING = {"onset_cause": EarlierAnswer("fall_impact", AT_10_02, AT_10_05)}


def test_the_fall_is_latched_with_the_yes_no_questions_behind_sp7() -> None:
    assert "onset_cause" in triage.LATCHED_QUESTIONS
    assert "onset_cause" not in triage.RED_FLAG_QUESTIONS  # a choice: only the fall is a red-flag answer
    # The pages take (and latch) only red-flag answers to latched questions: every red-flag choice must be one.
    assert set(triage.RED_FLAG_CHOICES) <= triage.LATCHED_QUESTIONS


def test_a_fall_then_another_cause_keeps_sp7_and_the_level() -> None:
    said_fall = assess(answers_with(onset_cause="fall_impact"))
    changed = assess(answers_with(onset_cause="lifting_bending"), earlier=FALL_THEN_LIFTING)
    assert (changed.level, changed.codes) == (said_fall.level, said_fall.codes) == ("serious", ("SP7",))
    assert reasons(changed)["SP7"] == (
        reasons(said_fall)["SP7"]
        + " (cause of the pain answered “A fall, crash or blow” at 10:02, changed to “Lifting or bending” at 10:05)"
    )
    assert "SP7" not in assess(answers_with(onset_cause="lifting_bending")).codes  # without the latch it is gone
    assert interim({"onset_cause": "lifting_bending"}, earlier=FALL_THEN_LIFTING).codes == ("SP7",)


def test_a_fall_chosen_again_counts_as_it_is_without_a_suffix() -> None:
    result = assess(
        answers_with(onset_cause="fall_impact"), earlier={"onset_cause": EarlierAnswer("fall_impact", AT_10_02)}
    )
    assert reasons(result)["SP7"] == triage.FLAGS_BY_CODE["SP7"].reason


def test_a_fall_no_longer_answered_and_one_sent_after_the_form_say_so() -> None:
    blank = interim({}, earlier={"onset_cause": EarlierAnswer("fall_impact", AT_10_02)})
    assert reasons(blank)["SP7"].endswith(
        " (cause of the pain answered “A fall, crash or blow” at 10:02, no longer answered)"
    )
    late = {"onset_cause": EarlierAnswer("fall_impact", AT_10_02, after_sending=True)}
    sent = assess(answers_with(onset_cause="running"), earlier=late)
    assert reasons(sent)["SP7"].endswith(" (cause of the pain answered “A fall, crash or blow” at 10:02, after Send)")


def test_a_latched_fall_beside_a_latched_yes_names_each() -> None:
    earlier = {**FALL_THEN_LIFTING, "trauma_onset": EarlierAnswer("yes", AT_10_02, AT_10_05)}
    result = assess(answers_with(onset_cause="lifting_bending", trauma_onset="no"), earlier=earlier)
    assert reasons(result)["SP7"].endswith(
        " (fall, crash or blow: yes 10:02, no 10:05;"
        " cause of the pain: “A fall, crash or blow” 10:02, “Lifting or bending” 10:05)"
    )


@pytest.mark.parametrize("answer", [[], ["fall_impact"], 3, None, "fall"])
def test_an_unreadable_cause_is_not_the_fall(answer: object) -> None:
    assert "SP7" not in assess(answers_with(onset_cause=answer)).codes
    assert not triage.is_red_flag_answer("onset_cause", answer)
    assert not triage.takes_back("onset_cause", answer)


@pytest.mark.parametrize("value", ["yes", "not_sure", "running", "no"])
def test_only_the_fall_latches_the_cause_of_the_pain(value: str) -> None:
    earlier = {"onset_cause": EarlierAnswer(value, AT_10_02, AT_10_05)}
    assert assess(answers_with(onset_cause="lifting_bending"), earlier=earlier).flags == ()


@pytest.mark.parametrize(("code", "flag"), [("leg_weakness_worsening", "SP12"), ("foot_drop", "SP13")])
def test_a_latched_weakness_answer_survives_a_later_no_to_the_leg_questions(code: str, flag: str) -> None:
    earlier = {code: EarlierAnswer("yes", AT_10_02, AT_10_05)}
    assert flag in assess(answers_with(leg_symptoms="no"), earlier=earlier).codes
    assert flag in assess(legs_with(leg_weakness="no"), earlier=earlier).codes


def test_combination_flags_carry_no_latch_suffix() -> None:
    earlier = {"cancer_history": EarlierAnswer("yes", AT_10_02, AT_10_05)}
    result = assess(answers_with(night_rest_pain="yes"), earlier=earlier)
    assert reasons(result)["MET"] == triage.FLAGS_BY_CODE["MET"].reason
    assert reasons(result)["SP1"].endswith("(answered yes at 10:02, changed to no at 10:05)")


# --- interim results on a partly answered intake (2027.1) ---------------------------------------------------------


def test_an_empty_intake_raises_nothing_in_interim() -> None:
    result = interim({})
    assert (result.level, result.flags, result.emergency, result.rules_version) == ("routine", (), None, "2027.1")


@pytest.mark.parametrize("code", sorted(triage.RED_FLAG_QUESTIONS))
def test_unanswered_red_flag_questions_raise_nothing_in_interim(code: str) -> None:
    flag, setup = RED_FLAG_SETUPS[code]
    answers = answers_with(**setup)
    answers.pop(code, None)
    assert flag not in interim(answers).codes
    assert interim(answers).level == assess(answers_with(**{**setup, code: "no"})).level


@pytest.mark.parametrize(("code", "flag"), CE_FLAGS.items())
def test_a_lone_cauda_equina_not_sure_is_urgent_in_interim(code: str, flag: str) -> None:
    result = interim({code: "not_sure"})
    assert (result.level, result.codes, result.emergency) == ("urgent", (flag,), "ces")


def test_cancer_and_leg_numbness_in_interim_is_mscc() -> None:
    result = interim({"cancer_history": "yes", "leg_symptoms": "yes", "leg_numbness_tingling": "yes"})
    assert (result.level, result.codes, result.emergency) == ("urgent", ("MSCC", "SP1", "SC3"), "mscc")


def test_cancer_and_night_pain_in_interim_is_serious_met_without_an_emergency() -> None:
    result = interim({"cancer_history": "yes", "night_rest_pain": "yes"})
    assert (result.level, result.codes, result.emergency) == ("serious", ("MET", "SP1", "SP9"), None)


def test_interim_age_rules_need_a_date_of_birth() -> None:
    assert interim({"first_episode": "yes"}).flags == ()
    assert interim({"first_episode": "yes", "date_of_birth": born_years_ago(60)}).codes == ("SP8",)


def test_interim_raises_only_answers_given() -> None:
    partial: dict[str, object] = {"hands_clumsy": "no", "balance_worse": "not_sure", "osteoporosis": "maybe"}
    assert interim(partial).codes == ("CM1",)


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
@pytest.mark.parametrize("code", CE_QUESTION_CODES)
def test_any_cauda_equina_sign_needs_the_emergency_page(code: str, answer: str) -> None:
    # 2027.1: ce_sexual_change too.
    assert triage.needs_emergency_page({code: answer})
    assert triage.needs_emergency_page({code: answer}, today=TODAY)


def test_an_unanswered_safety_question_alone_does_not_need_the_emergency_page() -> None:
    # 2027.1: defined as assess_interim having an emergency, where an unanswered question raises nothing
    # (2026.1 counted a missing CE1-CE6 answer; a partly saved page no longer sends the patient to the ER).
    assert not triage.needs_emergency_page(dict.fromkeys(CE_QUESTION_CODES, "no"))
    assert not triage.needs_emergency_page({"ce_saddle_numbness": None})


def test_mscc_needs_the_emergency_page_and_met_does_not() -> None:
    assert triage.needs_emergency_page({"cancer_history": "yes", "hands_clumsy": "not_sure"})
    assert not triage.needs_emergency_page({"cancer_history": "yes", "night_rest_pain": "yes"})


def test_a_latched_answer_keeps_the_emergency_page() -> None:
    earlier = {"ce_urine_start_difficulty": EarlierAnswer("yes", AT_10_02, AT_10_05)}
    assert triage.needs_emergency_page({"ce_urine_start_difficulty": "no"}, earlier=earlier)


def test_the_old_safety_step_name_is_the_interim_assessment() -> None:
    answers = {"ce_saddle_numbness": "no", "ce_sexual_change": "yes"}
    assert triage.assess_safety_step(answers) == triage.assess_interim(answers, today=None)


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
any_earlier = st.dictionaries(
    st.sampled_from(sorted(triage.LATCHED_QUESTIONS | {"night_rest_pain", "leg_side"})),
    st.builds(
        EarlierAnswer,
        st.sampled_from(["yes", "not_sure", "no", "fall_impact"]),  # the fall: the red-flag choice behind SP7
        st.datetimes(),
        st.one_of(st.none(), st.datetimes()),
        st.booleans(),
    ),
    max_size=4,
)
# Whole intakes of mixed values are big examples; the first draw can be slow on a cold machine.
big_examples = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@big_examples
@given(answers=any_answers, today=st.dates(), earlier=any_earlier)
def test_assess_never_raises_and_always_returns_a_valid_level(
    answers: dict[str, object], today: datetime.date, earlier: Earlier
) -> None:
    for result in (
        triage.assess(answers, today=today, earlier=earlier),
        triage.assess_interim(answers, today=today, earlier=earlier),
    ):
        assert result.level in triage.LEVELS
        assert len(set(result.codes)) == len(result.codes)
        assert result.emergency in (None, "ces", "mscc")
        assert all(len(flag.reason) <= 200 for flag in result.flags)


@big_examples
@given(answers=any_answers, code=st.sampled_from(YNS_CODES), answer=st.sampled_from(["yes", "not_sure"]))
def test_answering_yes_to_any_safety_question_never_lowers_the_level(
    answers: dict[str, object], code: str, answer: str
) -> None:
    before = triage.assess(answers, today=TODAY)
    after = triage.assess({**answers, code: answer}, today=TODAY)
    assert triage.level_rank(after.level) <= triage.level_rank(before.level)


@big_examples
@given(answers=any_answers, earlier=any_earlier)
def test_the_whole_intake_is_never_less_urgent_than_the_interim_one(
    answers: dict[str, object], earlier: Earlier
) -> None:
    full = triage.assess(answers, today=TODAY, earlier=earlier)
    partial = triage.assess_interim(answers, today=TODAY, earlier=earlier)
    assert triage.level_rank(full.level) <= triage.level_rank(partial.level)


@big_examples
@given(answers=any_answers, earlier=any_earlier)
def test_earlier_answers_never_lower_the_level(answers: dict[str, object], earlier: Earlier) -> None:
    without = triage.assess(answers, today=TODAY)
    latched = triage.assess(answers, today=TODAY, earlier=earlier)
    assert triage.level_rank(latched.level) <= triage.level_rank(without.level)
    assert set(without.codes) - {"MET"} <= set(latched.codes)  # MET only gives way to MSCC
