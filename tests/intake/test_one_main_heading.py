"""Every patient page has one main heading (<h1>), even where the emergency advice (its own "Get medical help now"
heading, templates/intake/_emergency_message.html) or the call-back promise comes before the page's own: a screen
reader's list of headings starts with what matters most, and the page's own heading is the next level down."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from intake.trusted_devices import DEVICE_COOKIE
from tests.intake.conftest import Patient
from tests.intake.factories import BIRTH_DATE, routine_answers
from tests.intake.test_way_back_in import switch_language

pytestmark = pytest.mark.django_db

URGENT = {"ce_urine_start_difficulty": "yes", "ce_onset": "getting_worse"}
LATE = datetime.timedelta(minutes=61)


def main_headings(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", found).split()) for found in re.findall(r"<h1\b.*?</h1>", html, re.S)]


def answers(**changes: object) -> dict[str, object]:
    return routine_answers(**{"long_term_steroids": "no", "hands_clumsy": "no", "balance_worse": "no", **changes})


def sent(patient: Patient, given: dict[str, object]) -> Patient:
    patient.answer_all(given)
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    return patient


def test_the_urgent_receipt_and_its_copy_each_have_one_main_heading(patient):
    sent(patient, answers(**URGENT))
    for address in ("/intake/done/", "/intake/done/answers/"):
        page = patient.client.get(address).content.decode()
        assert "Get medical help now" in page
        assert main_headings(page) == ["Get medical help now"], address


def test_the_copy_of_a_serious_intake_has_the_call_back_promise_as_its_one_main_heading(patient):
    sent(patient, answers(weight_loss="yes"))
    headings = main_headings(patient.client.get("/intake/done/answers/").content.decode())
    assert len(headings) == 1, headings
    assert "A clinician will call you" in headings[0]


def test_the_copy_of_a_routine_intake_keeps_your_answers_as_its_main_heading(patient):
    sent(patient, answers())
    assert main_headings(patient.client.get("/intake/done/answers/").content.decode()) == ["Your answers"]


def test_the_emergency_page_has_one_main_heading(patient):
    patient.post_step("safety", {"ce_saddle_numbness": "yes"})
    assert main_headings(patient.client.get("/intake/important/").content.decode()) == ["Get medical help now"]


def test_the_pages_after_a_red_flag_sent_late_have_one_main_heading(patient, settings):
    """The birth-date page after a form left idle; the code page, when this browser needs a code and the patient
    switches language to read the advice again (the advice is given once more then)."""
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        confirm = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"}, follow=True)
        assert main_headings(confirm.content.decode()) == ["Get medical help now"]

        del patient.client.cookies[DEVICE_COOKIE]  # this browser is no longer trusted with the answers
        assert patient.confirm(BIRTH_DATE.isoformat())["Location"] == "/intake/code/"
        code = patient.client.get("/intake/code/")
        page, _next = switch_language(patient.client, code, "en")
        html = page.content.decode()
        assert "Enter the code from your email" in html
        assert main_headings(html) == ["Get medical help now"]


def test_a_red_flag_page_sent_after_the_form_was_sent_has_one_main_heading(patient):
    tab = patient.client.get("/intake/step/safety/").content.decode()
    whose = re.search(r'name="whose" value="([^"]+)"', tab)
    assert whose is not None
    sent(patient, routine_answers())
    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose.group(1)})
    html = response.content.decode()
    assert "Your form was already sent" in html
    assert main_headings(html) == ["Get medical help now"]


def test_a_red_flag_page_sent_after_exit_has_one_main_heading(patient):
    tab = patient.client.get("/intake/step/safety/").content.decode()
    whose = re.search(r'name="whose" value="([^"]+)"', tab)
    assert whose is not None
    patient.client.post("/intake/exit/")
    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose.group(1)})
    html = response.content.decode()
    assert "Your form is closed on this phone or computer" in html
    assert main_headings(html) == ["Get medical help now"]


def test_a_red_flag_page_refused_by_the_security_check_has_one_main_heading(patient):
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = patient.client.cookies
    html = checked.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"}).content.decode()
    assert "That form could not be sent" in html
    assert main_headings(html) == ["Get medical help now"]
