"""A patient with only a phone (no e-mail: their follow-up link and reminders come by text) who opens their answers
on another phone or computer gets the one-time code by text, to the number the link went to. Before stop 34 the code
went by e-mail only: the page said "We do not have an email address to send a code to ... call us", and nothing the
clinic could do let them in (the stop-34 audit of follow-ups)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from intake.models import Patient
from intake.rules.catalogue import FOLLOW_UP
from messaging import sms
from messaging.models import TextOptOut
from tests.intake.factories import BIRTH_DATE, follow_up_answers, follow_up_for, post_data, submitted_intake

pytestmark = pytest.mark.django_db

CODE = re.compile(r"your code is ([0-9]{6})")


@pytest.fixture
def texts(settings, monkeypatch) -> list:
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    return sms.outbox


def _open(client: Client, token: str):
    client.get(f"/intake/start/{token}/")
    return client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()})


def _started_on_a_phone(phone: str = "+15550100123") -> str:
    visit = submitted_intake()
    Patient.objects.filter(pk=visit.patient_id).update(phone=phone, email="")
    visit.refresh_from_db()
    invitation, token, _intake = follow_up_for(visit)
    assert invitation.email == ""
    first = Client()
    assert _open(first, token)["Location"] == "/intake/"
    page = FOLLOW_UP.page_by_slug("safety")
    assert first.post("/intake/step/safety/", post_data(page, follow_up_answers())).status_code == 302
    return token


def test_a_patient_with_only_a_phone_gets_the_code_by_text_and_gets_in(texts):
    token = _started_on_a_phone()
    other = Client()

    assert _open(other, token)["Location"] == "/intake/code/"

    page = other.get("/intake/code/").content.decode()
    assert "Enter the code from your text message" in page
    assert "ending in <strong>23</strong>" in page
    assert "+15550100123" not in page  # never the whole number
    assert [text.to for text in texts] == ["+15550100123"]
    code = CODE.search(texts[-1].body)
    assert code is not None
    assert other.post("/intake/code/", {"code": code.group(1)})["Location"] == "/intake/"


def test_a_number_that_asked_for_no_texts_gets_no_code(texts):
    token = _started_on_a_phone()
    TextOptOut.objects.create(number="+15550100123", at=timezone.now())
    other = Client()
    _open(other, token)
    page = other.get("/intake/code/").content.decode()
    assert "We do not have an email address or a phone number to send a code to." in page
    assert texts == []


def test_the_code_page_for_a_text_is_in_spanish(texts):
    token = _started_on_a_phone()
    other = Client()
    _open(other, token)
    other.cookies["django_language"] = "es"  # the language switcher's cookie
    page = other.get("/intake/code/").content.decode()
    assert "Escriba el código del mensaje de texto" in page
