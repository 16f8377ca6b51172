"""A fall as the cause of the pain ("A fall, crash or blow", `onset_cause` = `fall_impact`) raises SP7, a possible
fracture (docs/clinical/TRIAGE.md). It is a red-flag answer as a yes is, so every way a page reaches the portal takes
it as it takes a yes: a page with a mistake on it (tests/intake/test_red_flag_pages.py), a page sent after the idle
hour, a page past the rate limit, a page of a form closed in this browser, and a page too large for Django to read
(intake.refused_posts); and it is latched as a yes is
(tests/intake/test_latched_fall.py). Before stop 36 none of them took it: they looked for yes answers alone, and the
fall was lost with the rest of the page."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone

from intake.models import Intake, Level
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db

# The back-pain page with the fall chosen and the start date left blank (a page that fails its own checks).
FALL_WITH_A_BLANK_DATE = {"onset_cause": "fall_impact", "first_episode": "no"}
LATE = datetime.timedelta(minutes=61)


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


def _assert_fall_taken(patient: Patient, alert_calls) -> None:
    intake = _intake(patient)
    assert intake.answers["onset_cause"] == "fall_impact"
    assert "SP7" in set(intake.flags.values_list("code", flat=True))
    assert intake.level == Level.SERIOUS
    assert alert_calls == [(intake.pk, Level.SERIOUS, None)]


def test_a_fall_sent_after_the_form_sat_idle_is_taken_at_once(patient, settings, alert_calls):
    answer_up_to(patient, "back_pain", routine_answers())
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        response = patient.client.post("/intake/step/back_pain/", FALL_WITH_A_BLANK_DATE)

        assert response["Location"] == "/intake/confirm/"  # the birth date first, as for any page sent late
        _assert_fall_taken(patient, alert_calls)


def test_a_fall_sent_past_the_rate_limit_is_taken(patient, settings, alert_calls):
    answer_up_to(patient, "back_pain", routine_answers())
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], "patient_rate": "1/10m"}]
    caches["ratelimit"].clear()
    try:
        assert patient.client.post("/intake/step/back_pain/", {}).status_code == 200  # the one post allowed
        response = patient.client.post("/intake/step/back_pain/", FALL_WITH_A_BLANK_DATE)

        assert response.status_code == 429
        assert "We have added what you told us about warning signs to your form and told the clinic." in (
            response.content.decode()
        )
        _assert_fall_taken(patient, alert_calls)
    finally:
        caches["ratelimit"].clear()


def test_a_fall_sent_from_a_tab_left_open_after_exit_is_taken(patient, alert_calls):
    answer_up_to(patient, "back_pain", routine_answers())
    page = patient.client.get("/intake/step/back_pain/").content.decode()
    whose = re.search(r'name="whose" value="([^"]+)"', page)
    assert whose is not None
    assert patient.client.post("/intake/exit/").status_code == 302

    response = patient.client.post("/intake/step/back_pain/", {**FALL_WITH_A_BLANK_DATE, "whose": whose.group(1)})

    assert response.status_code == 409  # "Your form is closed on this phone or computer"
    _assert_fall_taken(patient, alert_calls)


def _send_too_large(patient: Patient, data: dict[str, str], settings):
    """The page as a browser sends it (urlencoded), its text answer past a small DATA_UPLOAD_MAX_MEMORY_SIZE."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = urlencode({"onset_cause_other": "x" * 3000, **data})
    return patient.client.post("/intake/step/back_pain/", body, content_type="application/x-www-form-urlencoded")


def test_a_fall_sent_on_a_page_too_large_to_read_is_taken(patient, settings, alert_calls):
    answer_up_to(patient, "back_pain", routine_answers())

    response = _send_too_large(patient, FALL_WITH_A_BLANK_DATE, settings)

    assert response.status_code == 413
    assert "told the clinic" in response.content.decode()
    _assert_fall_taken(patient, alert_calls)


def test_a_fall_sent_too_large_from_a_tab_left_open_after_exit_is_taken(patient, settings, alert_calls):
    """The form tag is read from the body with the answers: the page goes into its own form."""
    answer_up_to(patient, "back_pain", routine_answers())
    whose = re.search(r'name="whose" value="([^"]+)"', patient.client.get("/intake/step/back_pain/").content.decode())
    assert whose is not None
    assert patient.client.post("/intake/exit/").status_code == 302

    response = _send_too_large(patient, {**FALL_WITH_A_BLANK_DATE, "whose": whose.group(1)}, settings)

    assert response.status_code == 413
    _assert_fall_taken(patient, alert_calls)
