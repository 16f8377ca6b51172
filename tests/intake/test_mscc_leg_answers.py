"""With a cancer history standing, a leg answer that makes metastatic spinal cord compression (the answers behind
SC1-SC4 and CE8) acts at once and is latched, as the red-flag answers are: stored beside a blank or wrong answer on
its page, triaged (MSCC, urgent), alerted once, the cord compression page first; a later "no" keeps MSCC until a
clinician's review. Without a cancer history nothing changes: a patient with sciatica only fixes the page first
(docs/clinical/TRIAGE.md, "Latched red flags and partial pages"; NICE NG234)."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from alerts.models import Alert
from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.catalogue import FOLLOW_UP
from tests.intake.conftest import answer_up_to
from tests.intake.factories import BIRTH_DATE, follow_up_answers, follow_up_for, post_data, routine_answers
from tests.intake.factories import submitted_intake as sent_intake

pytestmark = pytest.mark.django_db

LEGS_BEFORE_THE_PAGE = [page.slug for page in FOLLOW_UP.pages[: FOLLOW_UP.page_slugs.index("legs")]]
# Leg symptoms and numbness; which leg, how far down and which hurts more left blank.
NUMBNESS_WITH_SIDE_BLANK: dict[str, object] = {"leg_symptoms": "yes", "leg_numbness_tingling": "yes"}
NEW_LEG_NUMBNESS: dict[str, object] = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "thigh",
    "worse_back_or_leg": "back",
    "leg_numbness_tingling": "yes",
}
LATCH_SUFFIX = re.compile(r"\(leg numbness or tingling answered yes at \d\d:\d\d, changed to no at \d\d:\d\d\)$")


def _follow_up_on_its_legs_page(client, visit: Intake) -> Intake:
    _invitation, token, intake = follow_up_for(visit)
    client.get(f"/intake/start/{token}/")
    assert client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()}).status_code == 302
    for slug in LEGS_BEFORE_THE_PAGE:
        page = FOLLOW_UP.page_by_slug(slug)
        response = client.post(f"/intake/step/{slug}/", post_data(page, follow_up_answers()))
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    return intake


def _post_legs(client, answers: dict[str, object]):
    return client.post("/intake/step/legs/", post_data(FOLLOW_UP.page_by_slug("legs"), answers))


def _codes(intake: Intake) -> set[str]:
    return set(intake.flags.values_list("code", flat=True))


def _reason(intake: Intake, code: str) -> str:
    return str(intake.flags.get(code=code).reason)


def test_a_follow_up_with_a_cancer_history_acts_at_once_on_leg_numbness_posted_beside_a_blank_leg_side(client):
    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))

    response = _post_legs(client, NUMBNESS_WITH_SIDE_BLANK)

    assert response["Location"] == "/intake/important/"
    intake.refresh_from_db()
    assert intake.answers["leg_numbness_tingling"] == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_numbness_tingling", cleared_at__isnull=True).exists()
    assert intake.level == Level.URGENT
    assert {"MSCC", "SC3"} <= _codes(intake)
    assert list(Alert.objects.filter(intake=intake).values_list("kind", flat=True)) == [Alert.Kind.URGENT]
    html = client.get("/intake/important/").content.decode()
    assert "metastatic spinal cord" in html
    assert "cauda equina" not in html

    # The page again, now whole: nothing new to tell staff, and the answer stays stored.
    client.post("/intake/important/", {"acknowledged": "on"})
    assert _post_legs(client, NEW_LEG_NUMBNESS).status_code == 302
    assert Alert.objects.filter(intake=intake).count() == 1


def test_the_cord_compression_page_for_a_leg_answer_is_in_spanish_for_a_spanish_reader(client):
    _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))
    client.cookies["django_language"] = "es"

    assert _post_legs(client, NUMBNESS_WITH_SIDE_BLANK)["Location"] == "/intake/important/"

    html = client.get("/intake/important/").content.decode()
    assert "compresión metastásica de la médula espinal" in html
    assert "cauda equina" not in html


def test_without_a_cancer_history_leg_numbness_beside_a_blank_leg_side_waits_for_the_page_to_be_fixed(client):
    intake = _follow_up_on_its_legs_page(client, sent_intake())

    response = _post_legs(client, NUMBNESS_WITH_SIDE_BLANK)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="leg_side-error"[^>]*>\s*Please answer this question\.', html) or (
        "Please answer this question." in html
    )
    intake.refresh_from_db()
    assert "leg_numbness_tingling" not in intake.answers
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert intake.level is None
    assert not Alert.objects.filter(intake=intake).exists()


def test_leg_numbness_changed_to_no_keeps_mscc_with_the_latch_in_its_reason_until_a_clinicians_review(
    client, clinician
):
    from intake.services import mark_reviewed

    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))
    assert _post_legs(client, NUMBNESS_WITH_SIDE_BLANK)["Location"] == "/intake/important/"
    client.post("/intake/important/", {"acknowledged": "on"})

    assert _post_legs(client, {**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"}).status_code == 302

    intake.refresh_from_db()
    assert intake.answers["leg_numbness_tingling"] == "no"
    assert intake.level == Level.URGENT
    assert {"MSCC", "SC3"} <= _codes(intake)
    assert LATCH_SUFFIX.search(_reason(intake, "SC3")), _reason(intake, "SC3")
    assert Alert.objects.filter(intake=intake).count() == 1

    mark_reviewed(intake, by=clinician, outcome="emergency_care")

    intake.refresh_from_db()
    assert not RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()
    assert not {"MSCC", "SC3"} & _codes(intake)


def test_a_patient_who_goes_back_to_the_leg_page_after_a_cancer_yes_has_leg_numbness_acted_on_at_once(patient):
    answers = routine_answers(cancer_history="yes")
    answer_up_to(patient, "general_health_infection", answers)
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level == Level.SERIOUS  # SP1 alone

    response = patient.client.post("/intake/step/legs/", {"leg_symptoms": "yes", "leg_numbness_tingling": "yes"})

    assert response["Location"] == "/intake/important/"
    intake.refresh_from_db()
    assert intake.answers["leg_numbness_tingling"] == "yes"
    assert intake.level == Level.URGENT
    assert "MSCC" in _codes(intake)


def test_leg_weakness_stored_before_the_cancer_yes_is_latched_when_the_cancer_yes_comes(patient):
    weak_leg = {
        "leg_symptoms": "yes",
        "leg_side": "left",
        "leg_pain_lowest_point": "thigh",
        "worse_back_or_leg": "back",
        "leg_numbness_tingling": "no",
        "leg_weakness": "yes",
        "leg_weakness_worsening": "no",
        "foot_drop": "no",
        "sitting_eases": "no",
    }
    answers = routine_answers(**weak_leg)
    answer_up_to(patient, "general_health", answers)
    response = patient.client.post("/intake/step/general_health/", {"cancer_history": "yes"})
    assert response["Location"] == "/intake/important/"
    patient.client.post("/intake/important/", {"acknowledged": "on"})

    assert patient.post_step("legs_weakness", {**answers, "leg_weakness": "no"}).status_code == 302

    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["leg_weakness"] == "no"
    assert intake.level == Level.URGENT
    assert {"MSCC", "SC4"} <= _codes(intake)
    # Stored before the cancer yes, latched when it came: given before that time, not at it.
    assert re.search(
        r"\(leg weakness answered yes before \d\d:\d\d, changed to no at \d\d:\d\d\)$", _reason(intake, "SC4")
    )


def test_without_a_cancer_history_a_leg_yes_changed_to_no_is_gone(patient):
    answers = routine_answers(**{**NEW_LEG_NUMBNESS, "leg_pain_lowest_point": "below_knee", "leg_weakness": "no"})
    answer_up_to(patient, "legs_weakness", answers)
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level is None or intake.level not in (Level.URGENT, Level.SERIOUS)
    assert patient.post_step("legs", {**answers, "leg_pain_lowest_point": "thigh"}).status_code == 302
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    intake.refresh_from_db()
    assert intake.answers["leg_pain_lowest_point"] == "thigh"


def _limited_client(patient, settings):
    """The patient's browser with its CSRF token, past the rate limit on its next post."""
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], "patient_rate": "1/10m"}]
    caches["ratelimit"].clear()
    own = Client(enforce_csrf_checks=True)
    own.cookies = patient.client.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', own.get("/intake/step/legs/").content.decode())
    assert token is not None
    assert patient.post_step("about", routine_answers()).status_code == 302  # the one post allowed
    return own, token.group(1)


def test_leg_numbness_past_the_rate_limit_is_taken_beside_a_cancer_history(patient, settings):
    answer_up_to(patient, "general_health_infection", routine_answers(cancer_history="yes"))
    own, token = _limited_client(patient, settings)

    response = own.post("/intake/step/legs/", {**NUMBNESS_WITH_SIDE_BLANK, "csrfmiddlewaretoken": token})

    assert response.status_code == 429
    html = response.content.decode()
    assert "told the clinic" in html
    assert "metastatic spinal cord" in html
    intake = Intake.objects.get(invitation=patient.invitation)
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_numbness_tingling", cleared_at__isnull=True).exists()
    assert "MSCC" in _codes(intake)


def test_leg_numbness_past_the_rate_limit_without_a_cancer_history_gets_the_plain_refusal(patient, settings):
    answer_up_to(patient, "general_health_infection", routine_answers())
    own, token = _limited_client(patient, settings)

    response = own.post("/intake/step/legs/", {**NUMBNESS_WITH_SIDE_BLANK, "csrfmiddlewaretoken": token})

    assert response.status_code == 429
    assert "Get medical help now" not in response.content.decode()
    intake = Intake.objects.get(invitation=patient.invitation)
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert "leg_numbness_tingling" not in intake.answers


def _back_at_the_legs_after_a_cancer_yes(patient) -> None:
    answer_up_to(patient, "general_health_infection", routine_answers(cancer_history="yes"))


def _assert_numbness_taken(patient) -> None:
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["leg_numbness_tingling"] == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_numbness_tingling", cleared_at__isnull=True).exists()
    assert intake.level == Level.URGENT
    assert "MSCC" in _codes(intake)


def test_leg_numbness_sent_after_the_form_sat_idle_is_taken_beside_a_cancer_history(patient, settings):
    _back_at_the_legs_after_a_cancer_yes(patient)
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61), tick=False):
        response = patient.client.post("/intake/step/legs/", NUMBNESS_WITH_SIDE_BLANK)

        assert response["Location"] == "/intake/confirm/"  # the birth date first, as for any page sent late
        _assert_numbness_taken(patient)


def test_leg_numbness_sent_from_a_tab_left_open_after_exit_is_taken_beside_a_cancer_history(patient):
    _back_at_the_legs_after_a_cancer_yes(patient)
    whose = re.search(r'name="whose" value="([^"]+)"', patient.client.get("/intake/step/legs/").content.decode())
    assert whose is not None
    assert patient.client.post("/intake/exit/").status_code == 302

    response = patient.client.post("/intake/step/legs/", {**NUMBNESS_WITH_SIDE_BLANK, "whose": whose.group(1)})

    assert response.status_code == 409
    assert "spinal cord" not in response.content.decode()  # the page tells nothing of a stored cancer history
    _assert_numbness_taken(patient)


def test_leg_numbness_sent_on_a_page_too_large_to_read_is_taken_beside_a_cancer_history(patient, settings):
    _back_at_the_legs_after_a_cancer_yes(patient)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = urlencode({"leg_side": "x" * 3000, **NUMBNESS_WITH_SIDE_BLANK})

    response = patient.client.post("/intake/step/legs/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert "told the clinic" in response.content.decode()
    _assert_numbness_taken(patient)


def test_leg_numbness_on_a_page_too_large_without_a_cancer_history_gets_the_plain_400(patient, settings):
    answer_up_to(patient, "general_health_infection", routine_answers())
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = urlencode({"leg_side": "x" * 3000, **NUMBNESS_WITH_SIDE_BLANK})

    response = patient.client.post("/intake/step/legs/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert not RedFlagAnswer.objects.filter(intake__invitation=patient.invitation).exists()


def test_leg_numbness_sent_after_send_is_latched_beside_the_sent_cancer_history_and_not_without_one():
    from intake.services import record_red_flags

    sent = sent_intake(cancer_history="yes")
    record_red_flags(sent, {"leg_symptoms": "yes", "leg_numbness_tingling": "yes"}, now=timezone.now())
    sent.refresh_from_db()
    assert sent.level == Level.URGENT
    assert {"MSCC", "SC3"} <= _codes(sent)
    assert _reason(sent, "SC3").endswith(", after Send)")
    assert "leg_numbness_tingling" not in sent.answers or sent.answers["leg_numbness_tingling"] != "yes"  # as sent

    without = sent_intake()
    record_red_flags(without, {"leg_symptoms": "yes", "leg_numbness_tingling": "yes"}, now=timezone.now())
    assert not RedFlagAnswer.objects.filter(intake=without).exists()


def test_a_hidden_leg_answer_beside_no_leg_symptoms_on_its_page_is_not_taken_even_with_a_cancer_history(client):
    """The leg questions are asked only after leg symptoms yes: a tick left hidden beside that page's own "no" is no
    answer (as for SP12/SP13), while a blank "leg symptoms" rules nothing out."""
    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))

    response = _post_legs(client, {"leg_symptoms": "no", "leg_numbness_tingling": "yes", "leg_side": "both"})

    assert response.status_code == 302  # the page is whole: saved without the hidden answers
    intake.refresh_from_db()
    assert "leg_numbness_tingling" not in intake.answers
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert intake.level is None
