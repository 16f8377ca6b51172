"""What a screen reader hears first: a page sent back with a mistake says "Error:" at the start of its title, on every
patient page with an error summary (WCAG 2.4.2, 3.3.1), and the step's progress bar says the step it shows (WCAG
4.1.2; the accessibility audit of stop 33)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.services import invitations as links
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return " ".join(found.group(1).split())


def test_the_emergency_page_sent_back_without_its_box_ticked_says_error_in_its_title(patient, alert_calls):
    assert patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"}).status_code == 302
    emergency = reverse("intake:emergency")
    assert _title(patient.client.get(emergency).content.decode()).startswith("Get medical help now")
    page = patient.client.post(emergency, {}).content.decode()
    assert "error-summary" in page
    assert _title(page).startswith("Error: Get medical help now")


def test_the_code_page_after_a_wrong_code_says_error_in_its_title(patient):
    answer_up_to(patient, "back_pain", routine_answers())
    links.email_new_link(
        patient.invitation, email=patient.invitation.email, appointment_at=patient.invitation.appointment_at,
        now=timezone.now(),
    )  # fmt: skip
    from django.core import mail

    token = re.search(r"/intake/start/([^/\s]+)/", str(mail.outbox[-1].body))
    assert token is not None
    phone = Patient(Client(), token.group(1))
    phone.open_link()
    assert phone.confirm()["Location"] == "/intake/code/"
    assert not _title(phone.client.get("/intake/code/").content.decode()).startswith("Error:")
    assert _title(phone.client.post("/intake/code/", {"code": "0000000"}).content.decode()).startswith("Error: ")


def test_the_progress_bar_says_the_step_and_runs_from_zero_as_it_is_drawn(patient):
    page = patient.client.get("/intake/", follow=True).content.decode()
    bar = re.search(r'<div class="progress[^"]*" role="progressbar"[^>]*>', page)
    assert bar is not None
    assert 'aria-valuemin="0"' in bar.group(0)
    assert 'aria-valuenow="1"' in bar.group(0)
    assert re.search(r'aria-valuetext="Step 1 of \d+"', bar.group(0))
