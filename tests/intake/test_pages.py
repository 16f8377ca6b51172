"""The pages of the patient's form as data (intake.rules.questionnaire.PAGES): every question on one page, in the
steps' order, conditional pages skipped, follow-up rules fitted to their page, every word marked for translation."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest

from intake.rules import answers as answer_codec
from intake.rules import page_rules
from intake.rules import questionnaire as q
from intake.rules.conditions import rule_for

TODAY = datetime.date(2026, 3, 15)


def test_every_question_is_on_exactly_one_page_except_the_two_answered_elsewhere() -> None:
    on_pages = [question.code for page in q.PAGES for question in page.questions]
    assert len(on_pages) == len(set(on_pages))
    assert set(q.QUESTIONS) - set(on_pages) == q.NOT_ON_A_PAGE == {"date_of_birth", "distance_unit"}


def test_consent_comes_first_then_each_steps_pages_in_the_steps_order() -> None:
    assert q.PAGES[0].slug == q.CONSENT_PAGE == "consent"
    steps = [page.step for page in q.PAGES[1:]]
    assert steps == sorted(steps, key=q.STEP_SLUGS.index)
    order = {code: index for index, code in enumerate(q.QUESTIONS)}
    for step in q.STEPS:
        codes = [question.code for page in q.PAGES[1:] if page.step == step.slug for question in page.questions]
        assert codes == sorted(codes, key=order.__getitem__), step.slug
        assert all(q.QUESTIONS[code] in step.questions for code in codes)


def test_the_first_page_of_each_step_has_the_steps_slug_so_old_resume_points_still_name_a_page() -> None:
    firsts: dict[str, str] = {}
    for page in q.PAGES[1:]:
        firsts.setdefault(page.step, page.slug)
    assert firsts == {slug: slug for slug in q.STEP_SLUGS}


def test_the_seven_safety_questions_are_on_three_pages_and_the_onset_on_a_fourth() -> None:
    pages = [page for page in q.PAGES if page.step == "safety"]
    assert [len(page.questions) for page in pages] == [2, 3, 2, 1]
    assert [question.code for page in pages[:3] for question in page.questions] == list(q.CE_QUESTION_CODES)
    assert [question.code for question in pages[3].questions] == ["ce_onset"]


def test_the_running_step_is_three_pages_and_its_distances_share_the_page_that_stores_their_unit() -> None:
    pages = [page for page in q.PAGES if page.step == "running"]
    assert len(pages) == 3
    [distances] = [page for page in pages if page.stores]
    assert dict(distances.stores) == {"distance_unit": "km"}
    assert {question.code for question in distances.questions if question.measure == "distance"} == {
        "weekly_distance",
        "longest_run",
        "weekly_distance_before",
    }


@pytest.mark.parametrize(
    ("answers", "after", "expected"),
    [
        ({}, "safety_legs", "about"),  # no concern: no "when did it start" page
        ({"ce_sexual_change": "not_sure"}, "safety_legs", "safety_onset"),
        ({"leg_symptoms": "no"}, "legs", "general_health"),
        ({"leg_symptoms": "yes"}, "legs", "legs_weakness"),
        ({"running_status": "not_a_runner"}, "running", "visit"),
        ({"running_status": "stopped"}, "running", "running_gear"),
        ({"date_of_birth": datetime.date(1990, 1, 1), "pain_start_date": datetime.date(2020, 1, 1)},
         "back_pain_where", "back_pain_morning"),
        ({"date_of_birth": datetime.date(1960, 1, 1), "pain_start_date": datetime.date(2020, 1, 1)},
         "back_pain_where", "legs"),
        ({}, "visit", answer_codec.REVIEW),
    ],
)  # fmt: skip
def test_a_page_none_of_whose_questions_is_asked_is_skipped(answers, after, expected) -> None:
    assert answer_codec.next_place(after, answers, today=TODAY) == expected


def test_back_never_goes_to_the_consent_page_or_a_skipped_page() -> None:
    assert answer_codec.previous_page("safety", {}) is None
    assert answer_codec.previous_page("about", {}) == "safety_legs"
    assert answer_codec.previous_page("about", {"ce_saddle_numbness": "yes"}) == "safety_onset"


def test_a_whole_step_saved_at_once_leaves_the_patient_on_the_next_steps_first_page() -> None:
    assert [answer_codec.after_step(step) for step in q.STEP_SLUGS] == [*q.STEP_SLUGS[1:], answer_codec.REVIEW]


def test_a_resume_point_from_before_pages_counts_as_the_start() -> None:
    # The first question, where `resume` sends the patient (the consent page, before it, left no question reached).
    assert answer_codec.place_index("no_such_page") == answer_codec.place_index("safety") == 1
    assert answer_codec.furthest("about", "legs") == "legs"


# --- follow-up rules fitted to their page ---------------------------------------------------------------------------


def test_a_rule_about_a_field_on_an_earlier_page_is_decided_from_the_saved_answers() -> None:
    rule = rule_for(q.question_by_code("foot_drop"))
    assert rule is not None
    on_page = {question.code for question in q.page_by_slug("legs_weakness").questions}
    bound, note = page_rules.bound_rule(rule, {"leg_symptoms": "yes"}, on_page=on_page)
    assert bound == {"field": "leg_weakness", "in": ["yes", "not_sure"]}  # left for the browser
    assert note
    assert page_rules.bound_rule(rule, {"leg_symptoms": "no"}, on_page=on_page) == (page_rules.NEVER, note)


def test_the_onset_question_is_shown_outright_on_its_own_page_after_a_concern() -> None:
    rule = rule_for(q.question_by_code("ce_onset"))
    assert rule is not None
    assert page_rules.bound_rule(rule, {"ce_bowel_control": "yes"}, on_page={"ce_onset"}) == (None, "")


def test_a_rule_about_fields_on_the_same_page_is_left_to_the_browser_whole() -> None:
    rule = rule_for(q.question_by_code("weekly_distance_before"))
    assert rule is not None
    on_page = {question.code for question in q.page_by_slug("running").questions}
    assert page_rules.bind(rule[0], {}, on_page) == rule[0]


# --- every patient-facing word is marked for translation --------------------------------------------------------------


def _marked_strings() -> set[str]:
    source = Path(q.__file__).read_text(encoding="utf-8")
    marked = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "gettext_noop"):
            [argument] = node.args
            assert isinstance(argument, ast.Constant)
            assert isinstance(argument.value, str)
            marked.add(argument.value)
    return marked


def test_every_label_hint_title_intro_choice_and_date_name_is_marked_for_translation() -> None:
    marked = _marked_strings()
    words = {page.title for page in q.PAGES} | {page.intro for page in q.PAGES if page.intro}
    words |= {step.title for step in q.STEPS} | {step.intro for step in q.STEPS}
    for question in q.QUESTIONS.values():
        words |= {question.label, *(choice.label for choice in question.choices)}
        words |= {text for text in (question.hint, question.date_name) if text}
    assert sorted(words - marked) == []
