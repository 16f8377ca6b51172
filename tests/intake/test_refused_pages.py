"""A question page refused before its view (the rate limit reached, the CSRF check failed) with a red-flag answer on
it: the answer is taken when the request is the patient's own, and the emergency advice is given either way
(intake.refused_posts). Before stop 31 both got the plain refusal page and the yes was lost."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client

from intake.models import Intake, Level, RedFlagAnswer
from tests.intake.conftest import Patient
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db

SADDLE_YES = routine_answers(ce_saddle_numbness="yes")


@pytest.fixture
def one_post_allowed(settings):
    """The patient's own rate: one post per ten minutes (the consent, made before, is the first)."""
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], "patient_rate": "1/10m"}]
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


def test_a_red_flag_past_the_rate_limit_is_taken_with_the_advice(patient, one_post_allowed, alert_calls):
    assert patient.post_step("safety", routine_answers()).status_code == 302  # the one post allowed

    response = patient.post_step("safety", SADDLE_YES)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "We have added what you told us about warning signs to your form and told the clinic." in body
    added = body.split("The answers we added:")[1].split("</ul>")[0]  # the rest of the page waits: say what did not
    assert "saddle area" in added
    assert "Yes" in added
    assert "The rest of this page was not saved." in body
    intake = _intake(patient)
    assert intake.level == Level.URGENT
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert alert_calls == [(intake.pk, Level.URGENT, None)]


def test_an_ordinary_page_past_the_rate_limit_gets_the_plain_page_and_nothing_is_saved(patient, one_post_allowed):
    assert patient.post_step("safety", routine_answers()).status_code == 302
    before = _intake(patient).answers

    response = patient.post_step("safety", routine_answers(ce_wiping_sensation="no"))

    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many tries from your connection" in body
    assert "Get medical help now" not in body
    assert _intake(patient).answers == before


def test_a_red_flag_refused_by_the_csrf_check_gets_the_advice_and_is_not_stored(patient):
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = patient.client.cookies  # the patient's session, but the page's token is missing

    response = checked.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})

    assert response.status_code == 403
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "That form could not be sent" in body
    assert "Go back, reload the page, and send it again." in body
    assert "told the clinic" not in body  # nothing was taken, and the page does not say it was
    intake = _intake(patient)
    assert intake.level is None
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()


def test_an_ordinary_page_refused_by_the_csrf_check_gets_the_plain_page(patient):
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = patient.client.cookies

    response = checked.post("/intake/step/safety/", {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no"})

    assert response.status_code == 403
    body = response.content.decode()
    assert "Please reload the page" in body
    assert "Get medical help now" not in body


def test_the_refused_page_is_in_spanish_for_a_spanish_speaking_patient(patient, one_post_allowed, settings):
    patient.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert patient.post_step("safety", routine_answers()).status_code == 302

    body = patient.post_step("safety", SADDLE_YES).content.decode()

    assert 'lang="es"' in body
    assert "Busque ayuda médica ahora" in body
    assert "Hemos agregado a su formulario lo que nos dijo sobre las señales de alarma" in body


def test_a_red_flag_past_the_rate_limit_from_a_page_the_form_no_longer_has_lists_the_answer_taken(
    patient, one_post_allowed
):
    """A page of an older version of the form (its address names no page now): its yes is taken as from the page
    that asks it now, and the page lists it among the answers added, as for a page the form has."""
    assert patient.post_step("safety", routine_answers()).status_code == 302  # the one post allowed

    response = patient.client.post("/intake/step/a_page_no_longer_asked/", {"ce_saddle_numbness": "yes"})

    assert response.status_code == 429
    body = response.content.decode()
    assert "We have added what you told us about warning signs to your form and told the clinic." in body
    added = body.split("The answers we added:")[1].split("</ul>")[0]
    assert "saddle area" in added
    assert RedFlagAnswer.objects.filter(intake=_intake(patient), code="ce_saddle_numbness").exists()
