"""The number staff call (docs/clinical/INTAKE.md, "About you": `phone`, required, prefilled from the invitation,
stored in E.164): offered from the clinic's record, typed any usual way, checked, and the one the queue shows."""

from __future__ import annotations

import pytest
from django.test import Client

from intake.models import Intake, Patient
from intake.rules import phone_numbers
from intake.rules.questionnaire_checks import MSG_NOT_A_PHONE
from tests.intake.conftest import Patient as Browser
from tests.intake.conftest import answer_up_to
from tests.intake.factories import make_invitation, routine_answers

ABOUT = "/intake/step/about/"


def _browser_with_phone_on_file(client: Client, phone: str) -> Browser:
    invitation, token = make_invitation(phone=phone)
    browser = Browser(client, token)
    browser.invitation = invitation
    browser.sign_in()
    assert browser.agree().status_code == 302
    answer_up_to(browser, "about", routine_answers())
    return browser


def _about_answers(**changes: str) -> dict[str, str]:
    return {"sex": "female", "height_cm-ft": "5", "height_cm-in": "6", "weight_kg-lb": "135", **changes}


def _intake(browser: Browser) -> Intake:
    return Intake.objects.get(invitation=browser.invitation)


@pytest.mark.django_db
def test_the_about_page_offers_the_number_on_file_in_a_phone_box(client):
    browser = _browser_with_phone_on_file(client, "+12015550188")
    html = browser.client.get(ABOUT).content.decode()
    assert '<label class="form-label question-label" for="id_phone">What phone number can we call you on?' in html
    assert 'value="(201) 555-0188"' in html
    assert 'type="tel" autocomplete="tel"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["(201) 555-0123", "201.555.0123", "2015550123", "+1 201 555 0123"])
def test_a_number_typed_any_usual_way_is_stored_whole_and_becomes_the_one_staff_call(client, typed):
    browser = _browser_with_phone_on_file(client, "+12015550188")
    assert browser.client.post(ABOUT, _about_answers(phone=typed)).status_code == 302
    intake = _intake(browser)
    assert intake.answers["phone"] == "+12015550123"
    assert Patient.objects.get(pk=intake.patient_id).phone.as_e164 == "+12015550123"  # the queue's number


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["555-0123", "12345", "call me", "201-555-01234"])
def test_a_wrong_number_gets_a_message_by_its_box_keeps_what_was_typed_and_saves_nothing(client, typed):
    browser = _browser_with_phone_on_file(client, "+12015550188")
    response = browser.client.post(ABOUT, _about_answers(phone=typed))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_phone">{MSG_NOT_A_PHONE}</a>' in html  # the summary links to the box
    assert f'value="{typed}"' in html
    assert 'value="135"' in html  # the other answers stay on the page
    intake = _intake(browser)
    assert "phone" not in intake.answers  # nothing of the page is saved
    assert "weight_kg" not in intake.answers
    assert Patient.objects.get(pk=intake.patient_id).phone.as_e164 == "+12015550188"


@pytest.mark.django_db
def test_a_patient_with_no_number_on_file_must_give_one(patient):
    answer_up_to(patient, "about", routine_answers())
    assert 'id="id_phone" value=""' in patient.client.get(ABOUT).content.decode()
    response = patient.client.post(ABOUT, _about_answers())
    assert response.status_code == 200
    assert '<a href="#id_phone">Please answer this question.</a>' in response.content.decode()


@pytest.mark.django_db
def test_the_review_page_shows_the_number_as_people_write_it(client):
    browser = _browser_with_phone_on_file(client, "+12015550188")
    browser.answer_all(routine_answers(phone="+12015550123"))
    assert "(201) 555-0123" in browser.client.get("/intake/review/").content.decode()


@pytest.mark.django_db
def test_an_intake_started_before_the_form_asked_for_a_number_is_sent_back_to_that_page(client):
    browser = _browser_with_phone_on_file(client, "+12015550188")
    browser.save_all(routine_answers())
    intake = _intake(browser)
    older = {code: value for code, value in intake.answers.items() if code != "phone"}  # answered before 2027.1's phone
    Intake.objects.filter(pk=intake.pk).update(answers=older)
    response = browser.client.post("/intake/review/")
    assert response["Location"].startswith(ABOUT)
    assert _intake(browser).status == Intake.Status.IN_PROGRESS
    # The page says what it is waiting for, next to the box.
    assert (
        '<a href="#id_phone">Please answer this question.</a>'
        in browser.client.get(response["Location"]).content.decode()
    )


def test_numbers_are_read_in_the_clinics_country_unless_they_start_with_a_plus():
    assert phone_numbers.as_e164("(201) 555-0123", "US") == "+12015550123"
    assert phone_numbers.as_e164("020 7946 0958", "GB") == "+442079460958"
    assert phone_numbers.as_e164("+44 20 7946 0958", "US") == "+442079460958"
    assert phone_numbers.as_e164("020 7946 0958", "US") is None
    assert phone_numbers.as_e164("  ", "US") is None


def test_only_a_whole_stored_number_is_callable_and_it_is_shown_as_its_country_writes_it():
    assert phone_numbers.is_callable("+12015550123")
    assert not phone_numbers.is_callable("2015550123")  # stored numbers are E.164
    assert not phone_numbers.is_callable("+1555")
    assert not phone_numbers.is_callable(None)
    assert phone_numbers.shown("+12015550123", "US") == "(201) 555-0123"
    assert phone_numbers.shown("+442079460958", "US") == "+44 20 7946 0958"
    assert phone_numbers.shown("+12015550123") == "+1 201-555-0123"
    assert phone_numbers.shown("call me", "US") == "call me"
