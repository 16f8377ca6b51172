"""The patient's session ends after an hour without a page, and each page opened keeps it going; moving the timeout
writes the session at most once a minute, so most pages send no write at all (issue 16). A page left open past the
hour and sent is still saved, red-flag answers first, and answered with the emergency advice; then the birth date is
asked again (docs/clinical/TRIAGE.md, "Pages sent late")."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.patient_session import RENEW_EVERY_SECONDS
from intake.rules.questionnaire import PAGE_SLUGS

pytestmark = pytest.mark.django_db

FIRST_PAGE = f"/intake/step/{PAGE_SLUGS[1]}/"  # the first after the consent page


def _opens_the_form(response) -> bool:
    return response.status_code == 200 and b"data-intake-step" in response.content


def test_the_session_ends_after_an_hour_without_a_page(client, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        from tests.intake.conftest import Patient
        from tests.intake.factories import make_invitation

        _invitation, token = make_invitation()
        patient = Patient(client, token).sign_in()
        patient.agree()
        assert _opens_the_form(client.get(FIRST_PAGE))

        clock.shift(datetime.timedelta(minutes=61))
        response = client.get(FIRST_PAGE)

    assert not _opens_the_form(response)
    assert b"data-intake-step" not in response.content


def test_pages_opened_now_and_then_keep_the_session_going_for_hours(patient, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):  # four hours in all, a page every 50 minutes
            clock.shift(datetime.timedelta(minutes=50))
            assert _opens_the_form(patient.client.get(FIRST_PAGE))
        # Seconds after a page, another page: the timeout is not moved, yet it is still an hour from the last move.
        clock.shift(datetime.timedelta(seconds=RENEW_EVERY_SECONDS - 5))
        assert _opens_the_form(patient.client.get(FIRST_PAGE))
        clock.shift(datetime.timedelta(minutes=59))
        assert _opens_the_form(patient.client.get(FIRST_PAGE))


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _opens_the_form(client.get(path))
    return sum(
        1
        for query in queries.captured_queries
        if "django_session" in query["sql"] and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_the_session_is_written_at_most_once_a_minute(patient):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        clock.shift(datetime.timedelta(seconds=RENEW_EVERY_SECONDS))
        assert _session_writes(patient.client, FIRST_PAGE) == 1  # a minute since the last move: moved now
        assert _session_writes(patient.client, FIRST_PAGE) == 0
        clock.shift(datetime.timedelta(seconds=RENEW_EVERY_SECONDS - 1))
        assert _session_writes(patient.client, FIRST_PAGE) == 0
        clock.shift(datetime.timedelta(seconds=1))
        assert _session_writes(patient.client, FIRST_PAGE) == 1


# --- A page left open past the limit: what it sends is kept, then the birth date again ----------------------------

LATE = datetime.timedelta(minutes=61)
NOT_LOST = "Your answers are not lost: after your date of birth, the page you sent opens again with them."


def _without_tokens(html: str) -> str:
    """A page without its CSRF tokens (a new mask on every page)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|data-csrf-token="[^"]*"', "", html)


def _intake(patient):
    from intake.models import Intake

    return Intake.objects.get(invitation=patient.invitation)


def test_a_form_left_idle_asks_for_the_birth_date_again_then_opens_where_the_patient_was(patient, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        response = patient.client.get(FIRST_PAGE, follow=True)
        assert response.redirect_chain[-1][0] == "/intake/confirm/"
        page = response.content.decode()
        assert "the form closed after 60 minutes with nothing happening" in page
        assert "We kept the answers you sent" not in page  # nothing was sent
        assert "data-intake-step" not in page

        assert patient.confirm().status_code == 302
        assert _opens_the_form(patient.client.get(FIRST_PAGE))


def test_a_red_flag_sent_from_a_page_left_idle_is_stored_alerted_and_answered_with_the_emergency_advice_at_once(
    patient, settings, alert_calls
):
    from intake.models import Level, RedFlagAnswer

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        # Saddle numbness ticked, everything else on the page blank, more than an hour after the last page.
        response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"}, follow=True)

        intake = _intake(patient)
        assert intake.answers["ce_saddle_numbness"] == "yes"
        assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness").exists()
        assert intake.level == Level.URGENT
        assert alert_calls == [(intake.pk, Level.URGENT, None)]
        # The answer to it: the emergency advice, on the page that asks for the birth date before anything else.
        assert response.redirect_chain[-1][0] == "/intake/confirm/"
        page = response.content.decode()
        assert "Get medical help now" in page
        assert "cauda equina syndrome" in page
        # The words to say at the emergency room name the sign that was sent (docs/clinical/TRIAGE.md).
        assert "I have back pain and numbness or tingling between my legs" in page
        assert NOT_LOST in page
        # Once: a reload (or the next person) does not see it again.
        assert "Get medical help now" not in patient.client.get("/intake/confirm/").content.decode()

        # After the birth date, the emergency page comes first, as it does in time; then the page as it was sent.
        assert patient.confirm()["Location"] == "/intake/"
        assert patient.client.get("/intake/")["Location"] == "/intake/important/"
        patient.client.post("/intake/important/", {"acknowledged": "on"})
        assert patient.client.get("/intake/")["Location"] == "/intake/step/safety/"
        again = patient.client.get("/intake/step/safety/").content.decode()
        assert re.search(r'<input[^>]*name="ce_saddle_numbness"[^>]*value="yes"[^>]*checked', again)
        assert 'id="error_ce_wiping_sensation"' in again  # the question left blank, with its message


def test_a_whole_page_sent_late_waits_for_the_birth_date_then_opens_as_sent_and_is_saved(patient, settings):
    from tests.intake.factories import routine_answers

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        response = patient.post_step("safety", routine_answers())
        assert response["Location"] == "/intake/confirm/"
        assert "ce_saddle_numbness" not in _intake(patient).answers  # nothing but red flags before the birth date
        page = patient.client.get("/intake/confirm/").content.decode()
        assert NOT_LOST in page
        assert "Get medical help now" not in page
        # The next page (or any other) does not open without the birth date.
        assert patient.client.get("/intake/step/safety_bladder/")["Location"] == "/intake/confirm/"

        assert patient.confirm()["Location"] == "/intake/"
        assert patient.client.get("/intake/")["Location"] == "/intake/step/safety/"
        again = patient.client.get("/intake/step/safety/").content.decode()
        assert re.search(r'<input[^>]*name="ce_saddle_numbness"[^>]*value="no"[^>]*checked', again)
        assert "error-summary" not in again
        assert patient.post_step("safety", routine_answers())["Location"] == "/intake/step/safety_bladder/"
        assert _intake(patient).answers["ce_saddle_numbness"] == "no"
        # Given back once: the page opened again later shows what is saved, as any page.
        assert patient.client.get("/intake/")["Location"] == "/intake/step/safety_bladder/"


def test_a_page_with_a_mistake_sent_late_is_not_shown_back_before_the_birth_date(patient, settings):
    """Its messages would show nothing typed wrong to a stranger but, for dates, which side of the birth date they
    fall on: asked again and again, that gives the birth date away. So nothing comes back but the birth-date page,
    the same whatever was sent; the page and its messages open after the birth date."""
    from tests.intake.conftest import answer_up_to
    from tests.intake.factories import routine_answers

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    answer_up_to(patient, "back_pain", routine_answers())
    shown = []
    with time_machine.travel(timezone.now() + LATE, tick=False):
        for born_before in ("1985-03-26", "1985-03-28"):  # one either side of the birth date
            response = patient.client.post("/intake/step/back_pain/", {"pain_start_date": born_before})
            assert response["Location"] == "/intake/confirm/"
            shown.append(_without_tokens(patient.client.get("/intake/confirm/").content.decode()))
        assert shown[0] == shown[1]
        assert "must be on or after your date of birth" not in shown[0]
        assert "pain_start_date" not in _intake(patient).answers
        patient.confirm()
        again = patient.client.get("/intake/step/back_pain/").content.decode()
    assert "error-summary" in again  # now, after the birth date: the page as sent, with its messages


def test_what_the_birth_date_page_says_after_a_late_page_depends_only_on_what_was_sent(settings):
    """A stranger posting the same thing to two patients' idle forms learns nothing from the answer: not how far
    each got, nor what they answered before (one has a cancer history and has reached the page; one has not)."""
    from django.test import Client

    from tests.intake.conftest import Patient, answer_up_to
    from tests.intake.factories import make_invitation, routine_answers

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    patients = []
    for history, far in (("yes", True), ("no", False)):
        _invitation, token = make_invitation()
        patient = Patient(Client(), token).sign_in()
        patient.agree()
        if far:
            answer_up_to(patient, "general_health", routine_answers(cancer_history=history))
        patients.append(patient)
    shown = []
    with time_machine.travel(timezone.now() + LATE, tick=False):
        for patient in patients:
            patient.client.post("/intake/step/general_health/", {"cancer_history": "yes", "hands_clumsy": "yes"})
            shown.append(_without_tokens(patient.client.get("/intake/confirm/").content.decode()))
    assert shown[0] == shown[1]
    assert "Get medical help now" not in shown[0]  # no cauda equina answer was sent


def test_reopening_the_emailed_link_while_the_birth_date_is_asked_keeps_an_old_tabs_red_flag(
    patient, settings, alert_calls
):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        assert patient.client.get("/intake/")["Location"] == "/intake/confirm/"
        patient.open_link()  # the e-mail's link, in a new tab of the same browser
        response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})  # the old tab
        assert response["Location"] == "/intake/confirm/"
    assert _intake(patient).answers["ce_saddle_numbness"] == "yes"
    assert len(alert_calls) == 1


def test_an_emergency_already_stored_is_not_shown_to_whoever_opens_the_idle_form(patient, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})  # not acknowledged: off to the ER
    with time_machine.travel(timezone.now() + LATE, tick=False):
        page = patient.client.get("/intake/", follow=True).content.decode()
    assert "First, please confirm it is you" in page
    assert "Get medical help now" not in page
    assert "cauda equina" not in page


def test_a_red_flag_sent_from_a_second_tab_while_the_birth_date_is_asked_is_still_taken(patient, settings, alert_calls):
    from intake.models import Level

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        assert patient.client.get("/intake/step/safety/")["Location"] == "/intake/confirm/"  # one tab: closed
        response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})  # the other tab
        assert response["Location"] == "/intake/confirm/"
        intake = _intake(patient)
        assert intake.answers["ce_saddle_numbness"] == "yes"
        assert alert_calls == [(intake.pk, Level.URGENT, None)]
        page = patient.client.get("/intake/confirm/").content.decode()
        assert "Get medical help now" in page


def test_send_pressed_after_the_limit_is_not_taken_and_the_birth_date_page_says_so(patient, settings):
    from intake.models import Intake
    from tests.intake.factories import routine_answers

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    patient.answer_all(routine_answers())
    with time_machine.travel(timezone.now() + LATE, tick=False):
        assert patient.client.post("/intake/review/")["Location"] == "/intake/confirm/"
        page = patient.client.get("/intake/confirm/").content.decode()
    assert "What you sent was not saved. After your date of birth, please send it again." in page
    assert _intake(patient).status != Intake.Status.SUBMITTED


def test_the_birth_date_page_itself_opened_after_the_limit_asks_for_the_birth_date(patient, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        response = patient.client.get("/intake/confirm/", follow=True)
    assert response.status_code == 200
    assert "First, please confirm it is you" in response.content.decode()


def test_past_the_late_page_window_the_session_is_gone(patient, settings):
    from intake.patient_session import LATE_PAGE_SECONDS

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    gone = datetime.timedelta(seconds=3600 + LATE_PAGE_SECONDS + 60)
    with time_machine.travel(timezone.now() + gone, tick=False):
        response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert "ce_saddle_numbness" not in _intake(patient).answers


def test_a_late_i_agree_is_asked_again_after_the_birth_date_and_leads_nowhere_in_circles(signed_in, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        assert signed_in.agree()["Location"] == "/intake/confirm/"  # the consent page, left open for an hour
        assert signed_in.confirm()["Location"] == "/intake/"
        assert signed_in.client.get("/intake/")["Location"] == "/intake/step/consent/"
        assert signed_in.agree()["Location"] == "/intake/step/safety/"
        # The form goes on as usual: no page sends the patient back and forth.
        signed_in.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
        signed_in.client.post("/intake/important/", {"acknowledged": "on"})
        assert signed_in.client.get("/intake/")["Location"] == "/intake/step/safety/"


def test_a_late_page_that_no_longer_applies_is_not_shown_after_the_birth_date(patient, settings):
    from tests.intake.conftest import answer_up_to
    from tests.intake.factories import routine_answers

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    answer_up_to(patient, "legs", routine_answers(leg_symptoms="yes", leg_side="left", leg_weakness="yes"))
    patient.post_step("legs", routine_answers(leg_symptoms="no"))  # no leg symptoms now: the weakness page is skipped
    with time_machine.travel(timezone.now() + LATE, tick=False):
        patient.client.post("/intake/step/legs_weakness/", {"foot_drop": "no"})
        patient.confirm()
        response = patient.client.get("/intake/", follow=True)
    assert "legs_weakness" not in response.request["PATH_INFO"]
    assert patient.client.get("/intake/")["Location"] != "/intake/step/legs_weakness/"


def test_a_later_late_post_of_another_kind_does_not_wipe_the_advice_or_the_kept_page(patient, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
        patient.client.post("/intake/important/", {"acknowledged": "on"})  # an old tab's button
        page = patient.client.get("/intake/confirm/").content.decode()
        assert "Get medical help now" in page
        patient.confirm()
        patient.client.post("/intake/important/", {"acknowledged": "on"})
        # Acknowledged: on to the page sent late, as sent (not past it).
        assert patient.client.get("/intake/")["Location"] == "/intake/step/safety/"


def test_a_birth_date_page_left_open_overnight_says_the_link_may_still_work(client):
    """Opened in the evening, the right birth date typed next morning after the session ended: the page cannot know
    the link, so it says it does not work, and also that a link opened a while ago may still work if opened again
    from the newest message (it only said to call the clinic)."""
    from tests.intake.factories import BIRTH_DATE, make_invitation

    _, token = make_invitation()
    client.get(f"/intake/start/{token}/")
    date = {f"date_of_birth-{part}": getattr(BIRTH_DATE, part) for part in ("month", "day", "year")}
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=14)):
        page = client.post("/intake/confirm/", date).content.decode()
        assert client.get(f"/intake/start/{token}/").status_code == 302  # the link does still work
    assert "This link does not work" in page
    assert "it may still work. Open it again from the newest message the clinic sent you." in page


def test_a_red_flag_sent_late_from_a_later_page_of_a_form_whose_resume_point_no_page_has_is_taken(
    patient, settings, alert_calls
):
    """The resume point names no page of the form (an older version's): a page after the first question may have
    been reached, so a cauda equina yes sent from it after the idle limit is taken, as from the first question page."""
    from intake.models import Intake, Level, RedFlagAnswer

    Intake.objects.filter(invitation=patient.invitation).update(current_step="a_page_no_longer_asked")
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        response = patient.client.post("/intake/step/safety_bladder/", {"ce_bowel_control": "yes"}, follow=True)

        intake = _intake(patient)
        assert intake.answers.get("ce_bowel_control") == "yes"
        assert RedFlagAnswer.objects.filter(intake=intake, code="ce_bowel_control").exists()
        assert intake.level == Level.URGENT
        assert alert_calls == [(intake.pk, Level.URGENT, None)]
        assert "Get medical help now" in response.content.decode()


def test_a_cauda_equina_yes_sent_late_from_a_page_the_form_no_longer_has_gets_the_advice_at_once(
    patient, settings, alert_calls
):
    """A page of an older version (its address names no page now) sent after the idle limit: its yes is taken as
    from the page that asks it now, and the birth-date page gives the cauda equina advice at once, as for a page the
    form has (it said nothing until the birth date was typed again)."""
    from intake.models import Intake, RedFlagAnswer

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        response = patient.client.post(
            "/intake/step/a_page_no_longer_asked/", {"ce_saddle_numbness": "yes"}, follow=True
        )

        intake = Intake.objects.get(invitation=patient.invitation)
        assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness").exists()
        assert "Get medical help now" in response.content.decode()


def test_a_cauda_equina_yes_sent_late_from_a_page_not_yet_reached_is_taken(patient, settings, alert_calls):
    """A page at an address the form has but the patient has not reached (another form's page there, open in a tab
    since before the form tag) sent after the idle limit: its yes is taken, as on the step page itself; it got the
    advice on the birth-date page, but nothing was stored and the clinic was not told."""
    from intake.models import Level, RedFlagAnswer

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now() + LATE, tick=False):
        patient.client.post("/intake/step/safety_legs/", {"ce_both_legs_weaker": "yes"})

        intake = _intake(patient)
        assert RedFlagAnswer.objects.filter(intake=intake, code="ce_both_legs_weaker", cleared_at=None).exists()
        assert alert_calls == [(intake.pk, Level.URGENT, None)]
