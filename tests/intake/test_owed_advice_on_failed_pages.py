"""Every page that gives the advice a browser is owed and settles it (intake/owed_emergency.py) keeps it for its own
request's error page, as the emergency page does: the birth-date page of a form left idle, and the owed-advice page of
a link that stopped working. A statement that fails after that in the same request (the session's save) answers the
error page, which must still give the advice: the page that would have given it never arrived."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.utils import timezone

pytestmark = pytest.mark.django_db

SADDLE_YES = {"ce_saddle_numbness": "yes"}


def test_a_birth_date_page_after_idle_whose_session_save_times_out_still_gives_the_cauda_equina_advice(
    patient, settings, monkeypatch
):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    patient.client.raise_request_exception = False
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        posted = patient.client.post("/intake/step/safety/", SADDLE_YES)
        assert posted["Location"] == "/intake/confirm/"

        def times_out(self, *args, **kwargs):
            raise OperationalError("canceling statement due to statement timeout")

        monkeypatch.setattr(SessionStore, "save", times_out)
        response = patient.client.get(posted["Location"])

    assert response.status_code == 503
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "numbness or tingling between my legs" in body


def test_the_owed_advice_page_whose_session_save_times_out_still_gives_the_cauda_equina_advice(
    patient, alert_calls, monkeypatch
):
    """The link was replaced between the red-flag answer's save and its emergency page: the guard answers with the
    advice owed (`owed_page`), taken from the session as it is shown; the session's save then timed out."""
    from intake import services

    patient.client.raise_request_exception = False
    posted = patient.client.post("/intake/step/safety/", SADDLE_YES)
    assert posted["Location"] == "/intake/important/"
    assert patient.invitation is not None
    services.renew_link(patient.invitation, send_email=False)  # staff's "Make a new link", before the redirect

    def times_out(self, *args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(SessionStore, "save", times_out)
    response = patient.client.get(posted["Location"])

    assert response.status_code == 503
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "numbness or tingling between my legs" in body
