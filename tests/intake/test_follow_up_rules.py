"""The follow-up's pure rules (intake.rules.follow_up, intake.rules.catalogue): its pages, the background facts
under its answers, and the PSFS checks shared with the intake. No database."""

from __future__ import annotations

import datetime

import pytest

from intake.rules import questionnaire_checks as checks
from intake.rules.catalogue import FOLLOW_UP, INTAKE, form_for
from intake.rules.follow_up import assess_follow_up, default_answers, with_background
from intake.rules.form_versions import FOLLOW_UP_FORM, INTAKE_FORM
from intake.rules.questionnaire import CE_QUESTION_CODES
from tests.intake.factories import follow_up_answers

TODAY = datetime.date(2027, 3, 15)


def test_the_follow_up_starts_with_the_seven_ces_questions_then_onset_and_the_cord_compression_ones():
    codes = [question.code for page in FOLLOW_UP.pages for question in page.questions]
    assert codes[:10] == [*CE_QUESTION_CODES, "ce_onset", "hands_clumsy", "balance_worse"]
    assert FOLLOW_UP.consent_page is None
    assert "consent" not in codes
    assert codes[-2:] == ["global_change", "follow_up_running"]


def test_each_form_is_found_by_its_version_and_an_unknown_version_reads_as_the_intake():
    assert (form_for(INTAKE_FORM), form_for(FOLLOW_UP_FORM), form_for("intake-2026.1")) == (INTAKE, FOLLOW_UP, INTAKE)


def test_only_the_birth_date_and_cancer_history_come_from_the_intake_and_the_follow_up_answers_win():
    background = {"date_of_birth": datetime.date(1960, 1, 1), "cancer_history": "yes", "leg_side": "both"}
    merged = with_background({"leg_symptoms": "no"}, background)
    assert merged == {"date_of_birth": datetime.date(1960, 1, 1), "cancer_history": "yes", "leg_symptoms": "no"}


def test_a_cancer_history_alone_is_not_news_at_follow_up_but_makes_a_new_nerve_sign_mscc():
    background = {"cancer_history": "yes"}
    quiet = assess_follow_up(follow_up_answers(), background=background, today=TODAY)
    assert (quiet.level, quiet.codes) == ("routine", ())
    worse = assess_follow_up(follow_up_answers(balance_worse="yes"), background=background, today=TODAY)
    assert worse.level == "urgent"
    assert {"CM1", "MSCC", "SP1"} <= set(worse.codes)


def test_questions_a_follow_up_does_not_ask_are_not_unanswered():
    result = assess_follow_up(follow_up_answers(), background={}, today=TODAY)
    assert result.level == "routine"
    assert not result.flags


def test_the_intakes_activities_are_offered_again():
    assert default_answers({"psfs_1_activity": "Running", "psfs_2_activity": " ", "psfs_3_activity": "Lifting"}) == {
        "psfs_1_activity": "Running",
        "psfs_3_activity": "Lifting",
    }


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"psfs_1_activity": "Running", "psfs_1": 4}, {}),
        ({"psfs_1_activity": "Running"}, {"psfs_1": checks.MSG_REQUIRED}),
        ({"psfs_2_activity": "Gardening"}, {"psfs_2": checks.MSG_RATE_ACTIVITY}),
        ({"psfs_3": 5}, {"psfs_3_activity": checks.MSG_NAME_ACTIVITY}),
        ({}, {}),
    ],
)
def test_a_psfs_activity_needs_its_rating_and_a_rating_its_activity(answers, errors):
    page = (
        "back_pain_activities" if "psfs_1_activity" in answers or "psfs_1" in answers else "back_pain_activities_more"
    )
    assert checks.validate_page(page, answers, today=TODAY) == errors
