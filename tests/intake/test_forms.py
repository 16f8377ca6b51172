"""Page and step forms: posted text becomes typed answers, and every bad value gets the catalogue's message on its
field. Posted here as one value per question (`as_post_data`): the date and unit boxes are in
tests/intake/test_units_and_dates.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from intake.forms import MSG_ODD_CHARACTERS, StepForm, as_post_data
from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug, step_by_slug
from intake.rules.questionnaire_checks import (
    MSG_AGE_OUT_OF_RANGE,
    MSG_BEFORE_BIRTH,
    MSG_CONSENT_REQUIRED,
    MSG_DISTANCE_TOO_LARGE,
    MSG_FUTURE_DATE,
    MSG_INVALID_CHOICE,
    MSG_NEGATIVE,
    MSG_NOT_A_NUMBER,
    MSG_REQUIRED,
    MSG_TOO_LARGE,
    MSG_TOO_LONG,
    MSG_TOO_SMALL,
    MSG_WHOLE_NUMBER,
)
from tests.intake.factories import routine_answers

TODAY = datetime.date(2026, 11, 21)


def _form(slug: str, **changes: object) -> StepForm:
    answers = routine_answers(**{"pain_start_date": datetime.date(2026, 10, 1), **changes})
    data = as_post_data(step_by_slug(slug), answers)
    for code, value in changes.items():
        if value == "":
            data.pop(code, None)  # what a browser posts for an empty radio group, box or field: nothing
        elif isinstance(value, str):
            data[code] = value
    return StepForm(step_by_slug(slug), earlier=answers, today=TODAY, data=data)


def _errors(slug: str, **changes: object) -> dict[str, list[str]]:
    form = _form(slug, **changes)
    form.is_valid()
    return {code: [str(message) for message in messages] for code, messages in form.errors.items()}


@pytest.mark.parametrize("slug", ["safety", "about", "back_pain", "legs", "general_health", "running", "visit"])
def test_a_complete_valid_step_has_no_errors_and_gives_typed_answers(slug):
    form = _form(slug)
    assert form.is_valid(), form.errors
    assert form.step_answers


@pytest.mark.parametrize("slug", PAGE_SLUGS)
def test_every_page_of_a_complete_valid_intake_has_no_errors(slug):
    answers = routine_answers(pain_start_date=datetime.date(2026, 10, 1))
    page = page_by_slug(slug)
    form = StepForm(page, earlier=answers, today=TODAY, data=as_post_data(page, answers))
    assert form.is_valid(), form.errors


def test_numbers_come_out_as_numbers_and_dates_as_dates():
    form = _form("about", height_cm="168", weight_kg="61.5")
    assert form.is_valid()
    assert form.step_answers["height_cm"] == 168
    assert form.step_answers["weight_kg"] == Decimal("61.5")
    assert form.step_answers["date_of_birth"] == datetime.date(1985, 3, 27)


def test_a_thousands_comma_is_read_as_part_of_the_number():
    form = _form(
        "legs",
        leg_symptoms="yes",
        leg_side="left",
        leg_pain_lowest_point="thigh",
        worse_back_or_leg="back",
        leg_numbness_tingling="no",
        leg_weakness="no",
        sitting_eases="no",
        walking_distance_m="1,500",
    )
    assert form.is_valid(), form.errors
    assert form.step_answers["walking_distance_m"] == 1500


@pytest.mark.parametrize(
    ("slug", "code", "value", "message"),
    [
        ("safety", "ce_saddle_numbness", "", MSG_REQUIRED),
        ("safety", "ce_saddle_numbness", "maybe", MSG_INVALID_CHOICE),
        ("about", "date_of_birth", "", MSG_REQUIRED),
        ("about", "date_of_birth", "27th of March", "Date of birth must be a real date"),
        ("about", "date_of_birth", "2099-01-01", MSG_FUTURE_DATE.format(name="Date of birth")),
        ("about", "date_of_birth", "2020-01-01", MSG_AGE_OUT_OF_RANGE),
        ("about", "date_of_birth", "1900-01-01", MSG_AGE_OUT_OF_RANGE),
        ("about", "height_cm", "tall", MSG_NOT_A_NUMBER),
        ("about", "height_cm", "-5", MSG_NEGATIVE),
        ("about", "height_cm", "30", MSG_TOO_SMALL.format(minimum=50)),
        ("about", "height_cm", "251", MSG_TOO_LARGE.format(maximum=250)),
        ("about", "weight_kg", "351", MSG_TOO_LARGE.format(maximum=350)),
        ("about", "weight_kg", "1e3", MSG_NOT_A_NUMBER),
        ("about", "weight_kg", "NaN", MSG_NOT_A_NUMBER),
        ("about", "sex", "robot", MSG_INVALID_CHOICE),
        ("back_pain", "pain_start_date", "2099-05-05", MSG_FUTURE_DATE.format(name="The date your back pain started")),
        ("back_pain", "pain_start_date", "1980-01-01", MSG_BEFORE_BIRTH.format(name="The date your back pain started")),
        ("back_pain", "pain_now", "11", MSG_INVALID_CHOICE),
        ("back_pain", "pain_now", "", MSG_REQUIRED),
        ("back_pain", "pain_locations", "", MSG_REQUIRED),
        ("back_pain", "onset_cause", "aliens", MSG_INVALID_CHOICE),
        ("running", "runs_per_week", "22", MSG_TOO_LARGE.format(maximum=21)),
        ("running", "runs_per_week", "3.5", MSG_WHOLE_NUMBER),
        ("running", "weekly_distance", "403", MSG_DISTANCE_TOO_LARGE.format(maximum="402.34", unit="km")),
        ("general_health", "medications", "x" * 2001, MSG_TOO_LONG.format(maximum="2,000")),
        ("general_health", "medications", "ibuprofen\x00", MSG_ODD_CHARACTERS),
        ("visit", "consent", "", MSG_CONSENT_REQUIRED),
    ],
)
def test_a_bad_value_gets_its_message_next_to_its_own_field_only(slug, code, value, message):
    errors = _errors(slug, **{code: value})
    assert errors == {code: [message]}


@pytest.mark.parametrize(
    ("slug", "code", "value"),
    [
        ("safety", "ce_saddle_numbness", "maybe"),
        ("back_pain", "pain_now", "11"),
        ("back_pain", "pain_locations", "moon"),
    ],
)
def test_an_answer_not_offered_gets_its_message_in_the_language_the_page_is_shown_in(slug, code, value):
    """A yes/no, a 0-10 scale and a list of boxes: the field's message is the patient's language when the page shows
    it, whichever language a form was built in before (the fields' choices and messages are made once)."""
    with translation.override("en"):
        assert _errors(slug, **{code: value})[code] == ["Please pick one of the answers shown."]
    with translation.override("es"):
        assert _errors(slug, **{code: value})[code] == ["Elija una de las respuestas que se muestran."]
    with translation.override("en"):
        assert _errors(slug, **{code: value})[code] == ["Please pick one of the answers shown."]


def test_miles_have_a_lower_cap_than_kilometres():
    errors = _errors("running", distance_unit="mi", weekly_distance="300")
    assert errors == {"weekly_distance": [MSG_DISTANCE_TOO_LARGE.format(maximum=250, unit="miles")]}


def test_none_cannot_be_picked_with_another_answer():
    answers = routine_answers()
    data = as_post_data(step_by_slug("running"), answers)
    data.setlist("training_changes", ["none", "hills"])
    form = StepForm(step_by_slug("running"), earlier=answers, today=TODAY, data=data)
    assert not form.is_valid()
    assert form.errors["training_changes"] == [
        "You picked “No changes” and another answer. Please pick “No changes” on its own, or clear it."
    ]


def test_free_text_is_trimmed():
    form = _form("visit", visit_goals="   to run again   ")
    assert form.is_valid()
    assert form.step_answers["visit_goals"] == "to run again"


def test_a_race_date_may_be_in_the_future():
    # Two months on whenever the suite runs: a fixed 2027-04-20 was in the past from the day after.
    assert _errors("running", race_date=(timezone.localdate() + datetime.timedelta(days=60)).isoformat()) == {}


def test_the_error_summary_links_each_message_to_its_field_in_page_order():
    form = _form("about", date_of_birth="", height_cm="999")
    form.is_valid()
    assert form.error_summary() == [
        ("id_date_of_birth-month", "What is your date of birth?", MSG_REQUIRED),
        ("id_height_cm-ft", "How tall are you?", MSG_TOO_LARGE.format(maximum=250)),
    ]


def test_follow_ups_show_on_the_page_only_when_they_apply():
    form = StepForm(step_by_slug("legs"), earlier={}, today=TODAY, initial={"leg_symptoms": "no"})
    shown = {view.question.code: view.shown for view in form.questions()}
    assert shown["leg_symptoms"] is True
    assert shown["leg_side"] is False
    form = StepForm(step_by_slug("legs"), earlier={}, today=TODAY, initial={"leg_symptoms": "yes"})
    assert {view.question.code: view.shown for view in form.questions()}["leg_side"] is True


def test_a_long_answer_at_the_limit_with_line_breaks_is_taken_as_typed():
    """The box counts a line break as one character, the browser sends two ("\r\n")."""
    lines = ["x" * 22] * 87  # 2,000 characters as typed
    form = _form("visit", worries="\r\n".join(lines))
    assert form.is_valid(), form.errors
    assert form.step_answers["worries"] == "\n".join(lines)
