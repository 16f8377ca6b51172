"""Consent before the first question, pages skipped when nothing on them is asked, the review page's change links
(and the one place `?next=` may lead), the receipt's appointment and reference, the printable copy, and "Exit"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from intake.models import Intake, RedFlagAnswer
from intake.references import intake_id_for
from intake.rules.questionnaire import PAGE_SLUGS, PAGES
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers

pytestmark = pytest.mark.django_db


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


# --- consent --------------------------------------------------------------------------------------------------------


def test_consent_is_the_first_page_after_the_birth_date_and_nothing_is_stored_before_it(signed_in, settings):
    page = signed_in.client.get("/intake/").url
    assert page == "/intake/step/consent/"
    html = signed_in.client.get(page).content.decode()
    assert "Before you start" in html
    assert "Nothing you answer is saved until you agree." in html
    assert PAGES[0].slug == "consent"
    assert len(PAGES[0].questions) == 1
    # Every question page and the review send the patient back to the consent page, and store nothing on the way.
    for slug in PAGE_SLUGS[1:4]:
        assert signed_in.client.get(f"/intake/step/{slug}/")["Location"] == "/intake/step/consent/"
    posted = signed_in.post_step("safety", routine_answers(ce_saddle_numbness="yes", ce_onset="within_14_days"))
    assert posted["Location"] == "/intake/step/consent/"
    assert signed_in.client.get("/intake/review/")["Location"] == "/intake/step/consent/"
    intake = _intake(signed_in)
    assert intake.answers == {}
    assert intake.level is None
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()


def _before_the_question(html: str, text: str) -> bool:
    """`text` is on the consent page, above its question (the "I agree" button)."""
    return text in html and html.index(text) < html.index("I agree: start the form")


def test_a_cauda_equina_yes_sent_before_the_consent_gets_its_advice_on_the_consent_page_once_storing_nothing(
    signed_in,
):
    # An old tab's safety page, sent before the patient agreed: nothing may be stored, but the advice needs no storage.
    posted = signed_in.post_step("safety", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert posted["Location"] == "/intake/step/consent/"  # the address says nothing of what was sent
    html = signed_in.client.get(posted["Location"]).content.decode()
    assert _before_the_question(html, "Get medical help now")
    assert "cauda equina syndrome" in html
    assert "numbness or tingling between my legs, around my bottom or my genitals" in html  # the sign they ticked
    assert "Our team has been told" not in html  # it has not: nothing was stored
    assert "Nothing you sent is saved until you agree" in html
    # Once: the consent page opened again is the plain one.
    again = signed_in.client.get("/intake/step/consent/").content.decode()
    assert "Get medical help now" not in again
    assert "Before you start" in again
    intake = _intake(signed_in)
    assert intake.answers == {}
    assert intake.level is None
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()


def test_the_advice_for_a_yes_sent_before_the_consent_is_given_in_spanish_too(signed_in):
    signed_in.client.cookies["django_language"] = "es"
    signed_in.post_step("safety_bladder", {"ce_bowel_control": "not_sure"})
    html = signed_in.client.get("/intake/step/consent/").content.decode()
    assert "Vaya ahora a la sala de emergencias" in html
    assert "síndrome de cauda equina" in html
    assert "Nada de lo que envió se guarda hasta que acepte" in html
    assert _intake(signed_in).answers == {}


def test_the_advice_before_the_consent_comes_back_once_in_the_language_chosen_right_after_it(signed_in):
    signed_in.post_step("safety", {"ce_saddle_numbness": "yes"})
    assert "Get medical help now" in signed_in.client.get("/intake/step/consent/").content.decode()

    switched = signed_in.client.post("/i18n/setlang/", {"language": "es", "next": "/intake/step/consent/"}, follow=True)

    html = switched.content.decode()
    assert "Vaya ahora a la sala de emergencias" in html
    assert "Nada de lo que envió se guarda hasta que acepte" in html
    # Once in the new language; a reload is the plain consent page.
    assert "Vaya ahora a la sala de emergencias" not in signed_in.client.get("/intake/step/consent/").content.decode()


def test_another_red_flag_sent_before_the_consent_is_said_not_saved_yet_with_the_warning_signs(signed_in, settings):
    # A fever (SP3) alone is no emergency: the call-back it would bring needs it stored, so the page says it is not.
    signed_in.post_step("general_health", {"fever_unwell": "yes"})
    html = signed_in.client.get("/intake/step/consent/").content.decode()
    assert "Get medical help now" not in html
    assert _before_the_question(html, "You answered a question about a warning sign")
    assert "Are both legs getting weaker?" in html  # the warning signs line
    assert _intake(signed_in).answers == {}
    assert not RedFlagAnswer.objects.filter(intake=_intake(signed_in)).exists()


def test_a_page_with_no_red_flag_sent_before_the_consent_adds_nothing_to_the_consent_page(signed_in):
    signed_in.post_step("safety", {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no"})
    html = signed_in.client.get("/intake/step/consent/").content.decode()
    assert "Get medical help now" not in html
    assert "warning sign" not in html


def test_a_cauda_equina_yes_on_a_page_of_an_older_version_sent_before_the_consent_gets_the_advice(signed_in):
    response = signed_in.client.post("/intake/step/safety_old/", {"ce_bowel_control": "yes"})
    assert response["Location"] == "/intake/"
    html = signed_in.client.get("/intake/", follow=True).content.decode()
    assert _before_the_question(html, "Get medical help now")
    assert _intake(signed_in).answers == {}


def test_agreeing_stores_the_consent_and_the_confirmed_birth_date_and_opens_the_first_question(signed_in):
    response = signed_in.agree()
    assert response["Location"] == "/intake/step/safety/"
    assert _intake(signed_in).answers == {"consent": True, "date_of_birth": "1985-03-27"}
    # Agreed once: the consent page is not shown again.
    assert signed_in.client.get("/intake/step/consent/")["Location"] == "/intake/"


def test_declining_says_to_call_the_clinic_and_stores_nothing(signed_in, settings):
    response = signed_in.client.post("/intake/step/consent/", {"consent": "no"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please call us instead" in html
    assert f'href="tel:{_digits(settings.CLINIC_PHONE)}"' in html  # "(555) 010-0100", dialled without spaces
    assert "We have not saved anything." in html
    # The only advice they get: every cauda equina warning sign, as after the form.
    assert 'class="signs-box"' in html
    assert "A change in getting an erection or ejaculating, or less feeling in your genitals" in html
    assert "Both legs getting weaker, or new weakness in both legs" in html
    assert _intake(signed_in).answers == {}
    assert signed_in.client.get("/intake/")["Location"] == "/intake/step/consent/"


def test_consent_without_a_choice_asks_for_one(signed_in):
    html = signed_in.client.post("/intake/step/consent/", {}).content.decode()
    assert "Choose whether you agree to share your answers" in html
    assert _intake(signed_in).answers == {}


def test_the_age_rules_see_the_birth_date_from_the_link(client):
    """SP8 needs the age: a first episode of back pain after 50 is a weak flag; with a second one (SP9) serious."""
    invitation, token = make_invitation(date_of_birth=datetime.date(1950, 1, 2))
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.open_link()
    patient.confirm("1950-01-02")
    patient.answer_all(routine_answers(date_of_birth=None, first_episode="yes", night_rest_pain="yes"))
    patient.client.post("/intake/review/")
    intake = _intake(patient)
    assert intake.answers["date_of_birth"] == "1950-01-02"
    assert {"SP8", "SP9", "W2"} <= set(intake.flags.values_list("code", flat=True))


# --- pages ----------------------------------------------------------------------------------------------------------


def test_pages_whose_questions_are_not_asked_are_skipped_both_ways(patient):
    answers = routine_answers(running_status="not_a_runner")
    answer_up_to(patient, "running", answers)
    assert patient.post_step("running", answers)["Location"] == "/intake/step/visit/"
    html = patient.client.get("/intake/step/visit/").content.decode()
    assert 'href="/intake/step/running/">Back</a>' in html
    # Opened by hand, a skipped page moves on instead of showing questions that are not asked.
    assert patient.client.get("/intake/step/running_gear/")["Location"] == "/intake/step/visit/"


def test_the_when_did_it_start_page_follows_a_safety_concern_on_any_of_the_three_pages(patient):
    answers = routine_answers(ce_sexual_change="not_sure")
    answer_up_to(patient, "safety_legs", answers)
    assert patient.post_step("safety_legs", answers)["Location"] == "/intake/important/"
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    assert patient.client.get("/intake/")["Location"] == "/intake/step/safety_onset/"
    html = patient.client.get("/intake/step/safety_onset/").content.decode()
    assert "When did the change you marked start?" in html
    assert "data-show-if" not in html.split('id="q-ce_onset"')[1].split(">")[0]  # shown outright on its own page
    response = patient.post_step("safety_onset", {})
    assert response.status_code == 200
    assert "Please answer this question." in response.content.decode()
    assert patient.post_step("safety_onset", {"ce_onset": "getting_worse"})["Location"] == "/intake/step/about/"
    assert _intake(patient).answers["ce_onset"] == "getting_worse"


# --- the review page ------------------------------------------------------------------------------------------------


def test_each_change_link_is_named_after_its_question_and_opens_its_page(patient):
    patient.save_all(routine_answers())
    html = patient.client.get("/intake/review/").content.decode()
    link = re.search(r'<a href="([^"]+)">Change<span class="visually-hidden"> How much do you weigh\?</span></a>', html)
    assert link is not None
    assert link.group(1) == "/intake/step/about/?next=review#q-weight_kg"
    page = patient.client.get(link.group(1)).content.decode()
    assert "Save and go back to your answers" in page
    assert '<input type="hidden" name="next" value="review">' in page
    assert '<a class="back-link" href="/intake/review/">Back to your answers</a>' in page


def test_each_step_of_the_review_page_counts_only_the_questions_answered(patient):
    patient.save_all(routine_answers())
    html = patient.client.get("/intake/review/").content.decode()
    sections = re.findall(r'<details class="review-section review-step".*?</details>', html, flags=re.S)
    assert sections
    some_unanswered = False
    for section in sections:
        rows = section.count('<dt class="summary-key">')
        unanswered = section.count("Not answered")
        some_unanswered |= unanswered > 0
        count = re.search(r'<span class="review-count">\s*(\d+) answers?', section)
        assert count is not None
        assert int(count.group(1)) == rows - unanswered, section[:200]
    assert some_unanswered  # the routine answers skip some optional questions: the count leaves them out


def test_the_printable_copy_and_the_receipt_give_the_sending_time_as_the_appointment_does(patient):
    patient.answer_all(routine_answers())
    patient.client.post("/intake/review/")
    sent = timezone.localtime(_intake(patient).submitted_at)
    expected = f"{sent:%A, %B} {sent.day}, {sent.year} at {sent:%-I:%M %p}"
    for path in ("/intake/done/", "/intake/done/answers/"):
        html = " ".join(patient.client.get(path).content.decode().split())
        assert expected in html, path
        assert ".." not in html


def test_a_safety_change_from_the_review_page_leads_past_the_emergency_page_to_the_question_it_opened(patient):
    patient.save_all(routine_answers())
    response = patient.client.post(
        "/intake/step/safety/?next=review",
        {"ce_saddle_numbness": "not_sure", "ce_wiping_sensation": "no", "next": "review"},
    )
    assert response["Location"] == "/intake/important/"
    ticked = patient.client.post("/intake/important/", {"acknowledged": "on"})
    assert ticked["Location"] == "/intake/step/safety_onset/?next=review"  # "When did it start?", then the review
    # The question it opened is asked plainly: no message before the patient has had a chance to answer it (the
    # stop-28 audit: "Please answer this question." was already there).
    opened = patient.client.get(ticked["Location"]).content.decode()
    assert "Please answer this question." not in opened
    assert 'id="error_ce_onset"' not in opened
    # "Send" pressed before answering it: the same page says what it is waiting for.
    sent = patient.client.post("/intake/review/")
    assert sent["Location"] == "/intake/step/safety_onset/?next=review"
    assert 'id="error_ce_onset"' in patient.client.get(sent["Location"]).content.decode()
    saved = patient.client.post("/intake/step/safety_onset/", {"ce_onset": "within_14_days", "next": "review"})
    assert saved["Location"].startswith("/intake/review/")


def test_an_optional_single_choice_question_offers_a_button_to_clear_it_and_a_required_one_does_not(patient):
    answer_up_to(patient, "back_pain_activities_more", routine_answers())
    optional = patient.client.get("/intake/step/back_pain_activities_more/").content.decode()
    for code in ("psfs_2", "psfs_3"):
        assert (
            f'<button type="button" class="btn btn-link btn-sm clear-answer" data-clear="{code}" hidden>'
            "Clear this answer</button>"
        ) in optional  # shown by intake.js; a rating tapped for an activity not named can be taken back
    required = patient.client.get("/intake/step/safety/").content.decode()
    assert "clear-answer" not in required


def test_a_change_that_opens_a_skipped_page_goes_there_before_the_review(patient):
    patient.save_all(routine_answers())
    response = patient.post_step(
        "legs",
        routine_answers(
            leg_symptoms="yes", leg_side="left", leg_pain_lowest_point="thigh", worse_back_or_leg="back",
            leg_numbness_tingling="no",
        ),
        next="review",
    )  # fmt: skip
    assert response["Location"] == "/intake/step/legs_weakness/?next=review"
    answers = routine_answers(leg_weakness="no", sitting_eases="no")
    assert patient.post_step("legs_weakness", answers, next="review")["Location"] == "/intake/review/#review-legs"


def test_a_change_that_opens_optional_questions_shows_each_page_they_are_on_before_the_review(patient):
    """An earlier pain start date opens the inflammatory back pain questions (all optional, on two pages): they were
    left as "Not answered" inside a closed section of the review, so the IBP flag could not be raised."""
    patient.save_all(routine_answers())
    changed = routine_answers(pain_start_date=datetime.date(2024, 1, 15))  # began at 38, over 3 months: IBP window
    response = patient.post_step("back_pain", changed, next="review")
    assert response["Location"] == "/intake/step/back_pain_morning/?next=review"
    html = patient.client.get(response["Location"]).content.decode()
    assert 'name="wakes_second_half_night"' in html
    response = patient.post_step("back_pain_morning", {**changed, "wakes_second_half_night": "yes"}, next="review")
    assert response["Location"] == "/intake/step/back_pain_family/?next=review"
    response = patient.post_step("back_pain_family", changed, next="review")  # left blank: they are optional
    assert response["Location"] == "/intake/review/#review-back_pain"
    assert _intake(patient).answers["wakes_second_half_night"] == "yes"
    # A later change from the review that opens nothing goes straight back.
    assert patient.post_step("about", routine_answers(), next="review")["Location"] == "/intake/review/#review-about"


def test_pages_opened_by_a_change_are_each_shown_once_when_one_has_required_questions(patient):
    """A non-runner who becomes a runner from the review: the running pages open, one with required questions. The
    page reached through its required questions stayed queued and came up a second time."""
    patient.save_all({**routine_answers(), "running_status": "not_a_runner"})
    runner = routine_answers()
    shown = []
    response = patient.post_step("running", runner, next="review")
    while response["Location"].startswith("/intake/step/"):
        slug = response["Location"].split("/")[3]
        shown.append(slug)
        assert len(shown) < 10
        response = patient.post_step(slug, runner, next="review")
    assert response["Location"].startswith("/intake/review/")
    assert len(shown) == len(set(shown)), shown
    assert "running_gear" in shown


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example", "/staff/queue/", "done", " review"])
def test_next_leads_back_to_the_review_page_and_nowhere_else(patient, elsewhere):
    patient.save_all(routine_answers())
    response = patient.post_step("about", routine_answers(), next=elsewhere)
    assert response["Location"] == "/intake/step/back_pain/"  # the usual next page
    html = patient.client.get(f"/intake/step/about/?next={elsewhere}").content.decode()
    assert '<input type="hidden" name="next" value=' not in html.split("data-intake-step")[1]
    assert "Back to your answers" not in html


# --- the receipt, the printable copy, and Exit ----------------------------------------------------------------------


def _sent_with_receipt(client, appointment: datetime.datetime, *, language: str = "en") -> tuple[Patient, str]:
    """A patient with a visit at `appointment` who answered everything and sent it, and their receipt's HTML."""
    invitation, token = make_invitation(appointment_at=appointment, language=language)
    patient = Patient(client, token)
    patient.invitation = invitation
    patient.sign_in().answer_all(routine_answers())
    patient.client.post("/intake/review/")
    return patient, patient.client.get("/intake/done/").content.decode()


def test_the_receipt_shows_the_appointment_in_clinic_time_with_its_zone_and_a_reference(client, settings):
    settings.TIME_ZONE = "America/New_York"
    appointment = timezone.make_aware(datetime.datetime(2030, 4, 16, 9, 30))
    patient, html = _sent_with_receipt(client, appointment)
    assert "Tuesday, April 16, 2030 at 9:30 AM (Eastern Time)" in html
    reference = re.search(r'<span class="reference">([0-9A-Z]{4}-[0-9A-Z]{4})</span>', html)
    assert reference is not None
    assert intake_id_for(reference.group(1)) == _intake(patient).pk
    assert str(_intake(patient).pk) not in reference.group(1).replace("-", "")[:2]  # not the id in plain sight
    assert '<a href="/intake/done/answers/">See and print a copy of your answers</a>' in html


@pytest.mark.parametrize(
    ("zone", "language", "shown"),
    [
        ("America/New_York", "es", "martes 16 de abril de 2030 a las 9:30 a.m. (hora del Este)"),
        ("America/Chicago", "en", "Tuesday, April 16, 2030 at 9:30 AM (Central Time)"),
        ("Europe/Madrid", "es", "9:30 a.m. (CEST)"),  # no name of its own here: the abbreviation, as before
    ],
)
def test_the_receipt_names_the_clinics_time_zone_in_the_patients_language(client, settings, zone, language, shown):
    settings.TIME_ZONE = zone
    with timezone.override(zone):
        appointment = timezone.make_aware(datetime.datetime(2030, 4, 16, 9, 30))
    _patient, html = _sent_with_receipt(client, appointment, language=language)
    assert shown in html
    assert "DT)" not in html


def test_a_spanish_appointment_at_one_oclock_reads_a_la_una_not_a_las(client, settings):
    """Spanish says "a la 1:30" (la una) and "a las 2:30": the receipt said "a las 1:30 p.m." (the stop-34 note)."""
    settings.TIME_ZONE = "America/New_York"
    appointment = timezone.make_aware(datetime.datetime(2030, 4, 16, 13, 30))
    _patient, html = _sent_with_receipt(client, appointment, language="es")
    assert "martes 16 de abril de 2030 a la 1:30 p.m. (hora del Este)" in html
    assert "las 1:" not in html


def test_the_printable_copy_lists_the_answers_in_the_clinics_units_with_a_print_button(patient):
    patient.answer_all(routine_answers(height_cm=177.8, weight_kg=72.57, visit_goals="Run the city 10K"))
    patient.client.post("/intake/review/")
    response = patient.client.get("/intake/done/answers/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "5 ft 10 in" in html
    assert "160 lb" in html
    assert "Run the city 10K" in html
    assert "data-print" in html
    assert "Print your answers" in html
    assert "Change" not in html
    assert "no-store" in response["Cache-Control"]


def test_the_printable_copy_is_only_for_a_sent_intake(patient):
    assert patient.client.get("/intake/done/answers/")["Location"] == "/intake/"


def test_the_exit_page_says_the_answers_are_saved_and_how_to_come_back_for_anyone(client, patient, settings):
    for browser in (patient.client, type(client)()):
        html = browser.get("/intake/exit/").content.decode()
        assert "You have left the form" in html
        assert "open the link we sent you again and enter your date of birth" in html
        assert settings.CLINIC_PHONE in html
    assert patient.client.get("/intake/")["Location"] == "/intake/step/safety/"  # opening the page changes nothing


def test_exit_ends_the_patients_session_so_the_next_person_on_a_shared_phone_sees_nothing(patient):
    assert patient.client.get("/intake/step/safety/").status_code == 200
    old_key = patient.client.cookies["sessionid"].value
    response = patient.client.post("/intake/exit/")
    assert response["Location"] == "/intake/exit/"
    assert patient.client.cookies["sessionid"].value != old_key
    for path in ("/intake/", "/intake/step/safety/", "/intake/review/"):
        page = patient.client.get(path)
        assert page.status_code == 404, path  # the bad-link page: nothing of the form or its answers
        assert "Step 1" not in page.content.decode()
    patient.sign_in()  # the link and the date of birth open it again, where the patient left off
    assert patient.client.get("/intake/")["Location"] == "/intake/step/safety/"


def test_patient_pages_show_the_clinic_phone_and_exit_but_not_the_site_navigation(patient, settings):
    html = patient.client.get("/intake/step/safety/").content.decode()
    assert settings.CLINIC_NAME in html
    assert f'href="tel:{_digits(settings.CLINIC_PHONE)}"' in html  # "(555) 010-0100", dialled without spaces
    assert '<form class="intake-exit-form" method="post" action="/intake/exit/">' in html
    assert '<button type="submit" class="intake-exit">Exit</button>' in html
    assert "site-search" not in html
    assert "Articles" not in html
    assert "Staff sign-in" not in html
    assert 'action="/i18n/setlang/"' in html  # the language switcher


def test_staff_see_the_reference_the_patient_was_given_on_the_intake_page(client, clinician, patient):
    patient.save_all(routine_answers())
    patient.client.post("/intake/review/")
    reference = re.search(
        r'<span class="reference">([^<]+)</span>', patient.client.get("/intake/done/").content.decode()
    )
    assert reference is not None
    client.force_login(clinician)
    html = client.get(f"/staff/intakes/{_intake(patient).pk}/").content.decode()
    assert f"<dt>Patient's reference</dt><dd>{reference.group(1)}</dd>" in html


def _digits(number: str) -> str:
    return "".join(char for char in number if char.isdigit())


def test_after_send_each_page_with_a_problem_says_what_it_is_until_the_review_is_back(patient):
    """Two answers missing on two pages: "Send" opens the first with its message; once it is put right, the second
    opens with its own (it opened plainly: found in review, stop 28); back at the review, pages open plainly again."""
    patient.save_all(routine_answers())
    intake = _intake(patient)
    answers = {k: v for k, v in intake.answers.items() if k not in ("pain_now", "pain_interference")}
    Intake.objects.filter(pk=intake.pk).update(answers=answers)

    sent = patient.client.post("/intake/review/")
    assert sent["Location"] == "/intake/step/back_pain_scores/?next=review"
    assert 'id="error_pain_now"' in patient.client.get(sent["Location"]).content.decode()
    fixed = patient.post_step("back_pain_scores", routine_answers(), next="review")
    assert fixed["Location"] == "/intake/step/back_pain_life/?next=review"
    assert 'id="error_pain_interference"' in patient.client.get(fixed["Location"]).content.decode()
    last = patient.post_step("back_pain_life", routine_answers(), next="review")
    assert last["Location"].startswith("/intake/review/")
    patient.client.get("/intake/review/")
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"


def test_what_send_found_on_a_page_is_still_said_after_switching_language_there(patient):
    """A Spanish reader opened the page "Send" led to, saw "Please answer this question." in English and switched
    language: the page came back in Spanish with the question blank and no message, as if nothing were missing."""
    patient.save_all(routine_answers())
    intake = _intake(patient)
    Intake.objects.filter(pk=intake.pk).update(answers={k: v for k, v in intake.answers.items() if k != "pain_now"})
    sent = patient.client.post("/intake/review/")
    assert 'id="error_pain_now"' in patient.client.get(sent["Location"]).content.decode()
    switched = patient.client.post(
        "/i18n/setlang/", {"language": "es", "next": sent["Location"]}, HTTP_ORIGIN="http://testserver"
    )
    assert switched["Location"] == sent["Location"]
    again = patient.client.get(sent["Location"]).content.decode()
    assert 'id="error_pain_now"' in again
    assert "Conteste esta pregunta." in again
    # Put right, the page says nothing more.
    assert patient.post_step("back_pain_scores", routine_answers(), next="review")["Location"].startswith(
        "/intake/review/"
    )
    fixed = patient.client.get("/intake/step/back_pain_scores/?next=review").content.decode()
    assert 'id="error_pain_now"' not in fixed
