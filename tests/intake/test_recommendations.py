"""Article suggestions follow the "Recommend when" lines of docs/clinical/ARTICLES.md, safety articles first,
five at most."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.rules import recommendations as rec
from intake.rules import triage

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


def test_quiet_answers_on_a_routine_intake_suggest_nothing() -> None:
    assert rec.recommend(quiet_answers(), result()) == []


def test_the_slugs_are_the_starter_articles_in_order() -> None:
    # 2027.1: article 15 (cancer history) joins the ten starter articles.
    slugs = tuple(rule.slug for rule in rec.ARTICLE_RULES)
    assert slugs == rec.ARTICLE_SLUGS
    assert [rule.number for rule in rec.ARTICLE_RULES] == [*range(1, 11), 15]
    assert rec.ARTICLE_SLUGS[-1] == CANCER == rec.CANCER_ARTICLE


# --- each "Recommend when" line -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cause", ["running", "lifting_bending"])
def test_a_back_only_strain_after_running_or_lifting_suggests_the_strain_article(cause: str) -> None:
    assert rec.recommend(quiet_answers(onset_cause=cause), result()) == [STRAIN]


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
    assert rec.recommend(answers, result("sciatica", "SC1")) == [SCIATICA, CAUDA_EQUINA]


@pytest.mark.parametrize("code", ["SC2", "SC3"])
def test_a_lone_sciatica_flag_suggests_the_sciatica_article(code: str) -> None:
    answers = quiet_answers(leg_symptoms="yes")
    assert rec.recommend(answers, result("routine", code)) == [CAUDA_EQUINA, SCIATICA]


def test_anyone_with_leg_symptoms_sees_the_cauda_equina_article() -> None:
    assert rec.recommend(quiet_answers(leg_symptoms="yes"), result()) == [CAUDA_EQUINA]


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
    assert rec.recommend(quiet_answers(**changes), result("routine", *codes)) == [MILEAGE]


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
    assert rec.recommend(quiet_answers(**changes), result("routine", *codes)) == [FORM]


def test_no_strength_training_suggests_the_strength_article() -> None:
    assert rec.recommend(quiet_answers(), result("routine", "R5")) == [STRENGTH]


@pytest.mark.parametrize(
    "changes", [{"running_status": "cut_back"}, {"running_status": "stopped"}, {"running_time_lost": "yes"}]
)
def test_running_less_suggests_cross_training(changes: dict[str, object]) -> None:
    assert rec.recommend(quiet_answers(**changes), result()) == [CROSS_TRAINING]


@pytest.mark.parametrize(
    "changes", [{"worries": "Will running wear out my discs?"}, {"pain_timing": ["during"]}, {"pain_timing": ["after"]}]
)
def test_worries_or_pain_with_running_suggest_is_running_bad(changes: dict[str, object]) -> None:
    assert rec.recommend(quiet_answers(**changes), result()) == [RUNNING_BAD]


def test_expecting_a_scan_suggests_the_scan_article() -> None:
    assert rec.recommend(quiet_answers(expects_scan="yes"), result()) == [SCAN]


@pytest.mark.parametrize("code", ["SP2", "SP9", "SP12", "SP13", "CM1"])
def test_any_sp_or_cm1_flag_suggests_the_prompt_review_article_after_the_safety_article(code: str) -> None:
    # 2027.1 (docs/clinical/ARTICLES.md corrections): any SP, MET or CM1 flag.
    level: triage.LevelCode = "routine" if code == "SP9" else "serious"
    suggested = rec.recommend(quiet_answers(worries="What is it?"), result(level, code))
    assert suggested[-2:] == [PROMPT_REVIEW, RUNNING_BAD]
    if level == "serious":
        assert suggested[0] == CAUDA_EQUINA


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
    assert rec.recommend(answers, result()) == []


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
    suggested = rec.recommend(EVERYTHING, result("routine", "R3", "R4", "R5", "SP9"), limit=10)
    assert suggested == [CAUDA_EQUINA, PROMPT_REVIEW, MILEAGE, FORM, STRENGTH, CROSS_TRAINING, RUNNING_BAD, SCAN]


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
