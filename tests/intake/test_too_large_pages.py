"""A question page too large for Django to read (over DATA_UPLOAD_MAX_MEMORY_SIZE or DATA_UPLOAD_MAX_NUMBER_FIELDS)
with a red-flag answer on it: the answer is taken, as past the rate limit, when the page's CSRF token passes, and the
emergency advice is given either way (intake.refused_posts, clinic_portal.middleware.TooLargePatientPageMiddleware).
It used to get a plain 400, and the yes was lost. The limits are made small so the bodies stay small."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.test import Client

from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.questionnaire import page_by_slug
from tests.intake.conftest import Patient
from tests.intake.factories import post_data, routine_answers

pytestmark = pytest.mark.django_db

SADDLE_YES = routine_answers(ce_saddle_numbness="yes")
LIMIT = 2000


@pytest.fixture
def small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50


def _own_client(patient: Patient) -> tuple[Client, str]:
    """The patient's browser with the CSRF check on, and the token of its safety page."""
    own = Client(enforce_csrf_checks=True)
    own.cookies = patient.client.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', own.get("/intake/step/safety/").content.decode())
    assert token is not None
    return own, token.group(1)


def _page(answers: dict[str, object], token: str, **extra: object) -> dict[str, object]:
    # The long field first, so the answers come after it in the body.
    return {**extra, **post_data(page_by_slug("safety"), answers), "csrfmiddlewaretoken": token}


def _send(client: Client, data: dict[str, object]):
    """As a browser sends the page's form (no `enctype`: urlencoded; the test client's default is multipart)."""
    return client.post(
        "/intake/step/safety/", urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def _latched(patient: Patient) -> bool:
    intake = Intake.objects.get(invitation=patient.invitation)
    return RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()


def test_a_red_flag_on_a_page_too_large_to_read_is_taken_with_the_advice(patient, small_limits, alert_calls):
    own, token = _own_client(patient)

    response = _send(own, _page(SADDLE_YES, token, notes="x" * (3 * LIMIT)))

    assert response.status_code == 413
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "This page was too long to save" in body
    assert "We have added what you told us about warning signs to your form and told the clinic." in body
    added = body.split("The answers we added:")[1].split("</ul>")[0]
    assert "saddle" in added.lower()
    assert "make your longest answers shorter, and send the page again" in body
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level == Level.URGENT
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert _latched(patient)
    assert alert_calls == [(intake.pk, Level.URGENT, None)]


def test_a_red_flag_on_a_page_with_too_many_fields_is_taken(patient, small_limits, alert_calls):
    own, token = _own_client(patient)
    padding = {f"extra{number}": "1" for number in range(60)}

    response = _send(own, _page(SADDLE_YES, token, **padding))

    assert response.status_code == 413
    assert "told the clinic" in response.content.decode()
    assert _latched(patient)
    assert len(alert_calls) == 1


def test_a_page_too_large_with_a_bad_csrf_token_gets_the_advice_and_nothing_is_stored(patient, small_limits):
    own, _token = _own_client(patient)

    response = _send(own, _page(SADDLE_YES, "x" * 64, notes="x" * (3 * LIMIT)))

    assert response.status_code == 413
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "told the clinic" not in body
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level is None
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()


def test_a_page_too_large_without_a_red_flag_gets_the_plain_400_and_nothing_is_stored(patient, small_limits):
    own, token = _own_client(patient)
    before = Intake.objects.get(invitation=patient.invitation).answers

    response = _send(own, _page(routine_answers(), token, notes="x" * (3 * LIMIT)))

    assert response.status_code == 400
    assert "Get medical help now" not in response.content.decode()
    assert Intake.objects.get(invitation=patient.invitation).answers == before


def test_a_page_past_ten_times_the_limit_gets_the_plain_400_even_with_a_red_flag(patient, small_limits):
    own, token = _own_client(patient)

    response = _send(own, _page(SADDLE_YES, token, notes="x" * (10 * LIMIT)))

    assert response.status_code == 400
    assert not _latched(patient)


def test_the_too_large_page_is_in_spanish_for_a_spanish_speaking_patient(patient, small_limits, settings):
    own, token = _own_client(patient)
    own.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    body = _send(own, _page(SADDLE_YES, token, notes="x" * (3 * LIMIT))).content.decode()

    assert 'lang="es"' in body
    assert "Busque ayuda médica ahora" in body
    assert "Esta página era demasiado larga para guardarla" in body
    assert "Las respuestas que agregamos:" in body


def test_a_red_flag_on_a_page_too_large_past_the_rate_limit_is_taken(patient, small_limits, settings):
    """The rate limit answers first (it counts the page), and takes the same answers from the same bounded read."""
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], "patient_rate": "1/10m"}]
    caches["ratelimit"].clear()
    own, token = _own_client(patient)
    assert _send(own, _page(routine_answers(), token)).status_code == 302  # the one post allowed

    response = _send(own, _page(SADDLE_YES, token, notes="x" * (3 * LIMIT)))

    assert response.status_code == 429
    assert "told the clinic" in response.content.decode()
    assert _latched(patient)
    caches["ratelimit"].clear()


def test_a_red_flag_on_a_page_the_form_no_longer_has_too_large_to_read_is_taken_with_the_advice(
    patient, small_limits, alert_calls
):
    """A page of an older version of the form (its address names no page now), too large to read: its yes is taken
    as from the page that asks it now, with the advice. No form's page has its address, so no field of it was read
    and it got the plain 400, the yes lost."""
    own, token = _own_client(patient)

    response = own.post(
        "/intake/step/a_page_no_longer_asked/",
        urlencode({"notes": "x" * (3 * LIMIT), "ce_saddle_numbness": "yes", "csrfmiddlewaretoken": token}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "We have added what you told us about warning signs to your form and told the clinic." in body
    assert _latched(patient)


def test_a_cauda_equina_yes_on_a_page_too_large_whose_alert_times_out_still_gets_the_advice(
    patient, small_limits, monkeypatch
):
    """The red-flag answer of a page too large to read is taken in one transaction with its alert; the alert's
    statement timed out, and the answer is the 503 page, which must give the advice, as for a page of usual size.
    It read the page's answers again to find it, after the fields kept for the refused page were put away: Django's
    own reading met the size limit, and the page said only to wait and try again."""
    from django.db import OperationalError

    from alerts import services as alert_services

    def times_out(intake, *, previous_level, reopened=False):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(alert_services, "intake_level_changed", times_out)
    own, token = _own_client(patient)
    own.raise_request_exception = False

    response = _send(own, _page(SADDLE_YES, token, notes="x" * (3 * LIMIT)))

    assert response.status_code == 503
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "cauda equina syndrome" in body
    assert not _latched(patient)
