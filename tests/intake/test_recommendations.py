"""Article suggestions follow the "Recommend when" lines of docs/clinical/ARTICLES.md, safety articles first,
five at most; articles 11-18 (2027.1) with realistic whole intakes triaged by the real rules."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.rules import recommendations as rec
from intake.rules import triage
from intake.rules.questionnaire import on_day
from tests.intake.sample_intakes import SAMPLES, TODAY, born_aged, full_intake, reading_list, validation_errors

STRAIN = "back-pain-after-a-run"
SCIATICA = "sciatica-explained-for-runners"
CAUDA_EQUINA = "cauda-equina-warning-signs"
MILEAGE = "building-mileage-safely"
FORM = "form-surfaces-and-shoes"
STRENGTH = "strength-and-core-training"
CROSS_TRAINING = "cross-training-while-your-back-settles"
RUNNING_BAD = "is-running-bad-for-your-spine"
SCAN = "do-i-need-a-scan"
PROMPT_REVIEW = "signs-that-need-a-prompt-review"
CANCER = "cancer-history-and-back-pain"  # article 15, new in 2027.1
# Articles 11-18 (2027.1).
BACK_TO_RUNNING = "back-to-running-step-by-step"
RECOVERY = "how-long-back-pain-lasts"
MEDICINES = "medicines-for-back-pain-and-sciatica"
STENOSIS = "spinal-stenosis-leg-pain-when-walking"
YOUNG_RUNNERS = "back-pain-in-young-runners"
INFLAMMATORY = "inflammatory-back-pain"
HURT_NOT_HARM = "hurt-is-not-harm"


def result(level: triage.LevelCode = "routine", *codes: str) -> triage.TriageResult:
    """A triage result with these flags (built directly, so these tests check recommend() on its own)."""
    return triage.TriageResult(level, tuple(triage.FLAGS_BY_CODE[code] for code in codes))


def quiet_answers(**changes: object) -> dict[str, object]:
    """A runner whose answers match no "Recommend when" line."""
    return {
        "leg_symptoms": "no",
        "onset_cause": "no_clear_cause",
        "running_status": "running",
        "training_changes": ["none"],
        "surfaces": ["track"],
        "pain_timing": ["next_morning"],
        "running_time_lost": "no",
        "worries": "",
        "race_goal": "",
        "expects_scan": "no",
        **changes,
    }


def test_quiet_answers_on_a_routine_intake_suggest_only_how_long_back_pain_lasts() -> None:
    # 2027.1: article 12 is for "every routine or sciatica intake".
    assert rec.recommend(quiet_answers(), result()) == [RECOVERY]


def test_the_slugs_are_the_starter_articles_in_order() -> None:
    # 2027.1: articles 11-18 join the ten starter articles.
    slugs = tuple(rule.slug for rule in rec.ARTICLE_RULES)
    assert slugs == rec.ARTICLE_SLUGS
    assert [rule.number for rule in rec.ARTICLE_RULES] == list(range(1, 19))
    assert rec.ARTICLE_SLUGS[14] == CANCER == rec.CANCER_ARTICLE


# --- each "Recommend when" line -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cause", ["running", "lifting_bending"])
def test_a_back_only_strain_after_running_or_lifting_suggests_the_strain_article(cause: str) -> None:
    assert rec.recommend(quiet_answers(onset_cause=cause), result()) == [STRAIN, RECOVERY]


@pytest.mark.parametrize(
    ("changes", "level"),
    [
        ({"onset_cause": "running", "leg_symptoms": "yes"}, "routine"),
        ({"onset_cause": "running", "leg_symptoms": None}, "routine"),
        ({"onset_cause": "fall_impact"}, "routine"),
        ({"onset_cause": "running"}, "serious"),
    ],
)
def test_the_strain_article_needs_all_three_conditions(changes: dict[str, object], level: triage.LevelCode) -> None:
    assert STRAIN not in rec.recommend(quiet_answers(**changes), result(level))


def test_level_sciatica_puts_the_sciatica_article_first() -> None:
    answers = quiet_answers(leg_symptoms="yes")
    assert rec.recommend(answers, result("sciatica", "SC1")) == [SCIATICA, CAUDA_EQUINA, MEDICINES, RECOVERY]


@pytest.mark.parametrize("code", ["SC2", "SC3"])
def test_a_lone_sciatica_flag_suggests_the_sciatica_article(code: str) -> None:
    answers = quiet_answers(leg_symptoms="yes")
    assert rec.recommend(answers, result("routine", code)) == [CAUDA_EQUINA, SCIATICA, RECOVERY]


def test_anyone_with_leg_symptoms_sees_the_cauda_equina_article() -> None:
    assert rec.recommend(quiet_answers(leg_symptoms="yes"), result()) == [CAUDA_EQUINA, RECOVERY]


@pytest.mark.parametrize(("level", "code"), [("urgent", "CE1"), ("urgent", "CE7"), ("serious", "W2")])
def test_urgent_and_serious_levels_show_the_cauda_equina_article_first(level: triage.LevelCode, code: str) -> None:
    # 2027.1: CE7 is urgent, and the scan article is no longer suggested at these levels (see below).
    answers = quiet_answers(expects_scan="yes", worries="Is it serious?")
    assert rec.recommend(answers, result(level, code)) == [CAUDA_EQUINA, RUNNING_BAD]


def test_both_sided_leg_symptoms_show_the_cauda_equina_article() -> None:
    assert rec.recommend(quiet_answers(leg_symptoms="yes"), result("serious", "CE8"))[0] == CAUDA_EQUINA


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, ("R3",)),
        ({"training_changes": ["distance"]}, ()),
        ({"race_goal": "Boston Marathon"}, ()),
    ],
)
def test_mileage_jumps_training_changes_and_race_goals_suggest_building_mileage(
    changes: dict[str, object], codes: tuple[str, ...]
) -> None:
    assert rec.recommend(quiet_answers(**changes), result("routine", *codes)) == [MILEAGE, RECOVERY]


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, ("R4",)),
        ({"surfaces": ["concrete"]}, ()),
        ({"surfaces": ["asphalt"]}, ()),
        ({"surfaces": ["sloped_road"]}, ()),
    ],
)
def test_footwear_risk_or_hard_sloped_surfaces_suggest_form_and_shoes(
    changes: dict[str, object], codes: tuple[str, ...]
) -> None:
    assert rec.recommend(quiet_answers(**changes), result("routine", *codes)) == [FORM, RECOVERY]


def test_no_strength_training_suggests_the_strength_article() -> None:
    assert rec.recommend(quiet_answers(), result("routine", "R5")) == [STRENGTH, RECOVERY]


@pytest.mark.parametrize(
    "changes", [{"running_status": "cut_back"}, {"running_status": "stopped"}, {"running_time_lost": "yes"}]
)
def test_running_less_suggests_cross_training_and_the_return_to_running_plan(changes: dict[str, object]) -> None:
    # 2027.1: article 11 has the same two answers as article 7 (the follow-up clause waits for a follow-up form).
    assert rec.recommend(quiet_answers(**changes), result()) == [CROSS_TRAINING, BACK_TO_RUNNING, RECOVERY]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"worries": "Will running wear out my discs?"}, [RUNNING_BAD, HURT_NOT_HARM, RECOVERY]),
        ({"pain_timing": ["during"]}, [RUNNING_BAD, RECOVERY]),
        ({"pain_timing": ["after"]}, [RUNNING_BAD, RECOVERY]),
    ],
)
def test_worries_or_pain_with_running_suggest_is_running_bad(changes: dict[str, object], expected: list[str]) -> None:
    # Worries on a routine intake also suggest "Hurt is not harm" (article 18).
    assert rec.recommend(quiet_answers(**changes), result()) == expected


def test_expecting_a_scan_suggests_the_scan_article() -> None:
    assert rec.recommend(quiet_answers(expects_scan="yes"), result()) == [SCAN, RECOVERY]


@pytest.mark.parametrize("code", ["SP2", "SP9", "SP12", "SP13", "CM1"])
def test_any_sp_or_cm1_flag_suggests_the_prompt_review_article_after_the_safety_article(code: str) -> None:
    # 2027.1 (docs/clinical/ARTICLES.md corrections): any SP, MET or CM1 flag.
    level: triage.LevelCode = "routine" if code == "SP9" else "serious"
    suggested = rec.recommend(quiet_answers(worries="What is it?"), result(level, code))
    if level == "serious":
        assert suggested == [CAUDA_EQUINA, PROMPT_REVIEW, RUNNING_BAD]
    else:  # a weak flag on its own: nothing comes before it, and the routine-only articles follow
        assert suggested == [PROMPT_REVIEW, RUNNING_BAD, HURT_NOT_HARM, RECOVERY]


def test_the_prompt_review_article_waits_until_staff_have_called() -> None:
    answers = quiet_answers(worries="What is it?")
    assert rec.recommend(answers, result("serious", "SP2"), staff_contacted=False) == [CAUDA_EQUINA, RUNNING_BAD]
    assert rec.recommend(answers, result("serious", "CM1"), staff_contacted=False) == [CAUDA_EQUINA, RUNNING_BAD]
    assert set(rec.AFTER_STAFF_CONTACT) == {PROMPT_REVIEW}


@pytest.mark.parametrize(
    ("level", "codes"),
    [("serious", ("SP1",)), ("serious", ("SP1", "MET", "SP9")), ("urgent", ("MSCC", "SP1", "SC3"))],
)
def test_a_cancer_history_puts_the_cancer_article_first(level: triage.LevelCode, codes: tuple[str, ...]) -> None:
    # 2027.1: article 15 first for SP1, MET or MSCC; the cauda-equina article follows.
    suggested = rec.recommend(quiet_answers(leg_symptoms="yes"), result(level, *codes))
    assert suggested[:3] == [CANCER, CAUDA_EQUINA, PROMPT_REVIEW]


def test_a_cauda_equina_sign_keeps_its_article_first_even_with_a_cancer_history() -> None:
    suggested = rec.recommend(quiet_answers(), result("urgent", "CE5", "MSCC", "SP1"))
    assert suggested == [CAUDA_EQUINA, CANCER, PROMPT_REVIEW]


def test_the_cancer_article_is_never_held_back_until_staff_contact() -> None:
    assert rec.recommend(quiet_answers(), result("serious", "SP1"), staff_contacted=False) == [CANCER, CAUDA_EQUINA]


@pytest.mark.parametrize("level", ["urgent", "serious"])
def test_the_scan_article_is_never_suggested_with_red_flags(level: triage.LevelCode) -> None:
    # 2027.1: its reassurance (no scan without red flags) does not hold at these levels.
    assert SCAN not in rec.recommend(quiet_answers(expects_scan="yes"), result(level, "SP2"), limit=10)


@pytest.mark.parametrize(("level", "shown"), [("urgent", False), ("serious", True), ("routine", True)])
def test_the_form_and_shoes_article_is_never_suggested_when_urgent(level: triage.LevelCode, shown: bool) -> None:
    assert (FORM in rec.recommend(quiet_answers(), result(level, "R4"), limit=10)) is shown


def test_running_answers_do_not_count_for_non_runners() -> None:
    answers = quiet_answers(
        running_status="not_a_runner",
        training_changes=["distance"],
        surfaces=["concrete"],
        pain_timing=["during"],
        running_time_lost="yes",
        race_goal="10K",
    )
    assert rec.recommend(answers, result()) == [RECOVERY]


# --- articles 11-18 (2027.1): each "Recommend when" clause -----------------------------------------------------------


def dated(**changes: object) -> dict[str, object]:
    """Quiet answers with a date of birth (age 34 on TODAY) and a pain start date, for the age and duration clauses."""
    return quiet_answers(
        **{"date_of_birth": born_aged(34), "pain_start_date": TODAY - datetime.timedelta(days=10), **changes}
    )


@pytest.mark.parametrize("level", ["urgent", "serious", "sciatica", "routine"])
def test_the_return_to_running_plan_is_never_suggested_when_urgent(level: triage.LevelCode) -> None:
    suggested = rec.recommend(quiet_answers(running_status="stopped"), result(level), limit=12)
    assert (BACK_TO_RUNNING in suggested) is (level != "urgent")


@pytest.mark.parametrize(
    ("level", "shown"), [("routine", True), ("sciatica", True), ("serious", False), ("urgent", False)]
)
def test_how_long_back_pain_lasts_is_for_routine_and_sciatica_intakes(level: triage.LevelCode, shown: bool) -> None:
    assert (RECOVERY in rec.recommend(quiet_answers(), result(level), limit=12)) is shown


def test_how_long_back_pain_lasts_gives_way_to_five_specific_articles() -> None:
    # Open question 5: it fills a place left over, it never pushes out an article matched to the patient.
    answers = quiet_answers(onset_cause="running", surfaces=["concrete"], expects_scan="yes", running_status="cut_back")
    suggested = rec.recommend(answers, result("routine", "R3", "R5"))
    assert len(suggested) == 5
    assert RECOVERY not in suggested
    assert rec.recommend(answers, result("routine", "R3", "R5"), limit=12)[-1] == RECOVERY


@pytest.mark.parametrize(
    ("changes", "level", "shown"),
    [
        ({"pain_week_avg": 5}, "routine", True),
        ({"pain_week_avg": 4}, "routine", False),
        ({"medications": "Naproxen 250 mg"}, "routine", True),
        ({"medications": "None"}, "routine", False),
        ({"medications": " n/a. "}, "routine", False),
        ({"medications": ""}, "routine", False),
        ({}, "sciatica", True),
        ({}, "serious", False),
    ],
)
def test_the_medicines_article_follows_average_pain_medications_or_sciatica(
    changes: dict[str, object], level: triage.LevelCode, shown: bool
) -> None:
    suggested = rec.recommend(quiet_answers(**changes), result(level), limit=12)
    assert (MEDICINES in suggested) is shown


def test_the_stenosis_pattern_suggests_the_stenosis_article() -> None:
    answers = quiet_answers(leg_symptoms="yes", worse_with=["walking"])
    assert rec.recommend(answers, result("routine", "R1")) == [CAUDA_EQUINA, STENOSIS, RECOVERY]


@pytest.mark.parametrize(
    ("age", "worse_with", "shown"),
    [(51, ["walking"], True), (50, ["walking"], False), (70, ["sitting"], False), (30, ["walking"], False)],
)
def test_over_50_and_worse_walking_suggests_the_stenosis_article(age: int, worse_with: list[str], shown: bool) -> None:
    answers = dated(date_of_birth=born_aged(age), worse_with=worse_with)
    assert (STENOSIS in rec.recommend(answers, result(), today=TODAY)) is shown


def test_a_young_runner_with_pain_on_arching_back_gets_the_young_runners_article_first() -> None:
    answers = dated(date_of_birth=born_aged(16), worse_with=["leaning_back"])
    assert rec.recommend(answers, result("routine", "R6"), today=TODAY) == [YOUNG_RUNNERS, RECOVERY]


@pytest.mark.parametrize(("age", "shown"), [(12, True), (19, True), (20, False), (45, False)])
def test_any_patient_under_20_gets_the_young_runners_article(age: int, shown: bool) -> None:
    answers = dated(date_of_birth=born_aged(age), running_status="not_a_runner")
    assert (YOUNG_RUNNERS in rec.recommend(answers, result(), today=TODAY)) is shown


def test_the_ibp_flag_suggests_the_inflammatory_back_pain_article() -> None:
    assert rec.recommend(quiet_answers(), result("routine", "IBP")) == [INFLAMMATORY, RECOVERY]
    assert INFLAMMATORY not in rec.recommend(quiet_answers(), result("routine", "R5"), limit=12)


@pytest.mark.parametrize(
    ("changes", "level", "codes", "shown"),
    [
        ({"pain_week_avg": 6}, "routine", (), True),
        ({"pain_week_avg": 6}, "sciatica", ("SC1",), False),  # the first clause is for level routine only
        ({"pain_week_avg": 9}, "serious", ("SP2",), False),
        ({"worries": "Am I damaging my back?"}, "routine", (), True),
        ({"worries": "   "}, "routine", (), False),
        ({"pain_start_date": TODAY - datetime.timedelta(days=43)}, "routine", (), True),
        ({"pain_start_date": TODAY - datetime.timedelta(days=42)}, "routine", (), False),  # "more than 6 weeks"
        ({"pain_start_date": TODAY - datetime.timedelta(days=60)}, "sciatica", ("SC1",), True),
        ({"pain_start_date": TODAY - datetime.timedelta(days=60)}, "routine", ("SP11",), True),  # weak flag alone
        ({"pain_start_date": TODAY - datetime.timedelta(days=60)}, "serious", ("SP9", "SP11", "W2"), False),
        ({"pain_start_date": TODAY - datetime.timedelta(days=60)}, "serious", ("SP7",), False),
    ],
)
def test_hurt_is_not_harm_follows_high_pain_worries_or_long_pain_without_red_flags(
    changes: dict[str, object], level: triage.LevelCode, codes: tuple[str, ...], shown: bool
) -> None:
    suggested = rec.recommend(dated(**changes), result(level, *codes), today=TODAY, limit=12)
    assert (HURT_NOT_HARM in suggested) is shown


def test_without_a_day_the_age_and_duration_clauses_use_the_questionnaire_day() -> None:
    answers = dated(date_of_birth=born_aged(17), pain_start_date=TODAY - datetime.timedelta(days=50))
    with on_day(TODAY):
        assert rec.recommend(answers, result()) == rec.recommend(answers, result(), today=TODAY)
    assert rec.recommend(answers, result(), today=TODAY) == [YOUNG_RUNNERS, HURT_NOT_HARM, RECOVERY]
    # Ten years on, the same answers describe a 27-year-old: no longer a young runner.
    later = TODAY + datetime.timedelta(days=3653)
    assert rec.recommend(answers, result(), today=later) == [HURT_NOT_HARM, RECOVERY]


# --- realistic whole intakes, triaged by the real rules (tests/intake/sample_intakes.py) -----------------------------

NEW_ARTICLES = {  # article -> (an intake that brings it up, a clearly unrelated intake that does not)
    BACK_TO_RUNNING: ("stopped_running", "saddle_numbness"),
    RECOVERY: ("quiet_runner", "cancer_history"),
    MEDICINES: ("high_pain_on_ibuprofen", "quiet_runner"),
    STENOSIS: ("legs_ache_on_walking_at_63", "teen_runner_arching_hurts"),
    YOUNG_RUNNERS: ("teen_runner_arching_hurts", "legs_ache_on_walking_at_63"),
    INFLAMMATORY: ("inflammatory_pattern", "strain_after_a_run"),
    HURT_NOT_HARM: ("worried_about_running", "sciatica_below_the_knee"),
    CANCER: ("cancer_history", "inflammatory_pattern"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_intake_is_complete_valid_and_lands_on_its_level(name: str) -> None:
    sample = SAMPLES[name]
    assert validation_errors(sample.answers) == {}
    assert triage.assess(sample.answers, today=TODAY).level == sample.level


@pytest.mark.parametrize("article", sorted(NEW_ARTICLES))
def test_each_new_article_is_suggested_for_a_realistic_intake_and_not_for_an_unrelated_one(article: str) -> None:
    brings_it_up, unrelated = NEW_ARTICLES[article]
    assert article in reading_list(SAMPLES[brings_it_up].answers)
    assert article not in reading_list(SAMPLES[unrelated].answers, limit=18)


def test_a_63_year_old_whose_legs_ache_on_walking_reads_the_safety_box_then_the_stenosis_article() -> None:
    assert reading_list(SAMPLES["legs_ache_on_walking_at_63"].answers) == [
        CAUDA_EQUINA,  # leg symptoms
        STENOSIS,  # R1 and over 50 with walking
        HURT_NOT_HARM,  # four months of pain, no red flags
        RECOVERY,
    ]


def test_a_teen_runner_who_cut_back_reads_about_stress_fractures_first() -> None:
    suggested = reading_list(SAMPLES["teen_runner_arching_hurts"].answers)
    assert suggested[0] == YOUNG_RUNNERS
    assert suggested.index(CROSS_TRAINING) < suggested.index(BACK_TO_RUNNING)


def test_a_sciatica_intake_with_high_pain_gets_the_medicines_article_after_the_safety_articles() -> None:
    suggested = reading_list(SAMPLES["sciatica_below_the_knee"].answers)
    assert suggested == [SCIATICA, CAUDA_EQUINA, MEDICINES, RECOVERY]


def test_a_cauda_equina_sign_still_leads_with_every_new_trigger_present() -> None:
    answers = full_intake(
        ce_bowel_control="yes",
        ce_onset="getting_worse",
        date_of_birth=born_aged(17),
        worse_with=["leaning_back", "walking"],
        pain_week_avg=8,
        medications="Ibuprofen",
        running_status="stopped",
        worries="Is this serious?",
        expects_scan="yes",
    )
    suggested = reading_list(answers, limit=18)
    assert triage.assess(answers, today=TODAY).level == "urgent"
    assert suggested[0] == CAUDA_EQUINA
    assert {BACK_TO_RUNNING, RECOVERY, HURT_NOT_HARM, SCAN, FORM}.isdisjoint(suggested)


# --- ordering and limits --------------------------------------------------------------------------------------------

EVERYTHING = quiet_answers(
    leg_symptoms="yes",
    running_status="cut_back",
    running_time_lost="yes",
    training_changes=["distance"],
    race_goal="Half marathon",
    surfaces=["concrete"],
    worries="Is it a disc?",
    pain_timing=["during"],
    expects_scan="yes",
)


def test_general_articles_are_ordered_by_score_then_article_number() -> None:
    suggested = rec.recommend(EVERYTHING, result("routine", "R3", "R4", "R5", "SP9"), limit=12)
    assert suggested == [
        CAUDA_EQUINA,
        PROMPT_REVIEW,
        MILEAGE,  # R3 + training change + race goal
        FORM,  # R4 + concrete
        STRENGTH,  # R5
        CROSS_TRAINING,  # cut back + time lost
        RUNNING_BAD,  # worries + pain during runs
        BACK_TO_RUNNING,  # cut back + time lost
        SCAN,
        HURT_NOT_HARM,  # worries on a routine intake
        RECOVERY,  # the background article comes last
    ]


def test_at_most_five_articles_are_suggested_by_default() -> None:
    suggested = rec.recommend(EVERYTHING, result("sciatica", "SC1", "SC3", "R3", "R4", "R5", "SP11"))
    assert suggested == [SCIATICA, CAUDA_EQUINA, PROMPT_REVIEW, MILEAGE, FORM]


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_of_zero_or_less_suggests_nothing(limit: int) -> None:
    assert rec.recommend(EVERYTHING, result("urgent", "CE1"), limit=limit) == []


codes = st.lists(st.sampled_from(sorted(triage.FLAGS_BY_CODE)), unique=True, max_size=8)


@given(
    level=st.sampled_from(triage.LEVELS),
    flag_codes=codes,
    answers=st.fixed_dictionaries({}, optional={key: st.just(value) for key, value in EVERYTHING.items()}),
    limit=st.integers(min_value=0, max_value=12),
)
def test_suggestions_never_repeat_and_respect_the_limit(
    level: triage.LevelCode, flag_codes: list[str], answers: dict[str, object], limit: int
) -> None:
    suggested = rec.recommend(answers, result(level, *flag_codes), limit=limit)
    assert len(suggested) == len(set(suggested)) <= limit
    assert set(suggested) <= set(rec.ARTICLE_SLUGS)


@given(
    level=st.sampled_from(["urgent", "serious"]),
    flag_codes=st.lists(st.sampled_from(sorted(triage.FLAGS_BY_CODE)), unique=True, min_size=1, max_size=8),
    answers=st.fixed_dictionaries({}, optional={key: st.just(value) for key, value in EVERYTHING.items()}),
)
def test_an_urgent_or_serious_patient_always_gets_a_safety_article_first(
    level: triage.LevelCode, flag_codes: list[str], answers: dict[str, object]
) -> None:
    suggested = rec.recommend(answers, result(level, *flag_codes), limit=1)
    assert suggested in ([CAUDA_EQUINA], [CANCER])
