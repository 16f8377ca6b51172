"""The walking distance as the patient typed it: whole yards come back unchanged, and answers stored in whole meters
before still read and show."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intake.models import Intake
from intake.rules import units
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import routine_answers

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
