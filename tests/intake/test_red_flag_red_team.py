"""Red-team sequences against the promise that a red-flag answer is never lost (docs/clinical/TRIAGE.md, "Latched red
flags and partial pages"): what a patient's browser can send that every other test leaves out."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from intake.models import Intake, Level, RedFlagAnswer
from tests.intake.conftest import Patient

pytestmark = pytest.mark.django_db


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


@pytest.fixture
def alert_times_out_once(monkeypatch) -> list[int]:
    """The statement that queues the staff alert times out once (a locked task table, a slow database), then works:
    the intake ids alerted."""
    from alerts import services as alert_services

    alerted: list[int] = []
    failures = [OperationalError("canceling statement due to statement timeout")]

    def alert(intake, *, previous_level, reopened=False):
        if failures:
            raise failures.pop()
        alerted.append(intake.pk)

    monkeypatch.setattr(alert_services, "intake_level_changed", alert)
    return alerted


def test_a_cauda_equina_yes_whose_alert_times_out_gets_the_advice_and_is_taken_when_sent_again(
    patient, alert_times_out_once
):
    patient.client.raise_request_exception = False

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})

    # Nothing is half-saved: the answer, its latch and the alert go together or not at all ...
    assert response.status_code == 503
    intake = _intake(patient)
    assert intake.level is None
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    # ... but the page the patient sees says what the answer calls for, not only "wait a minute, then try again".
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "cauda equina syndrome" in body
    assert "told the clinic" not in body  # it was not
    assert "Our team has been told" not in body
    assert body.count("<h1") == 1  # the advice's heading is the page's one main heading
    assert '<input type="hidden" name="ce_saddle_numbness" value="yes">' in body  # "Try again" still sends it

    again = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})

    assert again["Location"] == "/intake/important/"
    intake = _intake(patient)
    assert intake.level == Level.URGENT
    assert alert_times_out_once == [intake.pk]


def test_an_ordinary_page_whose_save_times_out_gets_the_plain_busy_page(patient, monkeypatch):
    from intake import services

    def times_out(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(services, "save_page", times_out)
    patient.client.raise_request_exception = False

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no"})

    assert response.status_code == 503
    body = response.content.decode()
    assert "The portal is busy for a moment" in body
    assert "Get medical help now" not in body


def test_a_cauda_equina_yes_on_a_page_that_crashes_gets_the_advice_on_the_error_page(patient, monkeypatch):
    from intake import services

    def crashes(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "record_red_flags", crashes)
    patient.client.raise_request_exception = False

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "not_sure"})

    assert response.status_code == 500
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "Something went wrong on our side" in body
    assert body.count("<h1") == 1
