"""A patient's way back into their form, from the stop-34 audit: the language switcher on pages drawn in answer to a
post (the locked page, the emergency advice from a closed form), the link tapped again while a one-time code is
awaited, a double tap on "Send a new code", and the same wrong birth date typed after reopening the link."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.models import DeviceCode
from tests.intake.factories import BIRTH_DATE, make_invitation

pytestmark = pytest.mark.django_db


def switch_language(client, page, language):
    """Press the language switcher on `page` (a response): post to its form, follow where it sends back."""
    html = page.content.decode()
    found = re.search(
        r'<form class="language-switcher[^"]*" method="post" action="([^"]+)"[^>]*>\s*'
        r'<input type="hidden" name="next" value="([^"]*)"',
        html,
    )
    assert found, "no language switcher on the page"
    action, next_path = found.group(1), found.group(2).replace("&amp;", "&")
    moved = client.post(action, {"language": language, "next": next_path})
    assert moved.status_code == 302, moved.status_code
    return client.get(moved["Location"], follow=True), next_path


def codes_sent() -> list[str]:
    found = (re.search(r"Your code is: ([0-9]{6})", str(message.body)) for message in mail.outbox)
    return [match.group(1) for match in found if match is not None]


def dob(day=BIRTH_DATE):
    return day.isoformat()


def test_switching_language_on_the_locked_page_shows_the_locked_page_in_spanish(client, settings):
    settings.INTAKE_MAX_IDENTITY_ATTEMPTS = 2
    _invitation, token = make_invitation()
    client.get(f"/intake/start/{token}/")
    assert client.post("/intake/confirm/", {"date_of_birth": "1970-01-01"}).status_code == 200
    locked = client.post("/intake/confirm/", {"date_of_birth": "1970-01-02"})
    assert locked.status_code == 403
    assert "Please call us" in locked.content.decode()

    page, _next = switch_language(client, locked, "es")

    html = page.content.decode()
    assert "Este enlace no funciona" not in html, "the bad-link page, not the locked page"
    assert "Llámenos, por favor" in html  # "Please call us", the locked page in Spanish


def _waiting_for_a_code(patient) -> Client:
    """A second browser of the same patient (answers already given on the first): birth date typed, code e-mailed."""
    other = Client()
    other.get(f"/intake/start/{patient.token}/")
    assert other.post("/intake/confirm/", {"date_of_birth": dob()})["Location"] == "/intake/code/"
    assert len(codes_sent()) == 1
    return other


def test_opening_the_link_again_while_a_code_is_awaited_returns_to_the_code_page(patient):
    other = _waiting_for_a_code(patient)

    again = other.get(f"/intake/start/{patient.token}/")

    assert again["Location"] == "/intake/code/", "asked for the birth date again"


def test_opening_the_link_again_while_a_code_is_awaited_keeps_the_code_in_the_inbox_working(patient):
    other = _waiting_for_a_code(patient)
    first_code = codes_sent()[0]

    # The patient taps the link in the invitation e-mail again (the way back from their mail app) and does what the
    # page asks of them, then types the code they were sent.
    page = other.get(f"/intake/start/{patient.token}/", follow=True)
    if "/intake/confirm/" in page.redirect_chain[-1][0]:
        other.post("/intake/confirm/", {"date_of_birth": dob()})
    typed = other.post("/intake/code/", {"code": first_code})

    assert (len(codes_sent()), DeviceCode.objects.count()) == (1, 1), "another code sent, of the 5 a day"
    assert typed.status_code == 302, "the code in the inbox no longer works"
    assert typed["Location"] == "/intake/"


def test_reopening_the_link_five_times_while_waiting_for_a_code_uses_up_the_days_codes(patient):
    other = _waiting_for_a_code(patient)
    for _ in range(5):
        other.get(f"/intake/start/{patient.token}/")
        other.post("/intake/confirm/", {"date_of_birth": dob()})

    page = other.get("/intake/code/").content.decode()

    assert "We have sent as many codes as we can today" not in page


def _safety_page_tag(patient) -> str:
    page = patient.client.get("/intake/step/safety/").content.decode()
    whose = re.search(r'name="whose" value="([^"]+)"', page)
    assert whose is not None
    return whose.group(1)


def test_switching_language_on_the_emergency_advice_after_exit_keeps_the_advice(patient):
    """Exit pressed, then saddle numbness sent from a tab still open: the page with the emergency advice (409). The
    patient (or whoever helps them) switches to Spanish to read it."""
    whose = _safety_page_tag(patient)
    patient.client.post("/intake/exit/")
    advice = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose})
    assert advice.status_code == 409
    assert "Get medical help now" in advice.content.decode()

    page, _next = switch_language(patient.client, advice, "es")

    html = page.content.decode()
    assert "Este enlace no funciona" not in html, "the bad-link page instead of the advice"
    assert "Busque ayuda médica ahora" in html  # "Get medical help now", in Spanish


def test_a_double_tap_on_send_a_new_code_sends_one_code(patient):
    """ "Send a new code" has no guard against a second tap (its form is not `data-once`, and the server sends
    whatever comes): two e-mails arrive seconds apart, the first one's code no longer works, and two of the day's five
    codes are gone."""
    other = _waiting_for_a_code(patient)
    other.post("/intake/code/", {"send_again": "1"})
    other.post("/intake/code/", {"send_again": "1"})  # the same button, a moment later

    assert DeviceCode.objects.count() == 2, "the first code, and one new one"


def test_the_same_wrong_birth_date_after_opening_the_link_again_counts_once(client):
    """README: "the same wrong date sent again from one browser, a double tap or a reload, counts once". The patient
    types a date the clinic has wrong (or in the wrong order), goes back to the e-mail, taps the link again and types
    the same date: a second try gone."""
    _invitation, token = make_invitation()
    client.get(f"/intake/start/{token}/")
    first = client.post("/intake/confirm/", {"date_of_birth": "1985-02-27"})
    assert "try 4 more times" in first.content.decode()

    client.get(f"/intake/start/{token}/")
    again = client.post("/intake/confirm/", {"date_of_birth": "1985-02-27"})

    assert "try 3 more times" not in again.content.decode(), "the same date, from the same browser, counted twice"
    assert "try 4 more times" in again.content.decode()


def test_switching_language_on_the_birth_date_page_with_emergency_advice_after_idle_keeps_the_advice(patient, settings):
    """A red flag sent from a form left idle: the birth-date page gives the advice once (a reload hides it, for the
    next person holding the phone). Switching language to read it took it away; now the switch right after gives it
    once more, in the language chosen."""
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61), tick=False):
        advice = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"}, follow=True)
        assert advice.redirect_chain[-1][0] == "/intake/confirm/"
        assert "Get medical help now" in advice.content.decode()

        page, _next = switch_language(patient.client, advice, "es")
        assert "Busque ayuda médica ahora" in page.content.decode()
        assert "Busque ayuda médica ahora" not in patient.client.get("/intake/confirm/").content.decode()  # once


def test_a_language_switch_long_after_the_advice_does_not_bring_it_back(patient, settings):
    """Minutes later the phone may be in someone else's hands: the advice stays given once."""
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61), tick=False) as clock:
        advice = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"}, follow=True)
        assert "Get medical help now" in advice.content.decode()
        clock.shift(datetime.timedelta(minutes=3))
        page, _next = switch_language(patient.client, advice, "es")
    assert "Busque ayuda médica ahora" not in page.content.decode()
