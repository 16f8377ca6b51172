"""Red-team sequences against the promise that a red-flag answer is never lost (docs/clinical/TRIAGE.md, "Latched red
flags and partial pages"): what a patient's browser can send that every other test leaves out."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import OperationalError

from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.catalogue import FOLLOW_UP
from intake.rules.questionnaire import CE_QUESTION_CODES
from intake.rules.triage import LATCHED_QUESTIONS
from tests.intake.conftest import Patient
from tests.intake.factories import BIRTH_DATE, follow_up_answers, follow_up_for, post_data, submitted_intake

pytestmark = pytest.mark.django_db


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


@pytest.fixture
def alert_times_out_once(monkeypatch) -> list[int]:
    """The statement that queues the staff alert times out once (a locked task table, a slow database), then works:
    the intake ids alerted."""
    from alerts import services as alert_services

    alerted: list[int] = []
    failures = [OperationalError("canceling statement due to statement timeout")]

    def alert(intake, *, previous_level, reopened=False):
        if failures:
            raise failures.pop()
        alerted.append(intake.pk)

    monkeypatch.setattr(alert_services, "intake_level_changed", alert)
    return alerted


def test_a_cauda_equina_yes_whose_alert_times_out_gets_the_advice_and_is_taken_when_sent_again(
    patient, alert_times_out_once
):
    patient.client.raise_request_exception = False

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})

    # Nothing is half-saved: the answer, its latch and the alert go together or not at all ...
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DATABASE_DOWN_RETRY_AFTER)  # as the plain 503: "Try again" works
    intake = _intake(patient)
    assert intake.level is None
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    # ... but the page the patient sees says what the answer calls for, not only "wait a minute, then try again".
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "cauda equina syndrome" in body
    assert "told the clinic" not in body  # it was not
    assert "Our team has been told" not in body
    assert body.count("<h1") == 1  # the advice's heading is the page's one main heading
    assert '<input type="hidden" name="ce_saddle_numbness" value="yes">' in body  # "Try again" still sends it

    again = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})

    assert again["Location"] == "/intake/important/"
    intake = _intake(patient)
    assert intake.level == Level.URGENT
    assert alert_times_out_once == [intake.pk]


def test_an_ordinary_page_whose_save_times_out_gets_the_plain_busy_page(patient, monkeypatch):
    from intake import services

    def times_out(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(services, "save_page", times_out)
    patient.client.raise_request_exception = False

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no"})

    assert response.status_code == 503
    body = response.content.decode()
    assert "The portal is busy for a moment" in body
    assert "Get medical help now" not in body


def test_a_cauda_equina_yes_on_a_page_that_crashes_gets_the_advice_on_the_error_page(patient, monkeypatch):
    from intake import services

    def crashes(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "record_red_flags", crashes)
    patient.client.raise_request_exception = False

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "not_sure"})

    assert response.status_code == 500
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "Something went wrong on our side" in body
    assert body.count("<h1") == 1


# Every latched question a follow-up asks (its CE, cord compression and leg weakness pages), with the page it is on:
# tests/intake/test_follow_up_form.py posts only the saddle numbness one.
FOLLOW_UP_LATCHED = [
    (page.slug, question.code)
    for page in FOLLOW_UP.pages
    for question in page.questions
    if question.code in LATCHED_QUESTIONS
]
WEAK_LEG_SINCE_THE_VISIT = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "thigh",
    "worse_back_or_leg": "back",
    "leg_numbness_tingling": "no",
    "leg_weakness": "yes",
    "leg_weakness_worsening": "no",
    "foot_drop": "no",
}


@pytest.mark.parametrize(("slug", "code"), FOLLOW_UP_LATCHED)
def test_a_red_flag_yes_alone_on_a_follow_up_page_is_stored_latched_flagged_and_alerted(
    client, alert_calls, slug, code
):
    _invitation, token, intake = follow_up_for(submitted_intake())
    client.get(f"/intake/start/{token}/")
    client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()})
    answers = follow_up_answers(**WEAK_LEG_SINCE_THE_VISIT)
    for page in FOLLOW_UP.pages[: FOLLOW_UP.page_slugs.index(slug)]:
        assert client.post(f"/intake/step/{page.slug}/", post_data(page, answers)).status_code == 302

    response = client.post(f"/intake/step/{slug}/", {code: "yes"})  # the rest of the page blank

    intake.refresh_from_db()
    assert intake.answers[code] == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code=code, cleared_at__isnull=True).exists()
    assert intake.level == (Level.URGENT if code in CE_QUESTION_CODES else Level.SERIOUS)
    assert [call for call in alert_calls if call[0] == intake.pk] == [(intake.pk, intake.level, None)]
    if code in CE_QUESTION_CODES:
        assert response["Location"] == "/intake/important/"


def test_a_cauda_equina_yes_whose_page_fails_the_services_checks_still_opens_the_emergency_page(patient, monkeypatch):
    """The page passed its own checks, then the service refused it (answers changed from another tab at that moment):
    the yes is already taken, so the next page is its advice, not this page with its errors."""
    from intake import services
    from intake.services.errors import InvalidAnswers

    def refuse(intake, slug, answers, *, now):
        raise InvalidAnswers(slug, {"ce_wiping_sensation": "Answer this question"})

    monkeypatch.setattr(services, "save_page", refuse)

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})

    assert response.status_code == 302
    assert response["Location"] == "/intake/important/"
    intake = _intake(patient)
    assert intake.level == Level.URGENT
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness").exists()


@pytest.fixture
def emergency_page_times_out(monkeypatch):
    """The emergency page's own request meets a database that has just become too slow (a statement past
    statement_timeout), after the page with the red-flag answer was saved and alerted."""
    from intake import services

    def times_out(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(services, "mark_emergency_shown", times_out)


def test_a_cauda_equina_yes_whose_emergency_page_then_times_out_still_gets_its_advice(
    patient, alert_calls, emergency_page_times_out
):
    patient.client.raise_request_exception = False
    saved = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert saved["Location"] == "/intake/important/"
    assert _intake(patient).level == Level.URGENT  # stored and alerted: only the advice is left to give

    response = patient.client.get(saved["Location"])

    # Before: "The portal is busy for a moment ... try again in a minute", the one answer the patient must not get.
    assert response.status_code == 503
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "cauda equina syndrome" in body
    assert "numbness or tingling between my legs" in body  # the sign this patient ticked, in the words to say
    assert body.count("<h1") == 1


def test_a_cord_compression_answer_whose_emergency_page_then_times_out_gets_the_cord_compression_advice(
    patient, alert_calls, emergency_page_times_out
):
    from tests.intake.conftest import answer_up_to
    from tests.intake.factories import routine_answers

    answers = routine_answers(
        leg_symptoms="yes",
        leg_side="left",
        leg_pain_lowest_point="thigh",
        worse_back_or_leg="back",
        leg_numbness_tingling="yes",
        leg_weakness="no",
        sitting_eases="no",
    )
    answer_up_to(patient, "general_health", answers)
    patient.client.raise_request_exception = False
    saved = patient.post_step("general_health", {**answers, "cancer_history": "yes"})
    assert saved["Location"] == "/intake/important/"

    response = patient.client.get(saved["Location"])

    assert response.status_code == 503
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "metastatic spinal cord" in body
    assert "cauda equina" not in body  # never about bladder nerves this patient did not report


def test_a_cauda_equina_yes_whose_emergency_page_fails_after_it_is_marked_shown_still_gets_its_advice(
    patient, alert_calls, monkeypatch
):
    """The emergency page drops what the browser is owed (`owed_emergency.settle`) before it reads the intake's flags
    and renders: a statement timeout there (or in the session's save after the view) met a session with nothing owed
    left in it, and the patient got "try again in a minute"."""
    from intake import late_pages

    patient.client.raise_request_exception = False
    saved = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert saved["Location"] == "/intake/important/"

    def times_out(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(late_pages, "message_answers", times_out)  # the page's read of the answers and flags

    response = patient.client.get(saved["Location"])

    assert response.status_code == 503
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "cauda equina syndrome" in body
    assert "numbness or tingling between my legs" in body


def test_a_cauda_equina_yes_whose_emergency_page_cannot_save_its_session_still_gets_its_advice(
    patient, alert_calls, monkeypatch
):
    """The emergency page was rendered, then the session's save (the request's last statement) met the database
    going away: the answer is the 503 page, which must still give the advice the page would have."""
    from django.contrib.sessions.backends.db import SessionStore

    patient.client.raise_request_exception = False
    saved = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert saved["Location"] == "/intake/important/"

    def times_out(self, *args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(SessionStore, "save", times_out)

    response = patient.client.get(saved["Location"])

    assert response.status_code == 503
    body = response.content.decode()
    assert "Get medical help now" in body
    assert "cauda equina syndrome" in body


def test_the_500_page_with_a_patients_emergency_advice_is_kept_by_no_cache(patient, alert_calls, monkeypatch):
    """A bug after the emergency page's view (in the session's save: outside the middleware that marks intake pages
    no-store) answers the 500 page, which now names the signs this patient ticked: no cache may keep it."""
    from django.contrib.sessions.backends.db import SessionStore

    patient.client.raise_request_exception = False
    saved = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})

    def fails(self, *args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(SessionStore, "save", fails)

    response = patient.client.get(saved["Location"])

    assert response.status_code == 500
    assert "numbness or tingling between my legs" in response.content.decode()
    assert "no-store" in response.get("Cache-Control", "")
