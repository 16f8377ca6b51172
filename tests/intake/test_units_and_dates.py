"""Measurements in the clinic's units (stored in metric) and dates in three boxes with the GOV.UK messages, on the
question pages and on the birth-date check; and the receipt's reference."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import Intake, Invitation
from intake.references import intake_id_for, reference_for
from intake.rules import units
from intake.rules.questionnaire import max_typed_distance_km
from intake.rules.triage import assess
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers

# --- the pure conversions ---------------------------------------------------------------------------------------------

D = Decimal
WHOLE_FEET = "Enter whole feet in the feet box and inches in the inches box, like 5 and 10"


@pytest.mark.parametrize(
    ("measure", "system", "typed", "stored", "shown"),
    [
        ("height", "us", {"ft": "5", "in": "10"}, D("177.80"), "5 ft 10 in"),
        ("height", "us", {"ft": "5'10\"", "in": ""}, D("177.80"), "5 ft 10 in"),
        ("height", "us", {"ft": "5 ft 10 in", "in": ""}, D("177.80"), "5 ft 10 in"),
        ("height", "us", {"ft": "", "in": "70"}, D("177.80"), "5 ft 10 in"),
        ("height", "us", {"ft": "5", "in": "10.5"}, D("179.07"), "5 ft 10.5 in"),
        ("height", "us", {"ft": "5", "in": "14"}, D("187.96"), "6 ft 2 in"),
        ("height", "us", {"ft": "5.0", "in": "10"}, D("177.80"), "5 ft 10 in"),  # whole feet, written with a point
        ("height", "metric", {"": "170 cm"}, D("170.00"), "170 cm"),
        ("weight", "us", {"lb": "160"}, D("72.57"), "160 lb"),
        ("weight", "us", {"lb": "160 lbs"}, D("72.57"), "160 lb"),
        ("weight", "metric", {"": "72,5"}, D("72.50"), "72.5 kg"),  # a decimal comma
        ("weight", "us", {"lb": "160.5 pounds"}, D("72.80"), "160.5 lb"),
        ("weight", "metric", {"": "72.5"}, D("72.50"), "72.5 kg"),
        ("distance", "us", {"mi": "10"}, D("16.09"), "10 miles"),
        ("distance", "us", {"mi": "1"}, D("1.61"), "1 mile"),
        ("distance", "metric", {"": "25 km"}, D("25.00"), "25 km"),
        ("walk", "us", {"yd": "100"}, D("91.44"), "100 yards"),
        ("walk", "metric", {"": "300"}, D("300"), "300 meters"),
    ],
)
def test_typed_measurements_are_stored_in_metric_and_read_back_as_typed(measure, system, typed, stored, shown):
    bounds = {"height": (50, 250), "weight": (20, 350), "distance": (0, 400), "walk": (0, 50_000)}[measure]
    value = units.to_stored(measure, system, typed, minimum=D(bounds[0]), maximum=D(bounds[1]))
    assert value == stored
    assert units.describe(measure, system, value) == shown


@pytest.mark.parametrize(
    ("measure", "system", "typed", "message"),
    [
        ("height", "us", {"ft": "tall", "in": ""}, "Enter your height in feet and inches, like 5 feet 10 inches"),
        ("height", "us", {"ft": "5", "in": "ten"}, "Enter your height in feet and inches, like 5 feet 10 inches"),
        ("height", "us", {"ft": "9", "in": ""}, "Enter a height between 1 ft 8 in and 8 ft 2 in"),
        # Feet with a decimal part are feet and inches typed in one box ("5.10" for 5 ft 10 in), not 5.1 feet.
        ("height", "us", {"ft": "5.10", "in": ""}, WHOLE_FEET),
        ("height", "us", {"ft": "5,10", "in": ""}, WHOLE_FEET),  # a decimal comma, as Spanish writes it
        ("height", "us", {"ft": "5.5", "in": "2"}, WHOLE_FEET),
        ("height", "us", {"ft": "5.5 ft", "in": ""}, WHOLE_FEET),
        ("height", "us", {"ft": "5.5'2", "in": ""}, WHOLE_FEET),
        ("height", "metric", {"": "5'10"}, "Enter your height in centimeters, like 170"),
        ("weight", "us", {"lb": "-160"}, "Enter your weight in pounds, like 160"),
        ("weight", "us", {"lb": "1000"}, "Enter a weight between 45 lb and 771 lb"),
        # A comma that cannot group thousands is a decimal comma: 1.6 lb, not 160 (until stop 32: 160).
        ("weight", "us", {"lb": "1,60"}, "Enter a weight between 45 lb and 771 lb"),
        ("weight", "metric", {"": "10"}, "Enter a weight between 20 kg and 350 kg"),
        ("distance", "us", {"mi": "251"}, "Enter a distance of 250 miles or less"),
        ("distance", "metric", {"": "401"}, "Enter a distance of 400 km or less"),
        ("distance", "metric", {"": "ten"}, "Enter the distance in kilometers, like 25"),
    ],
)
def test_a_bad_measurement_gets_a_message_in_the_clinics_units(measure, system, typed, message):
    bounds: dict[str, tuple[D, D]] = {
        "height": (D(50), D(250)),
        "weight": (D(20), D(350)),
        "distance": (D(0), max_typed_distance_km(system)),
    }
    minimum, maximum = bounds[measure]
    with pytest.raises(units.UnitError) as problem:
        units.to_stored(measure, system, typed, minimum=minimum, maximum=maximum)
    assert str(problem.value.message) == message


def test_a_height_range_in_spanish_says_one_foot_in_the_singular():
    """It said "entre 1 pies 8 pulg. y 8 pies 2 pulg." (the stop-28 audit)."""
    from django.utils import translation

    from intake.patient_fields import say

    with pytest.raises(units.UnitError) as problem:
        units.to_stored("height", "us", {"ft": "9", "in": ""}, minimum=D(50), maximum=D(250))
    with translation.override("es"):
        assert say(problem.value.message) == "Escriba una estatura entre 1 pie 8 pulg. y 8 pies 2 pulg."


def test_distances_stored_in_miles_before_2027_are_shown_from_miles():
    assert units.describe("distance", "us", D(20), stored_unit="mi") == "20 miles"
    assert units.describe("distance", "metric", D(20), stored_unit="mi") == "32.2 km"


def test_the_mileage_jump_reads_the_same_from_kilometers_as_from_miles():
    """R3 (weekly distance up by more than 30%) compares two stored distances converted alike."""
    for now, before, jumped in (("30", "20", True), ("26", "20", False)):
        stored = {
            code: units.to_stored("distance", "us", {"mi": text}, minimum=D(0), maximum=D(400))
            for code, text in (("weekly_distance", now), ("weekly_distance_before", before))
        }
        answers = routine_answers(distance_unit="km", **stored)
        codes = assess(answers, today=datetime.date(2026, 12, 1)).codes
        assert ("R3" in codes) is jumped


def test_a_reference_names_its_intake_and_nothing_else():
    seen = set()
    for intake_id in (1, 2, 3, 40, 12_345):
        reference = reference_for(intake_id)
        assert len(reference) == 9
        assert reference[4] == "-"
        assert intake_id_for(reference) == intake_id
        assert intake_id_for(reference.lower().replace("-", " ")) == intake_id
        seen.add(reference[:4])
    assert len(seen) == 5  # neighbouring ids do not give neighbouring references
    assert intake_id_for("not a reference") is None
    assert intake_id_for("ABCD-EFGU") is None  # U is not in the alphabet


# --- on the pages -----------------------------------------------------------------------------------------------------


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


@pytest.mark.django_db
def test_a_us_patient_gives_height_in_feet_and_inches_and_weight_in_pounds(patient):
    answer_up_to(patient, "about", routine_answers())
    html = patient.client.get("/intake/step/about/").content.decode()
    for box in ("height_cm-ft", "height_cm-in", "weight_kg-lb"):
        assert f'name="{box}"' in html
    response = patient.client.post(
        "/intake/step/about/",
        {"height_cm-ft": "5", "height_cm-in": "10", "weight_kg-lb": "160 lbs", "phone": "(201) 555-0123"},
    )
    assert response.status_code == 302
    stored = _intake(patient).answers
    assert (stored["height_cm"], stored["weight_kg"]) == (177.8, 72.57)


@pytest.mark.django_db
def test_a_bad_height_gets_the_feet_and_inches_message_and_keeps_what_was_typed(patient):
    answer_up_to(patient, "about", routine_answers())
    response = patient.client.post("/intake/step/about/", {"height_cm-ft": "five", "height_cm-in": "10"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_height_cm-ft">Enter your height in feet and inches, like 5 feet 10 inches</a>' in html
    assert 'value="five"' in html
    assert 'value="10"' in html


@pytest.mark.django_db
def test_a_height_typed_as_decimal_feet_is_sent_back_with_a_message_and_nothing_on_the_page_is_saved(patient):
    """ "5.10" in the feet box (5 ft 10 in to the patient) was stored as 5.1 feet, 5 ft 1.2 in, with no message."""
    answer_up_to(patient, "about", routine_answers())
    before = dict(_intake(patient).answers)
    posted = {"height_cm-ft": "5.10", "height_cm-in": "", "weight_kg-lb": "160", "phone": "(201) 555-0123"}

    response = patient.client.post("/intake/step/about/", posted)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_height_cm-ft">{WHOLE_FEET}</a>' in html
    assert 'name="height_cm-ft" id="id_height_cm-ft" value="5.10"' in html
    assert _intake(patient).answers == before
    fixed = {**posted, "height_cm-ft": "5", "height_cm-in": "10"}
    assert patient.client.post("/intake/step/about/", fixed).status_code == 302
    assert _intake(patient).answers["height_cm"] == 177.8


@pytest.mark.django_db
def test_a_height_changed_from_the_review_page_to_decimal_feet_keeps_the_height_given_before(patient):
    patient.save_all(routine_answers(height_cm=177.8))
    posted = {"height_cm-ft": "5.10", "height_cm-in": "", "weight_kg-lb": "160", "phone": "(201) 555-0123"}

    response = patient.client.post("/intake/step/about/?next=review", {**posted, "next": "review"})

    assert response.status_code == 200
    assert WHOLE_FEET in response.content.decode()
    assert _intake(patient).answers["height_cm"] == 177.8
    assert '<dd class="summary-value">5 ft 10 in</dd>' in patient.client.get("/intake/review/").content.decode()


def _spanish_patient_on_the_about_page(client) -> Patient:
    """A patient whose invitation is in Spanish, signed in, agreed, with every page before "about" answered."""
    invitation, token = make_invitation(language="es")
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.sign_in()
    assert patient.agree().status_code == 302
    answer_up_to(patient, "about", routine_answers())
    return patient


@pytest.mark.django_db
def test_a_spanish_speaking_patient_who_types_decimal_feet_reads_the_message_in_spanish(client):
    patient = _spanish_patient_on_the_about_page(client)

    response = patient.client.post("/intake/step/about/", {"height_cm-ft": "5,10", "phone": "(201) 555-0123"})

    assert response.status_code == 200
    assert (
        "Escriba los pies enteros en la casilla de pies y las pulgadas en la casilla de pulgadas, como 5 y 10"
        in response.content.decode()
    )
    assert "height_cm" not in _intake(patient).answers


@pytest.mark.django_db
def test_a_spanish_speaking_patient_may_type_the_unit_words_the_spanish_page_shows(client):
    """The Spanish page says "Por ejemplo, 5 pies 10 pulgadas." and puts "libras" beside the weight box; typed with
    those words, the height and weight were refused ("Escriba su estatura en pies y pulgadas, como 5 pies 10
    pulgadas") where "5 feet 10 inches" and "160 pounds" were taken."""
    patient = _spanish_patient_on_the_about_page(client)
    page = patient.client.get("/intake/step/about/").content.decode()
    assert "Por ejemplo, 5 pies 10 pulgadas." in page

    posted = {"height_cm-ft": "5 pies 10 pulgadas", "weight_kg-lb": "160 libras", "phone": "(201) 555-0123"}
    response = patient.client.post("/intake/step/about/", posted)

    assert response.status_code == 302, response.content.decode()
    stored = _intake(patient).answers
    assert (stored["height_cm"], stored["weight_kg"]) == (177.8, 72.57)


@pytest.mark.parametrize(
    ("measure", "system", "typed", "stored"),
    [
        ("height", "us", {"ft": "5 pies", "in": "10 pulg."}, D("177.80")),
        ("height", "us", {"ft": "6 pies 1 pulgada", "in": ""}, D("185.42")),
        ("height", "metric", {"": "170 centímetros"}, D("170.00")),
        ("weight", "us", {"lb": "1 libra"}, D("0.45")),
        ("weight", "metric", {"": "70 kilogramos"}, D("70.00")),
        ("distance", "us", {"mi": "10 millas"}, D("16.09")),
        ("distance", "metric", {"": "25 kilómetros"}, D("25.00")),
        ("walk", "us", {"yd": "100 yardas"}, D("91.44")),
        ("walk", "metric", {"": "300 metros"}, D("300")),
    ],
)
def test_a_measurement_typed_with_its_spanish_unit_word_is_read_as_with_the_english_one(measure, system, typed, stored):
    assert units.to_stored(measure, system, typed, minimum=D(0), maximum=D(50_000)) == stored


@pytest.mark.parametrize(
    ("measure", "typed", "stored"),
    [
        ("weight", {"lb": "160 lbs."}, D("72.57")),
        ("weight", {"lb": "160 lb."}, D("72.57")),
        ("height", {"ft": "5 ft. 10 in.", "in": ""}, D("177.80")),
        ("height", {"ft": "5 ft.", "in": "10 in."}, D("177.80")),
        ("distance", {"mi": "10 mi."}, D("16.09")),
        ("walk", {"yd": "100 yds."}, D("91.44")),
    ],
)
def test_a_unit_abbreviated_with_a_period_is_read_as_without_it(measure, typed, stored):
    """US style writes "160 lbs." and "5 ft. 10 in."; the period after the abbreviation got "Enter your weight in
    pounds, like 160"."""
    bounds = {"height": (D(50), D(250)), "weight": (D(20), D(350))}.get(measure, (D(0), D(50_000)))
    assert units.to_stored(measure, "us", typed, minimum=bounds[0], maximum=bounds[1]) == stored


@pytest.mark.parametrize(
    ("measure", "typed", "stored"),
    [
        ("height", "170 cms", D("170.00")),
        ("weight", "70 kgs", D("70.00")),
        ("weight", "70 kilo", D("70.00")),
        ("weight", "1 kilogram", D("1.00")),
        ("distance", "25 kms", D("25.00")),
        ("distance", "1 kilometer", D("1.00")),
        ("walk", "300 mts", D("300")),
        ("walk", "1 meter", D("1")),
    ],
)
def test_a_metric_unit_written_with_an_s_or_in_the_singular_is_read(measure, typed, stored):
    """ "70 kgs" and "25 kms" are common ways to write the units; they got "Enter your weight in kilograms, like 70"."""
    assert units.to_stored(measure, "metric", {"": typed}, minimum=D(0), maximum=D(50_000)) == stored


@pytest.mark.parametrize("typed", ["5 pies y 10 pulgadas", "5 feet and 10 inches", "5 ft, 10 in", "5' y 10\""])
def test_feet_and_inches_joined_by_and_or_a_comma_are_read_as_both(typed):
    """How a height is said in Spanish ("5 pies y 10 pulgadas") or written in English ("5 feet and 10 inches") was
    refused with the message that asks for feet and inches."""
    assert units.to_stored("height", "us", {"ft": typed, "in": ""}, minimum=D(50), maximum=D(250)) == D("177.80")


@pytest.mark.django_db
def test_a_metric_clinic_asks_in_centimeters_kilograms_and_kilometers(patient, settings):
    settings.CLINIC_UNITS = "metric"
    settings.PHONENUMBER_DEFAULT_REGION = "GB"  # CLINIC_PHONE_REGION: a number typed without "+" is read as British
    answer_up_to(patient, "about", routine_answers())
    html = patient.client.get("/intake/step/about/").content.decode()
    assert 'name="height_cm"' in html
    assert "height_cm-ft" not in html
    posted = {"height_cm": "170", "weight_kg": "68.5", "phone": "020 7946 0958"}
    assert patient.client.post("/intake/step/about/", posted).status_code == 302
    assert (_intake(patient).answers["height_cm"], _intake(patient).answers["weight_kg"]) == (170, 68.5)
    assert _intake(patient).answers["phone"] == "+442079460958"
    answer_up_to(patient, "running", routine_answers())
    assert (
        '<span class="input-suffix" id="unit_weekly_distance">km</span>'
        in patient.client.get("/intake/step/running/").content.decode()
    )


@pytest.mark.django_db
def test_running_distances_in_miles_are_stored_in_kilometers_with_their_unit(patient):
    answer_up_to(patient, "running", routine_answers())
    data = {"running_status": "running", "runs_per_week": "4", "weekly_distance-mi": "20", "longest_run-mi": "8"}
    data |= {"training_changes": "distance", "weekly_distance_before-mi": "12"}
    assert patient.client.post("/intake/step/running/", data).status_code == 302
    stored = _intake(patient).answers
    assert (stored["weekly_distance"], stored["longest_run"], stored["weekly_distance_before"]) == (
        32.19,
        12.87,
        19.31,
    )
    assert stored["distance_unit"] == "km"


@pytest.mark.django_db
def test_an_intake_answered_in_miles_before_2027_is_shown_and_saved_again_consistently(patient):
    answer_up_to(patient, "running", routine_answers())
    intake = _intake(patient)
    old = {"running_status": "running", "runs_per_week": 4, "distance_unit": "mi", "weekly_distance": 20}
    old |= {"training_changes": ["distance"], "weekly_distance_before": 12}
    Intake.objects.filter(pk=intake.pk).update(answers={**intake.answers, **old})
    html = patient.client.get("/intake/step/running/").content.decode()
    assert 'name="weekly_distance-mi" id="id_weekly_distance-mi" value="20"' in html
    data = {"running_status": "running", "runs_per_week": "4", "weekly_distance-mi": "20"}
    data |= {"training_changes": "distance", "weekly_distance_before-mi": "12"}
    assert patient.client.post("/intake/step/running/", data).status_code == 302
    stored = _intake(patient).answers
    assert (stored["distance_unit"], stored["weekly_distance"], stored["weekly_distance_before"]) == (
        "km",
        32.19,
        19.31,
    )


@pytest.mark.django_db
def test_a_long_distance_in_miles_is_checked_against_the_kilometer_cap_it_is_stored_under(patient):
    answer_up_to(patient, "running", routine_answers())
    intake = _intake(patient)
    Intake.objects.filter(pk=intake.pk).update(answers={**intake.answers, "distance_unit": "mi"})  # answered before
    data = {"running_status": "running", "runs_per_week": "14", "weekly_distance-mi": "200"}  # 321.87 km
    data |= {"training_changes": "none"}
    assert patient.client.post("/intake/step/running/", data).status_code == 302
    assert _intake(patient).answers["weekly_distance"] == 321.87


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("system", "field", "longest", "too_far", "message", "stored"),
    [
        ("us", "weekly_distance-mi", "250", "251", "Enter a distance of 250 miles or less", 402.34),
        ("metric", "weekly_distance", "400", "401", "Enter a distance of 400 km or less", 400),
    ],
)
def test_the_longest_weekly_distance_a_runner_may_type_is_400_km_or_250_miles(
    patient, settings, system, field, longest, too_far, message, stored
):
    """The document's caps, each in its own unit; a US runner could type at most 248 miles (400 km) until stop 32."""
    settings.CLINIC_UNITS = system
    answer_up_to(patient, "running", routine_answers())
    data = {"running_status": "running", "runs_per_week": "14", "training_changes": "none"}

    refused = patient.client.post("/intake/step/running/", {**data, field: too_far})
    saved = patient.client.post("/intake/step/running/", {**data, field: longest})

    assert refused.status_code == 200
    assert message in refused.content.decode()
    assert saved.status_code == 302
    assert _intake(patient).answers["weekly_distance"] == stored


@pytest.mark.django_db
def test_the_review_page_shows_measurements_in_the_clinics_units(patient):
    patient.answer_all(routine_answers(height_cm=177.8, weight_kg=72.57, weekly_distance=32.19))
    html = patient.client.get("/intake/review/").content.decode()
    assert '<dd class="summary-value">5 ft 10 in</dd>' in html
    assert '<dd class="summary-value">160 lb</dd>' in html
    assert '<dd class="summary-value">20 miles</dd>' in html


NAME = "The date your back pain started"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message", "anchor"),
    [
        ({"month": "", "day": "", "year": ""}, "Please answer this question.", "month"),
        ({"month": "", "day": "4", "year": "2026"}, f"{NAME} must include a month", "month"),
        ({"month": "3", "day": "", "year": ""}, f"{NAME} must include a day and year", "day"),
        ({"month": "2", "day": "30", "year": "2026"}, f"{NAME} must be a real date", "month"),
        ({"month": "13", "day": "1", "year": "2026"}, f"{NAME} must be a real date", "month"),
        ({"month": "3", "day": "1", "year": "26"}, "Year must include 4 numbers", "year"),
        ({"month": "1", "day": "1", "year": "2999"}, f"{NAME} must be today or in the past", "month"),
        ({"month": "1", "day": "1", "year": "1980"}, f"{NAME} must be on or after your date of birth", "month"),
    ],
)
def test_a_date_in_three_boxes_gets_the_govuk_messages(patient, typed, message, anchor):
    answer_up_to(patient, "back_pain", routine_answers())
    data = {f"pain_start_date-{part}": value for part, value in typed.items()}
    response = patient.client.post("/intake/step/back_pain/", {**data, "onset_cause": "running", "first_episode": "no"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_pain_start_date-{anchor}">{message}</a>' in html


@pytest.mark.django_db
def test_a_us_clinic_orders_the_date_boxes_month_day_year_and_a_metric_one_day_month_year(patient, settings):
    answer_up_to(patient, "back_pain", routine_answers())
    html = patient.client.get("/intake/step/back_pain/").content.decode()
    assert html.index("pain_start_date-month") < html.index("pain_start_date-day") < html.index("pain_start_date-year")
    settings.CLINIC_UNITS = "metric"
    html = patient.client.get("/intake/step/back_pain/").content.decode()
    assert html.index("pain_start_date-day") < html.index("pain_start_date-month")
    started = timezone.localdate() - datetime.timedelta(days=30)
    data = {"pain_start_date-day": str(started.day), "pain_start_date-month": str(started.month)}
    data |= {"pain_start_date-year": str(started.year), "onset_cause": "running", "first_episode": "no"}
    assert patient.client.post("/intake/step/back_pain/", data).status_code == 302
    assert _intake(patient).answers["pain_start_date"] == started.isoformat()


# --- the birth-date check -------------------------------------------------------------------------------------------


def _open(client) -> tuple[Invitation, Patient]:
    invitation, token = make_invitation()
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.open_link()
    return invitation, patient


def _dob(patient: Patient, month: str, day: str, year: str):
    data = {"date_of_birth-month": month, "date_of_birth-day": day, "date_of_birth-year": year}
    return patient.client.post("/intake/confirm/", data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "day", "year", "message"),
    [
        ("", "", "", "Enter your date of birth"),
        ("", "27", "1985", "Date of birth must include a month"),
        ("27", "3", "1985", "Date of birth must be a real date"),  # typed day first: not a month, not a try
        ("3", "27", "85", "Year must include 4 numbers"),
        ("3", "27", "2999", "Date of birth must be in the past"),
        ("3", "27", "1885", "Date of birth must be in or after 1900"),
    ],
)
def test_a_birth_date_that_is_not_a_real_date_gets_a_message_and_does_not_use_up_a_try(
    client, month, day, year, message
):
    invitation, patient = _open(client)
    response = _dob(patient, month, day, year)
    assert response.status_code == 200
    assert message in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 0


@pytest.mark.django_db
def test_a_real_but_wrong_birth_date_uses_a_try_and_the_right_one_opens_the_form(client):
    invitation, patient = _open(client)
    html = _dob(patient, "3", "28", "1985").content.decode()
    assert "does not match our records" in html
    assert "You can try 4 more times." in html
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 1
    assert _dob(patient, "3", "27", "1985")["Location"] == "/intake/"


@pytest.mark.django_db
def test_the_birth_date_boxes_come_in_the_clinics_order_with_their_labels(client):
    _, patient = _open(client)
    html = patient.client.get("/intake/confirm/").content.decode()
    assert html.index('for="id_date_of_birth-month">Month') < html.index('for="id_date_of_birth-day">Day')
    assert 'autocomplete="bday-year"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("posted", ["1E30", "-1e400", "NaN", "tall", "99999999999"])
def test_a_stored_value_posted_that_no_box_can_show_comes_back_as_typed_with_a_message(patient, posted):
    answer_up_to(patient, "about", routine_answers())
    response = patient.client.post("/intake/step/about/", {"height_cm": posted})
    assert response.status_code == 200
    assert f'value="{posted}"' in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("10,5", "10.5"),  # a decimal comma, as Spanish writes it
        ("61,25", "61.25"),
        (",5", ".5"),
        ("1,250", "1250"),  # thousands
        ("12,000.5", "12000.5"),
        (" 20 ", "20"),
        ("0,250", "0.250"),  # a quarter, not 250 (review of the stop-32 commits)
        ("00,250", "00.250"),
        ("-10,5", "-10.5"),  # for the check that says a number cannot be negative
        ("-1,250", "-1250"),
        ("1,2,3", "1,2,3"),  # neither: left for the number check to refuse
        ("10.5,2", "10.5,2"),
    ],
)
def test_a_comma_in_a_typed_number_is_a_thousands_separator_only_where_it_can_be_one(typed, read):
    assert units.number_text(typed) == read


@pytest.mark.django_db
def test_a_spanish_runner_who_types_a_decimal_comma_gets_that_distance_not_ten_times_it(patient):
    """ "10,5" miles was saved as 105 miles with no message, and reached the triage's mileage rule and the articles
    picked (the stop-32 audit of the patient pages)."""
    answer_up_to(patient, "running", routine_answers())
    data = {"running_status": "running", "runs_per_week": "4", "training_changes": "none", "weekly_distance-mi": "10,5"}

    assert patient.client.post("/intake/step/running/", data).status_code == 302

    assert _intake(patient).answers["weekly_distance"] == 16.9  # 10.5 miles, in km


@pytest.mark.parametrize(
    ("measure", "typed", "stored"),
    [
        ("height", {"ft": "5'10\".", "in": ""}, D("177.80")),
        ("height", {"ft": "5\u201910\u201d.", "in": ""}, D("177.80")),
        ("weight", {"lb": "160."}, D("72.57")),
        ("walk", {"yd": "200."}, D("182.88")),
    ],
)
def test_a_measurement_ending_its_sentence_with_a_period_is_read_as_without_it(measure, typed, stored):
    """A period after a letter was dropped ("160 lbs."), but not one after a number or a quote mark: "160." and
    5'10". got "Enter your weight in pounds, like 160" or "... like 5 feet 10 inches"."""
    bounds = {"height": (D(50), D(250)), "weight": (D(20), D(350))}.get(measure, (D(0), D(50_000)))
    assert units.to_stored(measure, "us", typed, minimum=bounds[0], maximum=bounds[1]) == stored


def test_a_walking_distance_with_a_dot_before_three_digits_and_a_final_period_is_still_refused():
    with pytest.raises(units.UnitError) as problem:
        units.to_stored("walk", "us", {"yd": "1.500."}, minimum=D(0), maximum=D(50_000))
    assert str(problem.value.message) == "Type the distance without a dot or comma, like 1500"
