"""More refused question pages (intake.refused_posts): what the view itself would have done with a red-flag answer
must still happen when the rate limit refuses the page, and nothing the CSRF check would refuse may be stored."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.questionnaire import page_by_slug
from tests.intake.conftest import Patient
from tests.intake.factories import make_invitation, post_data, routine_answers

pytestmark = pytest.mark.django_db

SADDLE_YES = routine_answers(ce_saddle_numbness="yes")


def _limit(settings, **rates: str) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], **rates}]
    caches["ratelimit"].clear()


def _latched(invitation) -> bool:
    intake = Intake.objects.get(invitation=invitation)
    return RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()


def _safety_tag(client: Client) -> str:
    whose = re.search(r'name="whose" value="([^"]+)"', client.get("/intake/step/safety/").content.decode())
    assert whose is not None
    return whose.group(1)


def test_a_post_without_its_csrf_token_is_not_stored_past_the_rate_limit(patient, settings):
    """The rate limit answers before CsrfViewMiddleware.process_view runs: the refused page must not store what the
    CSRF check would have refused (a cross-origin page posting into the patient's form)."""
    _limit(settings, patient_rate="1/10m")
    assert patient.post_step("safety", routine_answers()).status_code == 302  # the one post allowed
    forged = Client(enforce_csrf_checks=True)
    forged.cookies = patient.client.cookies  # the patient's session, no token

    response = forged.post("/intake/step/safety/", post_data(page_by_slug("safety"), SADDLE_YES))

    assert response.status_code == 429
    assert "Get medical help now" in response.content.decode()  # the advice, for what was sent
    assert "told the clinic" not in response.content.decode()
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level is None
    assert not _latched(patient.invitation)


def test_a_post_with_its_csrf_token_is_still_taken_past_the_rate_limit(patient, settings):
    _limit(settings, patient_rate="1/10m")
    own = Client(enforce_csrf_checks=True)
    own.cookies = patient.client.cookies
    page = own.get("/intake/step/safety/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert patient.post_step("safety", routine_answers()).status_code == 302

    data = {**post_data(page_by_slug("safety"), SADDLE_YES), "csrfmiddlewaretoken": token.group(1)}
    response = own.post("/intake/step/safety/", data)

    assert response.status_code == 429
    assert "told the clinic" in response.content.decode()
    assert _latched(patient.invitation)


def test_a_red_flag_from_a_form_left_idle_is_taken_past_the_rate_limit(patient, settings):
    """The view takes a page sent after the idle hour (late_pages.after_idle); the refused page did not."""
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    _limit(settings, patient_rate="1/3h")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert patient.post_step("safety", routine_answers()).status_code == 302
        clock.shift(datetime.timedelta(minutes=61))
        response = patient.post_step("safety", SADDLE_YES)

    assert response.status_code == 429
    assert "Get medical help now" in response.content.decode()
    assert _latched(patient.invitation)
    assert Intake.objects.get(invitation=patient.invitation).level == Level.URGENT


def test_a_red_flag_from_an_old_tab_after_exit_is_taken_past_the_rate_limit(patient, settings):
    """After "Exit" the post is counted per address (clinic Wi-Fi); the view takes its red flag into its own form
    (late_pages.form_closed_here), the refused page did not."""
    whose = _safety_tag(patient.client)
    assert patient.client.post("/intake/exit/").status_code == 302
    _limit(settings, rate="0/10m")

    response = patient.post_step("safety", SADDLE_YES, whose=whose)

    assert response.status_code == 429
    assert "Get medical help now" in response.content.decode()
    assert _latched(patient.invitation)


def test_a_red_flag_from_another_forms_tab_is_taken_into_its_own_form_past_the_rate_limit(client, settings):
    invitation_a, token_a = make_invitation(email="a@example.org")
    a = Patient(client, token_a).sign_in()
    a.agree()
    whose_a = _safety_tag(client)
    invitation_b, token_b = make_invitation(email="b@example.org", date_of_birth=datetime.date(1990, 6, 1))
    b = Patient(client, token_b)
    b.open_link()
    assert b.confirm("1990-06-01").status_code == 302
    _limit(settings, patient_rate="1/10m")
    assert b.agree().status_code == 302  # B's one post

    response = client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose_a})

    assert response.status_code == 429
    assert _latched(invitation_a)  # A's red flag, in A's form
    assert "ce_saddle_numbness" not in Intake.objects.get(invitation=invitation_b).answers


def test_the_refused_pages_are_not_stored_by_caches(patient, settings):
    _limit(settings, patient_rate="1/10m")
    assert patient.post_step("safety", routine_answers()).status_code == 302
    limited = patient.post_step("safety", SADDLE_YES)
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = patient.client.cookies
    refused = checked.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    for response in (limited, refused):
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"ce_saddle_numbness=yes&" + b"&".join(b"f%d=1" % n for n in range(1200)),
            "application/x-www-form-urlencoded",
        ),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"\xff\xfe=\xff", "application/x-www-form-urlencoded"),
    ],
)
def test_bad_bodies_past_the_rate_limit_get_the_plain_refusal(patient, settings, body, content_type):
    _limit(settings, patient_rate="1/10m")
    assert patient.post_step("safety", routine_answers()).status_code == 302
    response = patient.client.generic("POST", "/intake/step/safety/", body, content_type=content_type)
    assert response.status_code == 429


def test_other_intake_posts_past_the_rate_limit_get_the_plain_refusal(patient, settings):
    _limit(settings, patient_rate="1/10m", rate="0/10m")
    assert patient.post_step("safety", routine_answers()).status_code in (302, 429)
    for path in ("/intake/review/", "/intake/exit/", "/intake/step/no-such-page/", "/intake/nope/"):
        response = patient.client.post(path, {"ce_saddle_numbness": "yes"})
        assert response.status_code == 429, path
