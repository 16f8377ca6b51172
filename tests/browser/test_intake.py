"""The patient's form in a real browser at phone width: the whole path over its short pages, leaving and resuming,
an error fixed, height and weight in feet, inches and pounds (typed as people type them, shown back in those units),
changes from the review page, the receipt with its appointment and reference and the printable copy; and the form
without JavaScript. (A "not sure" bladder answer bringing up the emergency page at once, and the
way back from it to the form: test_red_flags.py.)"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from intake import services
from intake.models import Intake, Level
from intake.references import intake_id_for
from tests.browser.conftest import (
    DESKTOP,
    LAPTOP,
    PHONE,
    assert_accessible,
    control_borders_under_3_to_1,
    load_starter_articles,
    targets_under_44_px,
)
from tests.browser.intake_helpers import (
    agree,
    confirm_birth_date,
    fill_date,
    fits_the_phone,
    next_page,
    open_review_step,
    patient_client,
    pick,
    scale,
)
from tests.intake.factories import BIRTH_DATE, days_ahead_at, make_invitation, routine_answers

pytestmark = pytest.mark.django_db(transaction=True)

SAFETY_PAGES = {
    "Safety check": ("ce_saddle_numbness", "ce_wiping_sensation"),
    "Your bladder and bowels": ("ce_urine_start_difficulty", "ce_urine_leak_or_no_sensation", "ce_bowel_control"),
    "Your legs and sex life": ("ce_both_legs_weaker", "ce_sexual_change"),
}


def _watch_console(page, errors: list[str] | None = None) -> list[str]:
    """The page's console errors from now on, added to `errors` (a new list when not given)."""
    errors = [] if errors is None else errors
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def _on(page, title: str, step: int) -> None:
    assert page.get_by_role("heading", name=title, exact=True).is_visible(), page.url
    assert page.get_by_text(f"Step {step} of 7").is_visible()
    assert_accessible(page)


def test_a_patient_answers_every_page_on_a_phone_leaves_halfway_resumes_fixes_an_error_and_sends(open_page, screenshot):
    load_starter_articles()  # the real starter library the patient is pointed to
    appointment = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(9, 30)))
    invitation, token = make_invitation(appointment_at=appointment + datetime.timedelta(days=3))

    # The link, the birth date and the agreement by the test client: those pages in the browser are the keyboard
    # walk's (test_intake_keyboard.py) and test_intake_pages.py's; this phone opens them later, to resume.
    page = open_page("/intake/", PHONE, client=patient_client(token))
    errors = _watch_console(page)

    # 1. Safety, three short pages: every answer "no", so no "when did it start" page follows.
    for title, codes in SAFETY_PAGES.items():
        _on(page, title, 1)
        for code in codes:
            pick(page, code, "no")
        fits_the_phone(page)
        next_page(page)

    # 2. About you, in the clinic's units (feet and inches, pounds): a wrong height gets a message and a summary; a
    # height typed as many people type it ("5 foot ten") is told plainly; the fix goes through.
    _on(page, "About you", 2)
    assert page.locator("#id_date_of_birth-day").count() == 0  # asked once, on the birth-date check
    assert page.get_by_role("group", name="How tall are you? (optional)").is_visible()
    assert page.get_by_label("Feet").is_visible()
    assert page.get_by_label("Inches").is_visible()
    assert page.get_by_text("For example, 5 feet 10 inches.").is_visible()
    pick(page, "sex", "female")
    page.fill("#id_height_cm-ft", "56")
    page.fill("#id_weight_kg-lb", "135")
    page.get_by_label("What phone number can we call you on?").fill("(201) 555-0123")
    next_page(page)
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#error_height_cm").is_visible()
    assert page.input_value("#id_weight_kg-lb") == "135"
    assert page.input_value("#id_phone") == "(201) 555-0123"
    assert_accessible(page)
    screenshot(page, "intake-phone-02-about-error")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_height_cm-ft"
    page.get_by_label("Feet").fill("5 foot ten")  # feet and inches in one box, and "lbs" after the weight
    page.get_by_label("How much do you weigh?").fill("160 lbs")
    next_page(page)
    assert (
        page.locator("#error_height_cm")
        .inner_text()
        .endswith("Enter your height in feet and inches, like 5 feet 10 inches")
    )
    assert page.get_by_label("How much do you weigh?").input_value() == "160 lbs"  # kept, to send again
    assert_accessible(page)
    screenshot(page, "units-phone-about-error")
    page.get_by_label("Feet").fill("5'10\"")
    next_page(page)

    # 3. Back pain, over three pages (no inflammatory questions: the pain is three weeks old).
    _on(page, "Your back pain", 3)
    fill_date(page, "pain_start_date", timezone.localdate() - datetime.timedelta(days=21))
    pick(page, "onset_cause", "running")
    pick(page, "first_episode", "no")
    next_page(page)
    _on(page, "How much it hurts", 3)
    scale(page, "pain_now", 4)
    scale(page, "pain_week_avg", 5)
    next_page(page)
    _on(page, "How pain affects your life", 3)
    scale(page, "pain_enjoyment_interference", 4)
    scale(page, "pain_interference", 3)
    next_page(page)
    _on(page, "Activities your back makes hard", 3)
    page.fill("#id_psfs_1_activity", "Running")
    scale(page, "psfs_1", 3)
    next_page(page)
    _on(page, "Other activities", 3)  # optional: a rating tapped by mistake is cleared, and the page skipped
    scale(page, "psfs_2", 6)
    page.get_by_role("button", name="Clear this answer").first.click()
    assert not page.is_checked('input[name="psfs_2"][value="6"]')
    next_page(page)
    _on(page, "Where it hurts and what makes it worse", 3)
    pick(page, "pain_locations", "low_back")
    pick(page, "night_rest_pain", "no")
    pick(page, "worse_with", "running")
    next_page(page)

    # 4. Legs: the follow-ups appear when the patient says yes; the weakness page comes next.
    _on(page, "Leg symptoms", 4)
    assert page.locator("#q-leg_side").is_hidden()
    pick(page, "leg_symptoms", "yes")
    assert page.locator("#q-leg_side").is_visible()
    pick(page, "leg_side", "left")
    pick(page, "leg_pain_lowest_point", "below_knee")
    pick(page, "worse_back_or_leg", "leg")
    pick(page, "leg_numbness_tingling", "yes")
    screenshot(page, "intake-phone-04-legs")
    next_page(page)
    _on(page, "Leg weakness and walking", 4)
    pick(page, "leg_weakness", "no")
    assert page.locator("#q-leg_weakness_worsening").is_hidden()
    pick(page, "sitting_eases", "no")
    next_page(page)
    _on(page, "Your general health", 5)
    # "Exit" (a shared phone): the form is closed to this browser until the link and the birth date open it again.
    page.get_by_role("button", name="Exit").click()
    assert page.get_by_role("heading", name="You have left the form").is_visible()
    assert_accessible(page)
    page.go_back()
    page.reload()
    assert page.get_by_role("heading", name="Your general health").count() == 0
    assert_accessible(page)
    page.goto("/intake/")
    assert page.get_by_role("heading", name="Your general health").count() == 0
    assert_accessible(page)
    phone = page.context
    page.close()

    # Later, on the same phone: the link again, the birth date again, and back where the patient left off. (A new
    # browser would be asked for a code from the patient's email first: tests/intake/test_renewed_links.py.)
    page = phone.new_page()
    _watch_console(page, errors)  # with the first page's: both pages' console errors are judged at the end
    page.goto(f"/intake/start/{token}/")
    assert page.get_by_role("heading", name="First, please confirm it is you").is_visible()
    assert token not in page.url
    screenshot(page, "intake-phone-00-confirm")
    confirm_birth_date(page, BIRTH_DATE)
    for title in ("Your general health", "Infections, injuries and bones", "Medicines, hands and balance"):
        _on(page, title, 5)
        for code in page.eval_on_selector_all(
            "input[type=radio][value=no]", "inputs => inputs.map((input) => input.name)"
        ):
            pick(page, code, "no")
        next_page(page)

    # 6. The running history, over three pages, in miles.
    _on(page, "Your running", 6)
    pick(page, "running_status", "cut_back")
    page.fill("#id_years_running", "6")
    page.fill("#id_runs_per_week", "4")
    page.fill("#id_weekly_distance-mi", "28")
    assert page.locator("#q-weekly_distance_before").is_hidden()
    pick(page, "training_changes", "distance")
    assert page.locator("#q-weekly_distance_before").is_visible()
    page.fill("#id_weekly_distance_before-mi", "19")
    fits_the_phone(page)
    screenshot(page, "intake-phone-06-running")
    next_page(page)
    _on(page, "Where and how you run", 6)
    pick(page, "surfaces", "asphalt")
    pick(page, "running_shoes", "yes")
    page.fill("#id_strength_sessions_per_week", "1")
    next_page(page)
    _on(page, "Other exercise, races and injuries", 6)
    pick(page, "pain_timing", "after")
    next_page(page)

    # 7. The visit, then the review page with every answer, a change made from it, then send.
    _on(page, "Your visit", 7)
    page.fill("#id_visit_goals", "Get back to running a half marathon")
    next_page(page)
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert page.get_by_text("Get back to running a half marathon").is_hidden()  # each step closed: a short page
    open_review_step(page, "visit")
    open_review_step(page, "running")
    open_review_step(page, "about")
    assert page.get_by_text("Get back to running a half marathon").is_visible()
    assert page.get_by_text("28 miles").is_visible()
    about = page.locator("#review-about")
    assert about.get_by_text("5 ft 10 in", exact=True).is_visible()  # the clinic's units (stored in metric)
    assert about.get_by_text("160 lb", exact=True).is_visible()
    assert page.get_by_role("link", name="Change How tall are you?").is_visible()
    assert_accessible(page)
    screenshot(page, "units-phone-review")
    page.get_by_role("link", name="Change How tall are you?").click()
    page.wait_for_load_state()
    assert page.get_by_label("Feet").input_value() == "5"
    assert page.get_by_label("Inches").input_value() == "10"
    assert page.get_by_label("How much do you weigh?").input_value() == "160"
    assert_accessible(page)
    next_page(page, "Save and go back to your answers")
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    open_review_step(page, "running")
    page.get_by_role("link", name="Change How many runs do you do in a typical week?").click()
    page.wait_for_load_state()
    assert page.input_value("#id_runs_per_week") == "4"
    assert_accessible(page)
    page.fill("#id_runs_per_week", "5")
    next_page(page, "Save and go back to your answers")
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert page.locator("#review-running").get_attribute("open") is not None  # the changed step, opened
    assert page.get_by_role("link", name="Change How many runs do you do in a typical week?").is_visible()
    assert_accessible(page)
    screenshot(page, "intake-phone-08-review")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Thank you. We have your answers.").is_visible()
    assert page.get_by_text("at 9:30 AM (E").is_visible()  # the appointment, clinic time with its zone
    reference = page.locator(".reference").inner_text()
    intake = Intake.objects.get(invitation=invitation)
    assert intake_id_for(reference) == intake.pk
    reading = page.locator(".reading-list li")
    assert reading.first.inner_text() == "Sciatica explained for runners"
    assert page.get_by_text("Building mileage without hurting your back").is_visible()
    fits_the_phone(page)
    assert_accessible(page)
    screenshot(page, "intake-phone-09-receipt")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "intake-desktop-09-receipt")
    page.set_viewport_size(PHONE)

    page.get_by_role("link", name="See and print a copy of your answers").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your answers").is_visible()
    assert page.get_by_role("button", name="Print your answers").is_visible()
    assert targets_under_44_px(page, page.get_by_role("button", name="Print your answers")) == {}
    assert page.get_by_text("5 ft 10 in").is_visible()
    assert page.get_by_role("link", name="Change").count() == 0
    assert_accessible(page)
    page.emulate_media(media="print")
    assert page.get_by_role("button", name="Print your answers").is_hidden()
    assert page.locator(".language-switcher").is_hidden()
    screenshot(page, "intake-phone-10-print")
    page.emulate_media(media="screen")
    assert not [e for e in errors if "Content Security Policy" in e], errors

    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.level == Level.SCIATICA
    assert intake.answers["runs_per_week"] == 5
    assert (intake.answers["height_cm"], intake.answers["weight_kg"]) == (177.8, 72.57)  # 5 ft 10 in, 160 lb
    assert intake.answers["weekly_distance"] == 45.06  # 28 miles, stored in kilometers


def test_the_front_desk_makes_an_invitation_and_the_link_is_emailed_not_shown(open_page, at_both_widths, front_desk):
    """Run once on a phone, looked at at both widths (axe checks both too)."""
    page = open_page("/staff/invitations/new/", PHONE, user=front_desk)
    errors = _watch_console(page)
    assert_accessible(page)
    assert page.get_by_text("Staff send links by email only, not by text message.").is_visible()
    page.fill("#id_patient_name", "Jordan Quill")
    page.fill("#id_email", "jordan@example.org")
    page.fill("#id_date_of_birth", "1979-08-14")
    appointment = days_ahead_at(2)
    page.fill("#id_appointment_at", appointment.strftime("%Y-%m-%dT%H:%M"))
    # "Seen here before?": a search after typing keeps what was typed (found by an audit: it came back empty).
    page.fill("#find-name", "Quill")
    page.get_by_role("button", name="Find").click()
    page.get_by_text("No patient record matches").wait_for()
    assert page.input_value("#id_patient_name") == "Jordan Quill"
    assert page.input_value("#id_email") == "jordan@example.org"
    assert page.input_value("#id_date_of_birth") == "1979-08-14"
    assert page.input_value("#id_appointment_at") == appointment.strftime("%Y-%m-%dT%H:%M")
    assert_accessible(page)
    at_both_widths(page, "intake-staff-new-invitation")
    page.get_by_role("button", name="Email the link").click()
    page.wait_for_load_state()
    assert page.get_by_text("The link is on its way to the patient's email.").is_visible()
    assert "/intake/start/" not in page.content()
    assert page.locator("#invitation-link").count() == 0
    assert page.get_by_text("Answering").count() == 0
    assert_accessible(page)
    at_both_widths(page, "intake-staff-link-emailed")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_without_javascript_every_follow_up_shows_with_a_note_and_the_form_still_works(
    browser, live_server, screenshot
):
    _, token = make_invitation()
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/intake/start/{token}/")
        confirm_birth_date(page, BIRTH_DATE)
        agree(page)
        for title, codes in SAFETY_PAGES.items():
            _on(page, title, 1)
            for code in codes:
                pick(page, code, "no")
            next_page(page)
        _on(page, "About you", 2)
        pick(page, "sex", "female")
        # "Clear this answer" needs the script: without it the button is not shown at all, answered or not.
        assert page.locator('[data-clear="sex"]').is_hidden()
        page.fill("#id_phone", "201 555 0123")
        next_page(page)
        _on(page, "Your back pain", 3)
        assert page.locator("#q-onset_cause_other").is_visible()
        assert page.get_by_text("Answer this only if you chose “Something else”.").is_visible()
        screenshot(page, "intake-phone-nojs-back-pain")
    finally:
        context.close()


def test_each_unchosen_answer_and_empty_box_has_an_outline_a_patient_can_see_outdoors(open_page, screenshot):
    """WCAG 1.4.11 (3:1 for what identifies a control; axe-core does not check it): an unchosen radio button's circle
    is what tells a patient it is a choice, and a box's outline where to type. Bootstrap's #dee2e6 is 1.3:1 on white,
    hard to see on a phone in the sun."""
    invitation, token = make_invitation()
    client = patient_client(token)
    intake = Intake.objects.get(invitation=invitation)
    answers = routine_answers()
    services.save_step(intake, "safety", answers, now=timezone.now())
    # "About you": a radio button for each sex, none chosen yet, and empty boxes for the height, weight and phone.
    page = open_page("/intake/step/about/", PHONE, client=client)
    assert page.get_by_role("heading", name="About you").is_visible()
    assert page.locator(".choice .form-check-input[type=radio]").count() >= 2
    assert control_borders_under_3_to_1(page) == {}
    assert_accessible(page)
    for name, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(viewport)
        screenshot(page, f"intake-control-borders-about-{name}")

    # "Where it hurts": checkboxes, one chosen (the chosen one is left out: its blue fill says so).
    for step in ("about", "back_pain"):
        services.save_step(intake, step, answers, now=timezone.now())
    page.goto("/intake/step/back_pain_where/")
    assert page.url.endswith("/intake/step/back_pain_where/"), page.url
    assert page.locator(".choice .form-check-input[type=checkbox]:not(:checked)").count() >= 2
    assert control_borders_under_3_to_1(page) == {}
    assert_accessible(page)
    for name, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(viewport)
        screenshot(page, f"intake-control-borders-where-{name}")


def test_clear_this_answer_shows_only_under_a_question_with_an_answer_and_keeps_the_keyboard_on_the_question(
    open_page,
):
    """The "Clear this answer" button under an optional single-choice question (About you: sex) showed on a fresh
    page, with nothing chosen to clear. It shows once an answer is chosen, goes when cleared, and a keyboard user who
    presses it is left on the question's first radio button (the button itself is gone), to choose again or Tab on."""
    invitation, token = make_invitation()
    client = patient_client(token)
    intake = Intake.objects.get(invitation=invitation)
    services.save_step(intake, "safety", routine_answers(), now=timezone.now())
    page = open_page("/intake/step/about/", PHONE, client=client)
    _on(page, "About you", 2)
    clear = page.locator('[data-clear="sex"]')
    assert clear.count() == 1
    assert clear.is_hidden()
    assert page.get_by_role("button", name="Clear this answer").count() == 0

    # Chosen with the keyboard: Space on the group's first radio button, then Tab reaches the button.
    page.focus('input[name="sex"]')
    page.keyboard.press("Space")
    first = page.locator('input[name="sex"]').first
    assert first.is_checked()
    assert clear.is_visible()
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.clear") == "sex"
    page.keyboard.press("Enter")
    assert page.locator('input[name="sex"]:checked').count() == 0
    assert clear.is_hidden()
    assert page.evaluate("document.activeElement.name") == "sex"
    assert page.evaluate("document.activeElement === document.querySelector('input[name=sex]')")
    assert_accessible(page)

    # Chosen again with a tap: the button is back; the answer saved, the page opened again shows it at once.
    pick(page, "sex", "male")
    assert clear.is_visible()
    page.get_by_label("What phone number can we call you on?").fill("(201) 555-0123")
    next_page(page)
    _on(page, "Your back pain", 3)
    page.goto("/intake/step/about/")
    assert page.is_checked('input[name="sex"][value="male"]')
    assert page.locator('[data-clear="sex"]').is_visible()
    assert_accessible(page)
