"""A number too large for its question gets the question's limit, however many digits it has, and a large limit
reads with its thousands grouped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from intake.models import Intake
from intake.patient_fields import say
from intake.rules import units
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import routine_answers

D = Decimal


@pytest.mark.parametrize(
    ("measure", "typed", "message"),
    [
        ("walk", {"yd": "1234567"}, "Enter a distance of 54,680 yards or less"),
        ("walk", {"yd": "99999999999999999999999999999999999"}, "Enter a distance of 54,680 yards or less"),
        ("weight", {"lb": "1600000 lb"}, "Enter a weight between 45 lb and 771 lb"),
        ("height", {"ft": "5", "in": "1000000"}, "Enter a height between 1 ft 8 in and 8 ft 2 in"),
    ],
)
def test_a_measurement_of_seven_digits_or_more_gets_the_limit_not_enter_a_number(measure, typed, message):
    bounds = {"walk": (D(0), D(50_000)), "weight": (D(20), D(350)), "height": (D(50), D(250))}[measure]
    with pytest.raises(units.UnitError) as problem:
        units.to_stored(measure, "us", typed, minimum=bounds[0], maximum=bounds[1])
    assert str(problem.value.message) == message


def test_a_large_limit_reads_with_its_thousands_grouped_in_spanish_too():
    with pytest.raises(units.UnitError) as problem:
        units.to_stored("walk", "us", {"yd": "60000"}, minimum=D(0), maximum=D(50_000))
    with translation.override("es"):
        assert say(problem.value.message) == "Escriba una distancia de 54,680 yardas o menos"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["12345678901", "1,234,567,890"])
def test_a_count_of_ten_digits_or_more_gets_the_questions_limit(patient: Patient, typed):
    answer_up_to(patient, "running", routine_answers())
    data = {"running_status": "running", "runs_per_week": typed, "weekly_distance-mi": "20", "training_changes": "none"}

    response = patient.client.post("/intake/step/running/", data)

    assert response.status_code == 200
    assert '<a href="#id_runs_per_week">Please enter 21 or less.</a>' in response.content.decode()
    assert "runs_per_week" not in Intake.objects.get(invitation=patient.invitation).answers


@pytest.mark.django_db
def test_a_long_answer_is_told_the_limit_with_its_thousands_grouped(patient: Patient):
    answer_up_to(patient, "general_health_nerves", routine_answers())
    data = {"long_term_steroids": "no", "hands_clumsy": "no", "balance_worse": "no", "medications": "x" * 2001}
    data |= {"getting_worse_or_4_weeks": "no"}

    response = patient.client.post("/intake/step/general_health_nerves/", data)

    assert response.status_code == 200
    assert "Please shorten this to 2,000 characters or fewer." in response.content.decode()


@pytest.mark.parametrize("typed", ["9" * 40, "1" + "0" * 30, "1" + "0" * 30 + ".00"])
def test_a_number_far_past_every_limit_is_kept_as_typed_not_made_a_python_int(typed):
    """A long number gets the question's limit; turning it into a Python int first costs time that grows with the
    square of its digits (a million digits, which a page may carry, held a server process for a minute)."""
    from intake.patient_fields import typed_number

    number = typed_number(typed)
    assert isinstance(number, Decimal)
    assert number == Decimal(typed)
    for small in ("21", "1,234,567,890"):
        assert isinstance(typed_number(small), int)
    assert typed_number("1,234,567,890") == 1_234_567_890


@pytest.mark.parametrize("typed", [{"ft": "5", "in": "9" * 1_000_000}, {"ft": "9" * 1_000_000, "in": "10"}])
def test_a_height_of_a_million_digits_gets_the_limit_not_a_server_error(typed):
    """Feet times 12 plus inches overflowed Decimal's largest exponent: decimal.Overflow, a server error page."""
    with pytest.raises(units.UnitError) as problem:
        units.to_stored("height", "us", typed, minimum=D(50), maximum=D(250))
    assert str(problem.value.message) == "Enter a height between 1 ft 8 in and 8 ft 2 in"
