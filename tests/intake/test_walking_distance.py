"""The walking distance as the patient typed it: whole yards come back unchanged, and answers stored in whole meters
before still read and show."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intake.models import Intake
from intake.rules import units
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers

D = Decimal
LEGS = {"leg_symptoms": "yes", "leg_side": "left", "leg_pain_lowest_point": "thigh", "worse_back_or_leg": "leg"}
LEGS |= {"leg_numbness_tingling": "no", "leg_weakness": "no", "sitting_eases": "no"}


def test_every_whole_number_of_yards_comes_back_as_typed():
    """Stored in whole meters, 171 of the values 0-2000 yards came back changed (18 yards showed as 17)."""
    changed = []
    for yards in [*range(0, 5001), *range(54_580, 54_681)]:  # and the longest the page takes (50,000 m)
        stored = units.to_stored("walk", "us", {"yd": str(yards)}, minimum=D(0), maximum=D(50_000))
        assert stored is not None
        if units.as_parts("walk", "us", stored) != {"yd": str(yards)}:
            changed.append(yards)
    assert changed == []


@pytest.mark.parametrize(("stored", "yards", "meters"), [(800, "875", "800"), (16, "17", "16")])
def test_a_walking_distance_stored_in_whole_meters_still_reads(stored, yards, meters):
    assert units.as_parts("walk", "us", D(stored)) == {"yd": yards}
    assert units.describe("walk", "metric", D(stored)) == f"{meters} meters"


@pytest.mark.django_db
def test_a_patient_who_types_18_yards_sees_18_yards_when_they_go_back(patient: Patient):
    answers = routine_answers(**LEGS)
    answer_up_to(patient, "legs_weakness", answers)
    posted = {"leg_weakness": "no", "walking_distance_m-yd": "18", "sitting_eases": "no"}

    assert patient.client.post("/intake/step/legs_weakness/", posted).status_code == 302

    html = patient.client.get("/intake/step/legs_weakness/").content.decode()
    assert 'name="walking_distance_m-yd" id="id_walking_distance_m-yd" value="18"' in html
    assert Intake.objects.get(invitation=patient.invitation).answers["walking_distance_m"] == 16.46


NO_DOT = "Type the distance without a dot or comma, like 1500"


@pytest.mark.parametrize(
    ("system", "typed"),
    [
        ("us", {"yd": "1.500"}),
        ("us", {"yd": "2.000 yards"}),
        ("metric", {"": "1.500 metros"}),
        ("metric", {"": "0,250"}),
    ],
)
def test_a_walking_distance_with_a_dot_before_three_digits_is_refused_not_guessed(system, typed):
    """ "1.500 metros" (a thousand and a half, as Spanish writes it) was stored as 2 m, "1.500" yards as 1 m."""
    with pytest.raises(units.UnitError) as problem:
        units.to_stored("walk", system, typed, minimum=D(0), maximum=D(50_000))
    assert str(problem.value.message) == NO_DOT


@pytest.mark.parametrize(
    ("measure", "system", "typed", "stored"),
    [
        ("walk", "us", {"yd": "1,500"}, D("1371.60")),  # a comma in a thousands group is read as one
        ("walk", "metric", {"": "1500"}, D("1500")),
        ("walk", "metric", {"": "12.5"}, D("12.50")),
        ("distance", "us", {"mi": "1.5"}, D("2.41")),
        ("distance", "us", {"mi": "1.500"}, D("2.41")),  # no whole-unit reading to mistake it for
        ("weight", "metric", {"": "72.5"}, D("72.50")),
    ],
)
def test_ordinary_decimals_and_thousands_groups_still_pass(measure, system, typed, stored):
    assert units.to_stored(measure, system, typed, minimum=D(0), maximum=D(50_000)) == stored


@pytest.mark.django_db
def test_a_spanish_speaking_patient_who_types_a_dot_in_a_thousand_meters_is_asked_to_type_it_without(client, settings):
    settings.CLINIC_UNITS = "metric"
    invitation, token = make_invitation(language="es")
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.sign_in()
    assert patient.agree().status_code == 302
    answer_up_to(patient, "legs_weakness", routine_answers(**LEGS))
    posted = {"leg_weakness": "no", "walking_distance_m": "1.500 metros", "sitting_eases": "no"}

    response = patient.client.post("/intake/step/legs_weakness/", posted)

    html = response.content.decode()
    assert response.status_code == 200
    message = "Escriba la distancia sin punto ni coma, como 1500"
    assert f'<a href="#id_walking_distance_m">{message}</a>' in html  # in the summary at the top
    assert f'id="error_walking_distance_m"><span class="visually-hidden">Error:</span> {message}</p>' in html
    assert "walking_distance_m" not in Intake.objects.get(invitation=invitation).answers
