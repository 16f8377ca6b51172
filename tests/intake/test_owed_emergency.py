"""A red-flag answer's emergency advice reaches the patient even when their link stops working between the save and
the emergency page (intake/owed_emergency.py): staff make a new link in those milliseconds, and the emergency page's
own request finds no form open in this browser. Before, the patient got "This link does not work"."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import Intake, Level
from tests.intake.conftest import Patient
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db

EMERGENCY = reverse("intake:emergency")
SADDLE_YES = {"ce_saddle_numbness": "yes"}
ADVICE = "Get medical help now"
CES = "cauda equina syndrome"
TOLD = "We have added what you told us about warning signs to your form and told the clinic."


def _post_red_flag_then_new_link(patient: Patient) -> str:
    response = patient.client.post("/intake/step/safety/", SADDLE_YES)
    assert response.status_code == 302
    assert response["Location"] == EMERGENCY
    assert patient.invitation is not None
    services.renew_link(patient.invitation, send_email=False)  # staff's "Make a new link", before the redirect
    return response["Location"]


def test_the_emergency_page_asked_for_after_the_link_changed_still_gives_the_advice(patient, alert_calls):
    location = _post_red_flag_then_new_link(patient)

    page = patient.client.get(location).content.decode()

    assert ADVICE in page
    assert CES in page
    assert "I have back pain and numbness or tingling between my legs, around my bottom or my genitals." in page
    assert TOLD in page
    assert "This link does not work" not in page
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level == Level.URGENT
    assert [level for _pk, level, _before in alert_calls] == [Level.URGENT]


def test_the_advice_is_given_once_then_the_browser_gets_the_bad_link_page(patient):
    location = _post_red_flag_then_new_link(patient)
    assert ADVICE in patient.client.get(location).content.decode()

    again = patient.client.get(location)

    assert again.status_code == 404
    assert ADVICE not in again.content.decode()


def test_once_the_emergency_page_was_shown_nothing_is_owed(patient):
    patient.client.post("/intake/step/safety/", SADDLE_YES)
    assert ADVICE in patient.client.get(EMERGENCY).content.decode()
    assert patient.invitation is not None
    services.renew_link(patient.invitation, send_email=False)

    response = patient.client.get(EMERGENCY)

    assert response.status_code == 404
    assert TOLD not in response.content.decode()


def test_exit_drops_the_owed_advice(patient):
    patient.client.post("/intake/step/safety/", SADDLE_YES)
    patient.client.post("/intake/exit/")

    response = patient.client.get(EMERGENCY)

    assert response.status_code == 404
    assert ADVICE not in response.content.decode()


def test_the_owed_advice_is_not_shown_after_another_patients_link_is_opened_here(patient):
    location = _post_red_flag_then_new_link(patient)
    _other, token = make_invitation(name="Other Person")
    patient.client.get(f"/intake/start/{token}/")

    page = patient.client.get(location).content.decode()

    assert ADVICE not in page


@pytest.mark.parametrize(("minutes", "shown"), [(1, True), (3, False)])
def test_the_owed_advice_is_kept_for_two_minutes(patient, minutes, shown):
    """The redirect is followed within seconds: the advice waits long enough for a slow phone, and not for whoever
    picks the phone up later."""
    location = _post_red_flag_then_new_link(patient)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes)):
        response = patient.client.get(location)

    assert (ADVICE in response.content.decode()) is shown


def test_a_second_patient_whose_link_then_fails_here_is_never_shown_the_first_patients_advice(patient):
    """The first patient's redirect was never followed; a second patient opens their own link in the same browser,
    and it then stops working (locked by wrong birth dates): they got the first patient's advice, with the signs
    the first patient reported (the review of the stop-32 commits). Opening a link drops what was owed."""
    assert patient.client.post("/intake/step/safety/", SADDLE_YES).status_code == 302
    assert patient.invitation is not None
    services.renew_link(patient.invitation, send_email=False)
    _other, token = make_invitation(name="Other Person")
    patient.client.get(f"/intake/start/{token}/")
    for _ in range(services.max_identity_attempts()):
        patient.client.post("/intake/confirm/", {"date_of_birth": "1950-01-01"})

    page = patient.client.get(EMERGENCY).content.decode()

    assert ADVICE not in page
    assert "numbness or tingling between my legs" not in page


def test_a_red_flag_page_sent_from_a_form_left_idle_keeps_its_advice_when_the_link_changes_first(patient, settings):
    """The page is taken and the birth-date page gives the advice for what was sent; the link was replaced before
    that page opened, and the patient got "This link does not work" (the review of the stop-32 commits). Only the
    advice for what was sent, as the birth-date page gives it: nothing that depends on what is stored."""
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        posted = patient.client.post("/intake/step/safety/", SADDLE_YES)
        assert posted["Location"] == reverse("intake:confirm")
        assert patient.invitation is not None
        services.renew_link(patient.invitation, send_email=False)
        page = patient.client.get(posted["Location"]).content.decode()

    assert ADVICE in page
    assert "I have back pain and numbness or tingling between my legs, around my bottom or my genitals." in page
    assert TOLD not in page
    assert "This link does not work" not in page


def test_the_birth_date_page_that_gave_the_advice_after_idle_settles_it(patient, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        posted = patient.client.post("/intake/step/safety/", SADDLE_YES)
        assert ADVICE in patient.client.get(posted["Location"]).content.decode()
        assert patient.invitation is not None
        services.renew_link(patient.invitation, send_email=False)
        page = patient.client.get(posted["Location"]).content.decode()

    assert ADVICE not in page


def test_an_ordinary_page_owes_nothing(patient):
    patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "no"})
    assert patient.invitation is not None
    services.renew_link(patient.invitation, send_email=False)

    response = patient.client.get(EMERGENCY)

    assert response.status_code == 404
    assert ADVICE not in response.content.decode()


def test_a_link_that_does_not_work_opened_here_also_drops_the_owed_advice(patient):
    """Any link opened in the browser, not only one that opens a form (review of the stop-32 commits)."""
    location = _post_red_flag_then_new_link(patient)
    assert patient.client.get("/intake/start/not-a-real-link/").status_code == 404

    assert ADVICE not in patient.client.get(location).content.decode()


def test_the_owed_advice_page_is_titled_as_its_first_heading(patient):
    """A screen reader says the title first: it said the form was closed over "Get medical help now" (review of the
    stop-32 commits), where the receipt's emergency page says the heading."""
    import re

    page = patient.client.get(_post_red_flag_then_new_link(patient)).content.decode()

    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None
    assert title.group(1).startswith("Get medical help now")
