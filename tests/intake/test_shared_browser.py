"""Two patients' forms in one browser (a family's tablet): a page of the first, left open in a tab, sent after the
second patient opened their own link there, is not taken into the second's form, in time or after the idle hour;
its red-flag answers go into the first patient's own form, and the page says to open one's own link again (found by
reviews in stop 27: A's red flag landed on B's intake; then it was dropped)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from intake.models import Intake
from tests.intake.conftest import Patient
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db


def _two_patients_one_browser(client) -> tuple[str, Patient, Patient]:
    """A's safety page as A's tab holds it (its `whose` tag), then B signed in and agreed in the same browser."""
    invitation_a, token_a = make_invitation(email="a@example.org")
    a = Patient(client, token_a).sign_in()
    a.invitation = invitation_a
    a.agree()
    page_a = client.get("/intake/step/safety/").content.decode()
    whose_a = re.search(r'name="whose" value="([^"]+)"', page_a)
    assert whose_a is not None
    invitation_b, token_b = make_invitation(email="b@example.org", date_of_birth=datetime.date(1990, 6, 1))
    b = Patient(client, token_b)
    b.invitation = invitation_b
    b.open_link()
    assert b.confirm("1990-06-01").status_code == 302
    b.agree()
    return whose_a.group(1), a, b


def test_a_page_of_another_patients_form_is_not_taken_into_this_one(client, alert_calls):
    whose_a, a, b = _two_patients_one_browser(client)
    response = client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose_a})
    assert response.status_code == 409
    page = response.content.decode()
    assert "This page is from another form" in page
    assert "cauda equina syndrome" in page  # the advice for what was sent
    assert 'id="session-timer"' not in page  # it does not keep B's form open
    assert "ce_saddle_numbness" not in Intake.objects.get(invitation=b.invitation).answers
    a_intake = Intake.objects.get(invitation=a.invitation)
    assert a_intake.answers["ce_saddle_numbness"] == "yes"  # A's red flag, in A's form
    assert [call[0] for call in alert_calls] == [a_intake.pk]
    # B's own page is taken as ever.
    own = re.search(r'name="whose" value="([^"]+)"', client.get("/intake/step/safety/").content.decode())
    assert own is not None
    client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": own.group(1)})
    assert Intake.objects.get(invitation=b.invitation).answers["ce_saddle_numbness"] == "yes"


def test_nor_after_the_idle_hour(client, settings, alert_calls):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    whose_a, a, b = _two_patients_one_browser(client)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61), tick=False):
        response = client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose_a})
    assert response.status_code == 409
    assert "ce_saddle_numbness" not in Intake.objects.get(invitation=b.invitation).answers
    assert Intake.objects.get(invitation=a.invitation).answers["ce_saddle_numbness"] == "yes"
    assert len(alert_calls) == 1


def test_a_tag_that_does_not_verify_is_ignored_and_the_page_taken_as_ever(client):
    _whose_a, _a, b = _two_patients_one_browser(client)
    client.post("/intake/step/safety/", {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no", "whose": "forged"})
    assert Intake.objects.get(invitation=b.invitation).answers["ce_saddle_numbness"] == "no"
