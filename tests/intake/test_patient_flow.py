"""The patient's path through the client: link, birth date, consent, pages, review, one submission, the result page.

Pages and their order: intake.rules.questionnaire.PAGES (tests/intake/test_pages_and_consent.py covers consent, the
review's change links and the receipt; tests/intake/test_red_flag_pages.py the red flags on every page)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.models import Intake, Level
from intake.rules.questionnaire_checks import MSG_REQUIRED
from tests.education.factories import ArticleFactory
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers

pytestmark = pytest.mark.django_db


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


def test_the_link_is_checked_once_and_every_later_page_has_no_token_in_its_address(client):
    _, token = make_invitation()
    first = client.get(f"/intake/start/{token}/")
    assert first.status_code == 302
    assert first["Location"] == "/intake/confirm/"
    page = client.get("/intake/confirm/")
    assert token not in page.content.decode()
    confirmed = client.post("/intake/confirm/", {"date_of_birth": "1985-03-27"}, follow=True)
    for url, _ in confirmed.redirect_chain:
        assert token not in url
    assert confirmed.request["PATH_INFO"] == "/intake/step/consent/"


def test_no_question_is_shown_before_the_birth_date_is_confirmed(client):
    _, token = make_invitation()
    client.get(f"/intake/start/{token}/")
    for path in (
        "/intake/step/consent/",
        "/intake/step/safety/",
        "/intake/step/about/",
        "/intake/review/",
        "/intake/done/",
        "/intake/done/answers/",
        "/intake/",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()


def test_a_wrong_birth_date_gets_a_message_and_the_tries_left(client):
    _, token = make_invitation()
    client.get(f"/intake/start/{token}/")
    response = client.post("/intake/confirm/", {"date_of_birth": "1990-01-01"})
    assert response.status_code == 200
    assert "does not match our records" in response.content.decode()
    assert "try 4 more times" in response.content.decode()


def test_the_same_wrong_birth_date_sent_twice_from_one_browser_costs_one_try(client):
    """A double tap or a reload sent the same wrong date again: it cost two of the five tries. The same date from
    another browser, or after another wrong one, still counts."""
    invitation, token = make_invitation()
    client.get(f"/intake/start/{token}/")
    client.post("/intake/confirm/", {"date_of_birth": "1990-01-01"})
    again = client.post("/intake/confirm/", {"date_of_birth": "1990-01-01"})
    assert "try 4 more times" in again.content.decode()
    client.post("/intake/confirm/", {"date_of_birth": "1990-01-02"})
    client.post("/intake/confirm/", {"date_of_birth": "1990-01-01"})
    other = Client()
    other.get(f"/intake/start/{token}/")
    other.post("/intake/confirm/", {"date_of_birth": "1990-01-01"})
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 4
    assert "1990" not in str(client.session.items())  # a keyed digest in the session, never the date


def test_five_wrong_birth_dates_lock_the_link_and_tell_the_front_desk_without_naming_the_patient(client):
    invitation, token = make_invitation(name="Jordan Quill")
    client.get(f"/intake/start/{token}/")
    for day in range(1, 5):
        client.post("/intake/confirm/", {"date_of_birth": f"1990-01-{day:02d}"})
    locked = client.post("/intake/confirm/", {"date_of_birth": "1990-01-05"})
    assert locked.status_code == 403
    assert "Please call us" in locked.content.decode()
    invitation.refresh_from_db()
    assert invitation.locked_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["front-desk@clinic.example"]
    assert "Jordan" not in f"{mail.outbox[0].subject} {mail.outbox[0].body}"
    assert f"#{invitation.pk}" in mail.outbox[0].subject
    # Even the right date no longer opens it, and the link now shows the generic page.
    client.get(f"/intake/start/{token}/")
    assert client.post("/intake/confirm/", {"date_of_birth": "1985-03-27"}).status_code == 404
    assert client.get(f"/intake/start/{token}/").status_code == 404


def test_a_lockout_goes_to_the_on_call_list_when_no_front_desk_address_is_set(client, settings):
    settings.FRONT_DESK_EMAILS = []
    _, token = make_invitation()
    client.get(f"/intake/start/{token}/")
    for day in range(1, 6):
        client.post("/intake/confirm/", {"date_of_birth": f"1990-01-{day:02d}"})
    assert [message.to for message in mail.outbox] == [["on-call@clinic.example"]]


def test_unknown_expired_locked_and_used_links_all_get_the_same_page(client, settings):
    unknown = "not-a-real-token-at-all"
    expired_invitation, expired = make_invitation(appointment_at=timezone.now() - datetime.timedelta(hours=1))
    expired_invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    expired_invitation.save()
    locked_invitation, locked = make_invitation()
    locked_invitation.locked_at = timezone.now()
    locked_invitation.save()
    _, used = make_invitation()
    Patient(client, used).sign_in().answer_all(routine_answers())
    client.post("/intake/review/")
    other_browser = type(client)()
    pages = [other_browser.get(f"/intake/start/{token}/") for token in (unknown, expired, locked, used)]
    assert {page.status_code for page in pages} == {404}
    # The language switcher's form carries a fresh CSRF token each time; everything else must be the same.
    texts = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.content.decode()) for page in pages]
    assert all(settings.CLINIC_PHONE in text and "This link does not work" in text for text in texts)
    assert "Are both legs getting weaker? Do you have new trouble with erections" in texts[0]
    assert len(set(texts)) == 1  # byte for byte the same: nothing tells the four cases apart


def test_the_link_ends_at_the_end_of_the_day_after_the_appointment(client):
    appointment = timezone.make_aware(datetime.datetime(2030, 5, 6, 9, 30))
    invitation, token = make_invitation(appointment_at=appointment)
    assert timezone.localtime(invitation.expires_at) == timezone.make_aware(datetime.datetime(2030, 5, 8, 0, 0))
    with time_machine.travel(timezone.make_aware(datetime.datetime(2030, 5, 7, 23, 59)), tick=False):
        assert client.get(f"/intake/start/{token}/").status_code == 302
    with time_machine.travel(timezone.make_aware(datetime.datetime(2030, 5, 8, 0, 1)), tick=False):
        assert client.get(f"/intake/start/{token}/").status_code == 404


def test_pages_show_their_step_out_of_seven_and_move_on_with_next(patient):
    page = patient.client.get("/intake/step/safety/")
    assert "Step 1 of 7" in page.content.decode()
    assert "Safety check" in page.content.decode()
    response = patient.post_step("safety", routine_answers())
    assert response["Location"] == "/intake/step/safety_bladder/"
    for slug in ("safety_bladder", "safety_legs"):
        patient.post_step(slug, routine_answers())
    page = patient.client.get("/intake/step/about/")  # no "when did it start" page after seven "no"s
    assert "Step 2 of 7" in page.content.decode()
    assert '<a class="back-link" href="/intake/step/safety_legs/">Back</a>' in page.content.decode()


def test_the_birth_date_is_asked_once_and_comes_from_the_link_it_opened(patient):
    answer_up_to(patient, "about", routine_answers())
    page = patient.client.get("/intake/step/about/").content.decode()
    assert "date_of_birth" not in page
    assert Intake.objects.get(invitation=patient.invitation).answers["date_of_birth"] == "1985-03-27"


def test_a_patient_cannot_skip_ahead_of_the_first_unanswered_step(patient):
    response = patient.client.get("/intake/step/running/")
    assert response.status_code == 302
    assert response["Location"] == "/intake/"
    assert patient.client.get("/intake/review/")["Location"] == "/intake/"


def test_going_back_shows_the_saved_answers_and_changing_them_keeps_the_place(patient):
    answers = routine_answers()
    answer_up_to(patient, "legs", answers)
    page = patient.client.get("/intake/step/about/").content.decode()
    assert 'value="5"' in page
    assert 'value="6.1"' in page
    patient.post_step("about", {**answers, "height_cm": 170})
    assert _intake(patient).answers["height_cm"] == 170
    assert patient.client.get("/intake/")["Location"] == "/intake/step/legs/"


def test_reopening_the_link_in_a_new_browser_resumes_where_the_patient_left_off(client, patient):
    answers = routine_answers()
    answer_up_to(patient, "legs", answers)
    fresh = type(client)()
    again = Patient(fresh, patient.token)
    again.open_link()
    # Answers already given: a new browser is asked for the code emailed to the patient (test_renewed_links.py).
    assert again.confirm()["Location"] == "/intake/code/"
    found = re.search(r"Your code is: ([0-9]{6})", str(mail.outbox[-1].body))
    assert found is not None
    code = found.group(1)
    resumed = fresh.post("/intake/code/", {"code": code})
    assert resumed["Location"] == "/intake/"
    assert fresh.get("/intake/")["Location"] == "/intake/step/legs/"
    page = fresh.get("/intake/step/back_pain/").content.decode()
    assert 'value="running" checked' in page


def test_a_wrong_answer_gets_a_message_next_to_it_and_a_linked_summary_and_nothing_is_saved(patient):
    answers = routine_answers()
    answer_up_to(patient, "about", answers)
    response = patient.client.post(
        "/intake/step/about/", {"sex": "male", "height_cm-ft": "9", "height_cm-in": "1", "weight_kg-lb": "150"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    message = "Enter a height between 1 ft 8 in and 8 ft 2 in"
    assert '<div class="alert alert-danger error-summary"' in page
    assert f'<a href="#id_height_cm-ft">{message}</a>' in page
    assert 'id="error_height_cm"' in page
    assert 'value="150"' in page  # the other answers stay on the page
    assert 'value="9"' in page  # and so does the wrong one, to fix
    assert "sex" not in _intake(patient).answers  # nothing from this page was saved
    assert "<title>Error:" in page


def test_a_missing_answer_on_a_radio_question_links_to_its_first_choice(patient):
    answers = routine_answers()
    del answers["ce_bowel_control"]
    answer_up_to(patient, "safety_bladder", answers)
    page = patient.post_step("safety_bladder", answers).content.decode()
    assert f'<a href="#id_ce_bowel_control_0">{MSG_REQUIRED}</a>' in page
    assert 'id="id_ce_bowel_control_0"' in page


def test_follow_up_questions_are_on_the_page_but_hidden_until_they_apply(patient):
    answer_up_to(patient, "legs", routine_answers())
    page = patient.client.get("/intake/step/legs/").content.decode()
    assert 'id="q-leg_side" data-show-if=' in page
    opening_tag = page.split('id="q-leg_side"')[1].split(">", 1)[0]  # the attributes' values escape ">"
    assert opening_tag.endswith(" hidden")


def test_answers_to_questions_that_do_not_apply_are_not_stored(patient):
    answers = routine_answers()
    answer_up_to(patient, "legs", answers)
    patient.post_step("legs", {**answers, "leg_symptoms": "no", "leg_side": "both", "leg_weakness": "banana"})
    stored = _intake(patient).answers
    assert stored["leg_symptoms"] == "no"
    assert "leg_side" not in stored
    assert "leg_weakness" not in stored


def test_a_follow_up_that_now_applies_must_be_answered(patient):
    answers = routine_answers()
    answer_up_to(patient, "legs", answers)
    response = patient.post_step("legs", {**answers, "leg_symptoms": "yes"})
    assert response.status_code == 200
    assert '<a href="#id_leg_side_0">' in response.content.decode()


def test_a_safety_concern_shows_the_emergency_page_at_once_and_stores_the_intake_as_urgent(patient, alert_calls):
    answers = routine_answers(ce_urine_leak_or_no_sensation="not_sure", ce_onset="within_14_days")
    answer_up_to(patient, "safety_bladder", answers)
    response = patient.post_step("safety_bladder", answers)
    assert response["Location"] == "/intake/important/"
    intake = _intake(patient)
    assert intake.level == Level.URGENT
    assert list(intake.flags.values_list("code", flat=True)) == ["CE4"]
    assert alert_calls == [(intake.pk, Level.URGENT, None)]
    page = patient.client.get("/intake/important/").content.decode()
    assert "Go to the nearest emergency room now" in page
    assert 'href="tel:911"' in page


def test_after_the_emergency_page_the_patient_continues_only_once_they_confirm_reading_it(patient, alert_calls):
    patient.post_step("safety", routine_answers(ce_saddle_numbness="yes", ce_onset="getting_worse"))
    assert patient.client.get("/intake/step/about/")["Location"] == "/intake/important/"
    unticked = patient.client.post("/intake/important/", {})
    assert unticked.status_code == 200
    html = unticked.content.decode()
    # A summary by the form (it takes the focus: intake.js) links to the box, far below the message on a phone.
    summary = html.index("data-error-summary")
    assert html.index("Get medical help now") < summary < html.index('id="id_acknowledged"')
    assert '<a href="#id_acknowledged">Please check the box to show you have read this message.</a>' in html
    ticked = patient.client.post("/intake/important/", {"acknowledged": "on"})
    assert ticked["Location"] == "/intake/"
    assert patient.client.get("/intake/")["Location"] == "/intake/step/safety_bladder/"
    # Saving the safety page again does not alert staff a second time.
    patient.post_step("safety", routine_answers(ce_saddle_numbness="yes", ce_onset="getting_worse"))
    assert len(alert_calls) == 1


def test_the_review_page_lists_every_answer_with_a_change_link_each(patient):
    patient.save_all(routine_answers(visit_goals="<b>Run a marathon</b>"))
    page = patient.client.get("/intake/review/").content.decode()
    assert "Check your answers" in page
    assert "Running as usual" not in page
    assert "running less than usual" in page
    assert page.count("?next=review#q-") == page.count('<div class="summary-row">') > 40
    assert "&lt;b&gt;Run a marathon&lt;/b&gt;" in page  # text shown as text, never HTML


def test_changing_an_answer_from_the_review_page_comes_back_to_it(patient):
    patient.save_all(routine_answers())
    response = patient.post_step("about", routine_answers(height_cm=171), next="review")
    assert response["Location"] == "/intake/review/#review-about"  # its step opened there
    assert _intake(patient).answers["height_cm"] == 171


def test_sending_twice_makes_one_submission_and_shows_the_same_receipt(patient):
    patient.save_all(routine_answers())
    first = patient.client.post("/intake/review/")
    second = patient.client.post("/intake/review/")
    assert first["Location"] == second["Location"] == "/intake/done/"
    intake = _intake(patient)
    assert intake.status == Intake.Status.SUBMITTED
    assert len([m for m in mail.outbox if "has your answers" in m.subject]) == 1
    # The back button to a step or the review page leads to the receipt, not an editable form.
    assert patient.client.get("/intake/step/visit/")["Location"] == "/intake/done/"
    late_post = patient.client.post("/intake/step/visit/", {})  # from a tab left open: says it was not added
    assert (late_post.status_code, "Your form was already sent" in late_post.content.decode()) == (409, True)
    assert patient.client.get("/intake/review/")["Location"] == "/intake/done/"


def test_a_routine_receipt_thanks_the_patient_and_lists_the_recommended_reading(patient):
    ArticleFactory.create(slug="building-mileage-safely", title="Building mileage safely")
    patient.save_all(routine_answers())
    patient.client.post("/intake/review/")
    page = patient.client.get("/intake/done/").content.decode()
    assert "We have your answers" in page
    assert "Building mileage safely" in page
    assert "Get medical help now" not in page
    assert "Reading picked for you" in page


def test_a_serious_result_says_a_clinician_will_call_today_and_lists_the_warning_signs(patient):
    # Sent on a Tuesday at 10:00 in the clinic's time zone, inside the default hours (Mon-Fri 08:00-17:00).
    in_hours = timezone.make_aware(datetime.datetime(2026, 12, 1, 10, 0))
    with time_machine.travel(in_hours, tick=False):
        patient.answer_all(routine_answers(cancer_history="yes"))
        patient.client.post("/intake/review/")
        page = patient.client.get("/intake/done/").content.decode()
    assert "A clinician will call you today" in page
    assert "Both legs getting weaker" in page


def test_an_urgent_result_shows_the_emergency_message_on_the_receipt(patient):
    patient.answer_all(routine_answers(ce_bowel_control="yes", ce_onset="within_14_days"))
    patient.client.post("/intake/review/")
    page = patient.client.get("/intake/done/").content.decode()
    assert "Get medical help now" in page
    assert _intake(patient).level == Level.URGENT


def test_after_sending_the_link_shows_the_receipt_to_this_browser_only(client, patient):
    patient.save_all(routine_answers())
    patient.client.post("/intake/review/")
    assert patient.open_link()["Location"] == "/intake/"
    stranger = type(client)()
    page = stranger.get(f"/intake/start/{patient.token}/")
    assert page.status_code == 404


def test_one_patients_browser_never_shows_another_patients_answers(client):
    _, first_token = make_invitation(name="First Person")
    second_invitation, second_token = make_invitation(name="Second Person", date_of_birth=datetime.date(1970, 1, 2))
    first = Patient(client, first_token).sign_in()
    first.answer_all(routine_answers(visit_goals="FIRST-PATIENT-GOAL"))
    # The same browser opens the second patient's link: the first patient's answers are gone from it at once.
    first.client.get(f"/intake/start/{second_token}/")
    for path in ("/intake/review/", "/intake/step/visit/", "/intake/done/"):
        assert "FIRST-PATIENT-GOAL" not in client.get(path).content.decode()
    second = Patient(client, second_token)
    second.confirm("1970-01-02")
    assert client.get("/intake/")["Location"] == "/intake/step/consent/"
    assert "FIRST-PATIENT-GOAL" not in client.get("/intake/step/visit/", follow=True).content.decode()
    # And the second patient's birth date does not open the first patient's link.
    other = type(client)()
    other.get(f"/intake/start/{first_token}/")
    assert other.post("/intake/confirm/", {"date_of_birth": "1970-01-02"}).status_code == 200
    assert Intake.objects.filter(invitation=second_invitation).get().answers == {}


def test_patient_pages_are_never_cached(patient):
    response = patient.client.get("/intake/step/safety/")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_step_page_and_a_step_save_take_a_handful_of_queries(patient, django_assert_max_num_queries):
    answer_up_to(patient, "about", routine_answers())
    # session read, intake with its invitation, session write (+ savepoint pair)
    with django_assert_max_num_queries(5):
        patient.client.get("/intake/step/about/")
    # session, intake, locked re-read and update (+ savepoints), fresh copy, session write
    with django_assert_max_num_queries(10):
        patient.post_step("about", routine_answers())


def test_recommended_articles_link_to_their_pages(patient):
    ArticleFactory.create(slug="strength-and-core-training", title="Strength and core training")
    patient.save_all(routine_answers())
    patient.client.post("/intake/review/")
    page = patient.client.get("/intake/done/").content.decode()
    assert '<a href="/articles/strength-and-core-training/">Strength and core training</a>' in page


def test_a_recommended_article_that_is_still_a_draft_is_not_shown_to_the_patient(patient):
    ArticleFactory.create(slug="strength-and-core-training", title="Strength and core training", status="draft")
    patient.save_all(routine_answers())
    patient.client.post("/intake/review/")
    page = patient.client.get("/intake/done/").content.decode()
    assert "Strength and core training" not in page


def test_a_step_saved_in_one_tab_after_sending_from_another_says_it_was_not_added(client, patient):
    from intake import services

    patient.save_all(routine_answers())
    page = patient.client.get("/intake/step/visit/")  # the second tab has the last step open
    assert page.status_code == 200
    services.submit_intake(_intake(patient), now=timezone.now())  # the first tab sends
    response = patient.post_step("visit", routine_answers(worries="one more thing"))
    assert response.status_code == 409
    assert "What you just sent was not added to your form" in response.content.decode()
    assert "/intake/done/" in response.content.decode()  # the way to the receipt
    assert "worries" not in _intake(patient).answers


def test_every_choice_ticked_on_a_page_is_kept(patient):
    """What makes the pain worse, three ticked: all three are stored and shown ticked again. (The tests' own browser
    sent only the last of them until the stop-32 audit: `tests.intake.factories.post_data`.)"""
    answers = routine_answers(worse_with=["sitting", "walking", "coughing"])
    answer_up_to(patient, "back_pain_where", answers)

    assert patient.post_step("back_pain_where", answers).status_code == 302

    stored = Intake.objects.get(invitation=patient.invitation).answers
    assert stored["worse_with"] == ["sitting", "walking", "coughing"]
    page = patient.client.get("/intake/step/back_pain_where/").content.decode()
    assert len(re.findall(r'name="worse_with"[^>]* checked', page)) == 3


def test_a_patient_whose_confirmed_birth_date_is_outside_the_forms_ages_can_still_send(client):
    """An invitation made before the front desk's form checked the age (12-110): the patient typed the date to get in,
    answered every page, and "Send" sent them back to "About you", which does not ask it, with nothing to fix, for
    ever (the stop-32 audit). It is sent; staff see the date on the intake."""
    today = timezone.localdate()
    born = datetime.date(today.year - 9, 7, 1)  # 8 or 9 years old
    invitation, token = make_invitation(date_of_birth=born)
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.open_link()
    assert patient.confirm(born.isoformat()).status_code == 302
    assert patient.agree().status_code == 302
    patient.answer_all(routine_answers(date_of_birth=born, pain_start_date=today - datetime.timedelta(days=20)))

    response = client.post("/intake/review/")

    assert response["Location"] == "/intake/done/"
    assert Intake.objects.get(invitation=invitation).status == Intake.Status.SUBMITTED


def test_coming_back_after_a_change_from_the_review_opens_the_page_the_change_opened(patient, client):
    """Leg symptoms changed to yes from the review page opens the leg-weakness page; coming back through the link
    led to the review, its new questions "Not answered", until "Send" (the stop-32 audit). In this browser and in
    another one (where the page is found as the first that would stop "Send")."""
    patient.save_all(routine_answers())
    legs = routine_answers(
        leg_symptoms="yes",
        leg_side="left",
        leg_pain_lowest_point="below_knee",
        worse_back_or_leg="leg",
        leg_numbness_tingling="yes",
    )
    opened = patient.post_step("legs", legs, next="review")
    assert opened["Location"] == "/intake/step/legs_weakness/?next=review"

    assert patient.client.get("/intake/")["Location"] == "/intake/step/legs_weakness/?next=review"
    # Another browser has only what is stored: the page is the first whose answers would stop "Send".
    session = patient.client.session
    session["intake_patient"] = {k: v for k, v in session["intake_patient"].items() if k != "opened_pages"}
    session.save()
    assert patient.client.get("/intake/")["Location"] == "/intake/step/legs_weakness/?next=review"
    # Once answered, back to the review.
    answered = {**legs, "leg_weakness": "no", "sitting_eases": "no", "walking_distance_m": 500}
    assert patient.post_step("legs_weakness", answered, next="review").status_code == 302
    assert patient.client.get("/intake/")["Location"] == "/intake/review/"
