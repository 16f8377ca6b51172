"""The warning before an idle session ends, and its button (WCAG 2.2.1, Timing Adjustable): a signed-in page says
how long the session has left, "Stay signed in" starts the idle clock again, and nothing reopens a session already
past its limit. The patient's form the same, with "I'm still here".
(The dialog itself: tests/browser/test_session_timer.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from tests.intake.conftest import Patient
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def _seconds_left(html: str) -> int | None:
    found = re.search(r'data-seconds-left="(\d+)"', html)
    return int(found.group(1)) if found else None


def test_a_signed_in_page_carries_the_warning_with_the_time_left_and_a_public_page_does_not(client, front_desk):
    assert 'id="session-timer"' not in client.get("/").content.decode()
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        client.get("/staff/queue/")
        clock.shift(dt.timedelta(minutes=10))
        html = client.get("/staff/queue/").content.decode()
    assert _seconds_left(html) == 30 * 60  # the page itself was a request: the full idle time from now
    assert "Stay signed in" in html
    assert 'data-still-here-url="/staff/still-here/"' in html


def test_the_time_left_counts_the_limit_in_all_when_that_comes_first(client, front_desk, settings):
    settings.STAFF_SESSION_MAX_HOURS = 1
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        for _ in range(2):  # a page every 25 minutes
            client.get("/staff/queue/")
            clock.shift(dt.timedelta(minutes=25))
        html = client.get("/staff/queue/").content.decode()  # 50 minutes in: 10 left of the hour
    assert _seconds_left(html) == 10 * 60


def test_stay_signed_in_starts_the_idle_clock_again(client, front_desk):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        client.get("/staff/queue/")
        clock.shift(dt.timedelta(minutes=29))  # the warning is up; the person presses the button
        answer = client.post("/staff/still-here/")
        assert answer.status_code == 200
        assert answer.json() == {"seconds_left": 30 * 60}
        clock.shift(dt.timedelta(minutes=29))  # 58 minutes after the last page: still signed in
        assert client.get("/staff/queue/").status_code == 200


def test_stay_signed_in_after_the_limit_does_not_reopen_the_session(client, front_desk):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        client.get("/staff/queue/")
        clock.shift(dt.timedelta(minutes=31))
        answer = client.post("/staff/still-here/")
        assert answer.status_code == 302  # to the sign-in page: the session ended on this request
        assert client.get("/staff/queue/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_admin_pages_carry_the_warning_too(client, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert _seconds_left(html) is not None
    assert 'src="/static/js/session-timer' in html or "js/session-timer" in html


# --- The patient's form --------------------------------------------------------------------------------------------


def _patient(client) -> Patient:
    _invitation, token = make_invitation()
    patient = Patient(client, token).sign_in()
    patient.agree()
    return patient


def test_the_patients_form_carries_the_warning_and_im_still_here_keeps_it_open(client, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as clock:
        patient = _patient(client)
        html = patient.client.get("/intake/step/safety/").content.decode()
        assert _seconds_left(html) == 3600
        assert "Are you still there?" in html
        assert 'data-still-here-url="/intake/still-here/"' in html

        clock.shift(dt.timedelta(minutes=59))
        answer = patient.client.post("/intake/still-here/")
        assert answer.json() == {"seconds_left": 3600}
        clock.shift(dt.timedelta(minutes=59))  # 118 minutes after the last page
        page = patient.client.get("/intake/step/safety/")
    assert page.status_code == 200
    assert "data-intake-step" in page.content.decode()


def test_each_patient_page_fills_in_its_own_time_left_and_csrf_token(settings):
    """The dialog is rendered once per language (intake/templatetags/intake_session_timer.py); its two values are
    each page's own: the seconds this form has left, and the CSRF token its "I'm still here" posts with."""
    from django.test import Client

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as clock:
        first = _patient(Client())
        clock.shift(dt.timedelta(seconds=30))  # under a minute: the first form's page does not start its clock again
        second = _patient(Client())
        pages = [patient.client.get("/intake/step/safety/").content.decode() for patient in (first, second)]
    assert [_seconds_left(html) for html in pages] == [3570, 3600]
    tokens = [re.findall(r'data-csrf-token="([^"]+)"', html) for html in pages]
    forms = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[:1] for html in pages]
    assert tokens == forms
    assert tokens[0] != tokens[1]
    assert all(len(found) == 1 for found in tokens)
    assert not any("7c1e" in html for html in pages)  # no marker left unfilled


def test_im_still_here_after_the_form_closed_does_not_reopen_it(client, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as clock:
        patient = _patient(client)
        clock.shift(dt.timedelta(minutes=61))
        answer = patient.client.post("/intake/still-here/")
        assert answer.status_code == 404
        assert patient.client.get("/intake/step/safety/")["Location"] == "/intake/confirm/"


def test_the_birth_date_page_has_no_warning_and_still_here_there_keeps_nothing_open(client):
    _invitation, token = make_invitation()
    patient = Patient(client, token)
    patient.open_link()
    assert 'id="session-timer"' not in client.get("/intake/confirm/").content.decode()
    assert client.post("/intake/still-here/").status_code == 404
