""" "Exit" is on the receipt too (every patient page has it: a shared phone). After sending, the exit page told the
patient "To carry on, open the link we sent you again and enter your date of birth. You will start where you left
off." Doing just that gave "This link does not work" (a used link is refused to every browser but the one that sent
it, and "Exit" made this browser a stranger): a dead end, and a patient left wondering whether the answers arrived
(the stop-34 audit). Now the page says the answers reached the clinic."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db

COME_BACK = "open the link we sent you again"


def test_exit_from_the_receipt_says_the_answers_were_sent_not_to_open_the_link_again(patient):
    patient.save_all(routine_answers())
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"

    left = patient.client.post("/intake/exit/")  # the header's "Exit", pressed on the receipt
    exit_page = patient.client.get(left["Location"]).content.decode()

    assert "Your answers were sent to the clinic. This browser will not show them again." in exit_page
    assert COME_BACK not in exit_page
    assert patient.open_link().status_code == 404  # the link opens nothing after sending, as the page no longer hides


def test_exit_before_sending_still_says_how_to_come_back(patient):
    left = patient.client.post("/intake/exit/")
    exit_page = patient.client.get(left["Location"]).content.decode()
    assert COME_BACK in exit_page
    assert "Your answers were sent" not in exit_page
    assert patient.open_link().status_code == 302  # and the link does open again


def test_exit_after_sending_is_said_in_spanish(patient):
    patient.save_all(routine_answers())
    patient.client.post("/intake/review/")
    patient.client.cookies["django_language"] = "es"
    left = patient.client.post("/intake/exit/")
    exit_page = patient.client.get(left["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Sus respuestas se enviaron a la clínica." in exit_page


def test_exit_from_a_receipt_left_open_past_the_idle_limit_still_says_the_answers_were_sent(patient, settings):
    """Review of the stop-34 commits: the sent form was read only from a session still within its idle limit."""
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        patient.save_all(routine_answers())
        assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
        assert patient.client.get("/intake/done/").status_code == 200

        clock.shift(datetime.timedelta(minutes=61))  # reading the receipt and its articles
        left = patient.client.post("/intake/exit/")
        exit_page = patient.client.get(left["Location"]).content.decode()

    assert COME_BACK not in exit_page  # the link opens nothing now: a dead end
    assert "Your answers were sent to the clinic" in exit_page
