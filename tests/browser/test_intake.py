"""The patient's form in a real browser at phone width: the whole path, leaving and resuming, an error fixed, the
reading list at the end; and a "not sure" bladder answer bringing up the emergency page at once."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from intake.models import Intake, Level
from tests.browser.conftest import DESKTOP, PHONE
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db(transaction=True)


def _pick(page, code: str, value: str) -> None:
    page.check(f'input[name="{code}"][value="{value}"]')


def _scale(page, code: str, value: int) -> None:
    page.click(f'label[for="id_{code}_{value}"]')


def _next(page) -> None:
    page.get_by_role("button", name="Next").click()
    page.wait_for_load_state()


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def _confirm_birth_date(page, date: str) -> None:
    page.fill("#id_date_of_birth", date)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_a_patient_answers_every_step_on_a_phone_leaves_halfway_resumes_fixes_an_error_and_sends(open_page, screenshot):
    call_command("load_articles", verbosity=0)  # the real starter library the patient is pointed to
    invitation, token = make_invitation()

    page = open_page(f"/intake/start/{token}/", PHONE)
    errors = _watch_console(page)
    assert page.get_by_role("heading", name="First, please confirm it is you").is_visible()
    assert token not in page.url
    screenshot(page, "intake-phone-00-confirm")
    _confirm_birth_date(page, "1985-03-27")

    # 1. Safety: the follow-up appears only while a concern is marked (intake.js), and goes again.
    assert page.get_by_text("Step 1 of 7").is_visible()
    for code in (
        "ce_saddle_numbness",
        "ce_wiping_sensation",
        "ce_urine_start_difficulty",
        "ce_urine_leak_or_no_sensation",
        "ce_bowel_control",
        "ce_both_legs_weaker",
    ):
        _pick(page, code, "no")
    assert page.locator("#q-ce_onset").is_hidden()
    _pick(page, "ce_sexual_change", "yes")
    assert page.locator("#q-ce_onset").is_visible()
    _pick(page, "ce_sexual_change", "no")
    assert page.locator("#q-ce_onset").is_hidden()
    _fits_the_phone(page)
    screenshot(page, "intake-phone-01-safety")
    _next(page)

    # 2. About you: a wrong height gets a message and a summary; the fix goes through.
    assert page.get_by_text("Step 2 of 7").is_visible()
    assert page.input_value("#id_date_of_birth") == "1985-03-27"
    _pick(page, "sex", "female")
    page.fill("#id_height_cm", "1680")
    page.fill("#id_weight_kg", "61.5")
    _next(page)
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#error_height_cm").is_visible()
    assert page.input_value("#id_weight_kg") == "61.5"
    screenshot(page, "intake-phone-02-about-error")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_height_cm"
    page.fill("#id_height_cm", "168")
    _next(page)

    # 3. Back pain.
    assert page.get_by_text("Step 3 of 7").is_visible()
    page.fill("#id_pain_start_date", (timezone.localdate() - datetime.timedelta(days=21)).isoformat())
    _pick(page, "onset_cause", "running")
    _pick(page, "first_episode", "no")
    _scale(page, "pain_now", 4)
    _scale(page, "pain_week_avg", 5)
    _scale(page, "pain_interference", 3)
    _pick(page, "pain_locations", "low_back")
    _pick(page, "night_rest_pain", "no")
    _pick(page, "worse_with", "running")
    _fits_the_phone(page)
    screenshot(page, "intake-phone-03-back-pain")
    _next(page)

    # 4. Legs: the follow-ups appear when the patient says yes.
    assert page.get_by_text("Step 4 of 7").is_visible()
    assert page.locator("#q-leg_side").is_hidden()
    _pick(page, "leg_symptoms", "yes")
    assert page.locator("#q-leg_side").is_visible()
    _pick(page, "leg_side", "left")
    _pick(page, "leg_pain_lowest_point", "below_knee")
    _pick(page, "worse_back_or_leg", "leg")
    _pick(page, "leg_numbness_tingling", "yes")
    _pick(page, "leg_weakness", "no")
    assert page.locator("#q-leg_weakness_worsening").is_hidden()
    _pick(page, "sitting_eases", "no")
    screenshot(page, "intake-phone-04-legs")
    _next(page)
    assert page.get_by_text("Step 5 of 7").is_visible()
    phone = page.context
    phone.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # the session ended; the phone's device cookie stays
    page.close()

    # Later, on the same phone: the link again, the birth date again, and back at step 5. (A new browser would be asked
    # for a code from the patient's email first: tests/intake/test_renewed_links.py.)
    page = phone.new_page()
    page.goto(f"/intake/start/{token}/")
    errors = _watch_console(page)
    _confirm_birth_date(page, "1985-03-27")
    assert page.get_by_text("Step 5 of 7").is_visible()
    for code in (
        "cancer_history",
        "weight_loss",
        "fever_unwell",
        "iv_drug_use",
        "immunosuppressed",
        "recent_infection_or_procedure",
        "trauma_onset",
        "osteoporosis",
        "long_term_steroids",
        "hands_clumsy",
        "balance_worse",
        "getting_worse_or_4_weeks",
    ):
        _pick(page, code, "no")
    screenshot(page, "intake-phone-05-general-health")
    _next(page)

    # 6. The running history.
    assert page.get_by_text("Step 6 of 7").is_visible()
    _pick(page, "running_status", "cut_back")
    page.fill("#id_years_running", "6")
    page.fill("#id_runs_per_week", "4")
    _pick(page, "distance_unit", "km")
    page.fill("#id_weekly_distance", "45")
    assert page.locator("#q-weekly_distance_before").is_hidden()
    _pick(page, "training_changes", "distance")
    assert page.locator("#q-weekly_distance_before").is_visible()
    page.fill("#id_weekly_distance_before", "30")
    _pick(page, "surfaces", "asphalt")
    _pick(page, "running_shoes", "yes")
    page.fill("#id_strength_sessions_per_week", "1")
    _pick(page, "pain_timing", "after")
    _fits_the_phone(page)
    screenshot(page, "intake-phone-06-running")
    _next(page)

    # 7. The visit, then the review page with every answer, then send.
    assert page.get_by_text("Step 7 of 7").is_visible()
    page.fill("#id_visit_goals", "Get back to running a half marathon")
    page.check("#id_consent")
    screenshot(page, "intake-phone-07-visit")
    _next(page)
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert page.get_by_text("Get back to running a half marathon").is_visible()
    assert page.get_by_role("link", name="Change").count() == 7
    screenshot(page, "intake-phone-08-review")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Thank you. We have your answers.").is_visible()
    reading = page.locator(".reading-list li")
    assert reading.first.inner_text() == "Sciatica explained for runners"
    assert page.get_by_text("Building mileage without hurting your back").is_visible()
    _fits_the_phone(page)
    screenshot(page, "intake-phone-09-receipt")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "intake-desktop-09-receipt")
    assert not [e for e in errors if "Content Security Policy" in e], errors

    intake = Intake.objects.get(invitation=invitation)
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.level == Level.SCIATICA


def test_a_not_sure_bladder_answer_brings_up_the_emergency_page_at_once(open_page, screenshot):
    invitation, token = make_invitation(date_of_birth=datetime.date(1970, 6, 1))
    page = open_page(f"/intake/start/{token}/", PHONE)
    _confirm_birth_date(page, "1970-06-01")
    for code in (
        "ce_saddle_numbness",
        "ce_wiping_sensation",
        "ce_urine_leak_or_no_sensation",
        "ce_bowel_control",
        "ce_both_legs_weaker",
        "ce_sexual_change",
    ):
        _pick(page, code, "no")
    _pick(page, "ce_urine_start_difficulty", "not_sure")
    assert page.locator("#q-ce_onset").is_visible()
    _pick(page, "ce_onset", "within_14_days")
    _next(page)

    assert page.get_by_role("heading", name="Get medical help now").is_visible()
    assert page.get_by_role("link", name="911").first.is_visible()
    _fits_the_phone(page)
    screenshot(page, "intake-phone-emergency")
    assert Intake.objects.get(invitation=invitation).level == Level.URGENT

    page.get_by_role("button", name="I am getting help: back to the form").click()
    assert page.get_by_text("Please tick the box").is_visible()
    page.check("#id_acknowledged")
    page.get_by_role("button", name="I am getting help: back to the form").click()
    assert page.get_by_text("Step 2 of 7").is_visible()


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_front_desk_makes_an_invitation_and_the_link_is_emailed_not_shown(
    open_page, screenshot, front_desk, name, viewport
):
    page = open_page("/staff/invitations/new/", viewport, user=front_desk)
    errors = _watch_console(page)
    assert page.get_by_text("sending them by text message is not available yet").is_visible()
    page.fill("#id_patient_name", "Jordan Quill")
    page.fill("#id_email", "jordan@example.org")
    page.fill("#id_date_of_birth", "1979-08-14")
    appointment = timezone.localtime() + datetime.timedelta(days=2)
    page.fill("#id_appointment_at", appointment.strftime("%Y-%m-%dT%H:%M"))
    screenshot(page, f"intake-staff-{name}-new-invitation")
    page.get_by_role("button", name="Email the link").click()
    page.wait_for_load_state()
    assert page.get_by_text("The link is on its way to the patient's email.").is_visible()
    assert "/intake/start/" not in page.content()
    assert page.locator("#invitation-link").count() == 0
    assert page.get_by_text("Answering").count() == 0
    if viewport is PHONE:
        _fits_the_phone(page)
    screenshot(page, f"intake-staff-{name}-link-emailed")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_without_javascript_every_follow_up_shows_with_a_note_and_the_form_still_works(
    browser, live_server, screenshot
):
    _, token = make_invitation()
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/intake/start/{token}/")
        _confirm_birth_date(page, "1985-03-27")
        assert page.locator("#q-ce_onset").is_visible()
        assert page.get_by_text("Answer this only if you chose “Yes” or “Not sure” above.").is_visible()
        for code in (
            "ce_saddle_numbness",
            "ce_wiping_sensation",
            "ce_urine_start_difficulty",
            "ce_urine_leak_or_no_sensation",
            "ce_bowel_control",
            "ce_both_legs_weaker",
            "ce_sexual_change",
        ):
            _pick(page, code, "no")
        screenshot(page, "intake-phone-nojs-safety")
        _next(page)
        assert page.get_by_text("Step 2 of 7").is_visible()
    finally:
        context.close()
