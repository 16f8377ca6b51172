"""Staff read measurements in the clinic's units (CLINIC_UNITS), with the unit, as the patient typed them.

Answers are stored in metric: a US patient's 10 miles a week is stored as 16.09 km. A clinician in a US clinic must
read "10 miles", never a bare "16.09" or "16.09 km", and must not see the stored ``distance_unit`` listed as a
question the patient answered.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from dashboard.presenters import answer_sections, running_summary
from intake.models import Intake
from intake.rules.questionnaire import QUESTIONS
from tests.dashboard.factories import make_intake

# What a US patient typed, as stored: 10 and 8 miles a week, a 5-mile longest run, 5 ft 10 in, 160 lb.
US_PATIENT = {
    "distance_unit": "km",
    "weekly_distance": "16.09",
    "weekly_distance_before": "12.87",
    "longest_run": "8.05",
    "training_changes": ["distance"],
    "height_cm": "177.8",
    "weight_kg": "72.57",
}
UNIT_QUESTION = QUESTIONS["distance_unit"].label


def _runner(**answers: object) -> Intake:
    intake = make_intake("routine_mileage_jump")
    intake.answers.update(US_PATIENT, **answers)
    intake.save()
    return intake


def _page(client, clinician, intake: Intake) -> tuple[str, str, str]:
    """The whole page, its running summary and its All answers list."""
    client.force_login(clinician)
    html = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()
    running = html[html.index('id="running-title"') : html.index('id="answers-title"')]
    answers = html[html.index('id="answers-title"') : html.index('class="col-lg-4"')]
    return html, running, answers


def _row(code: str, value: str) -> str:
    return f"<dt>{escape(QUESTIONS[code].label)}</dt><dd>{value}</dd>"


@pytest.mark.django_db
def test_a_us_clinic_reads_the_patients_miles_feet_and_pounds(client, clinician, settings):
    settings.CLINIC_UNITS = "us"
    html, running, answers = _page(client, clinician, _runner())

    assert "10 miles a week" in running
    assert "before: 8 miles a week" in running
    assert "+25%" in running
    assert _row("weekly_distance", "10 miles") in answers
    assert _row("weekly_distance_before", "8 miles") in answers
    assert _row("longest_run", "5 miles") in answers
    assert _row("height_cm", "5 ft 10 in") in answers
    assert _row("weight_kg", "160 lb") in answers
    for metric in ("16.09", "12.87", "8.05", "177.8", "72.57", " km"):
        assert metric not in html


@pytest.mark.django_db
def test_a_metric_clinic_reads_kilometers_centimeters_and_kilograms(client, clinician, settings):
    settings.CLINIC_UNITS = "metric"
    html, running, answers = _page(client, clinician, _runner())

    assert "16.1 km a week" in running
    assert "before: 12.9 km a week" in running
    assert _row("weekly_distance", "16.1 km") in answers
    assert _row("longest_run", "8.1 km") in answers
    assert _row("height_cm", "177.8 cm") in answers
    assert _row("weight_kg", "72.6 kg") in answers
    assert "miles" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("system", ["us", "metric"])
def test_the_stored_distance_unit_is_not_listed_as_a_question(client, clinician, settings, system):
    settings.CLINIC_UNITS = system
    html, _running, answers = _page(client, clinician, _runner())
    assert escape(UNIT_QUESTION) not in html
    assert "Kilometers (km)" not in answers


@pytest.mark.django_db
@pytest.mark.parametrize(("system", "shown"), [("us", "20 miles"), ("metric", "32.2 km")])
def test_an_intake_answered_in_miles_before_2027_reads_in_the_clinics_units(client, clinician, settings, system, shown):
    settings.CLINIC_UNITS = system
    _html, running, answers = _page(
        client, clinician, _runner(distance_unit="mi", weekly_distance="20", weekly_distance_before="16")
    )
    assert f"{shown} a week" in running
    assert _row("weekly_distance", shown) in answers
    assert "+25%" in running


@pytest.mark.parametrize(("system", "shown"), [("us", "875 yards"), ("metric", "800 meters")])
def test_the_walking_distance_reads_in_the_clinics_units(system, shown):
    sections = answer_sections({"leg_symptoms": "yes", "walking_distance_m": 800}, system=system)
    rows = {row.code: row.value for section in sections for row in section.rows}
    assert rows["walking_distance_m"] == shown


def test_the_summary_follows_the_clinics_setting_when_no_system_is_given(settings):
    answers = {"running_status": "running", **US_PATIENT}
    settings.CLINIC_UNITS = "us"
    summary = running_summary(answers)
    assert summary is not None
    assert summary.weekly_distance == "10 miles a week"
    settings.CLINIC_UNITS = "metric"
    summary = running_summary(answers)
    assert summary is not None
    assert summary.weekly_distance == "16.1 km a week"


def test_one_mile_reads_in_the_singular():
    summary = running_summary(
        {"running_status": "running", "distance_unit": "km", "weekly_distance": "1.61"}, system="us"
    )
    assert summary is not None
    assert summary.weekly_distance == "1 mile a week"
