"""The warning before an idle session ends (WCAG 2.2.1, Timing Adjustable), in a real browser with its clock moved
on: two minutes before the end a dialog takes the focus; its button keeps the session and the dialog goes; left
unanswered, it says the session is over and leaves the page as it was (what was typed can still be copied, or, for a
patient, sent). The server's side: tests/security/test_session_timer.py."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.intake_helpers import agree, confirm_birth_date
from tests.intake.factories import BIRTH_DATE, make_invitation

STILL_HERE = "I\u2019m still here"  # with the typographic apostrophe the page shows

pytestmark = pytest.mark.django_db(transaction=True)


def _with_a_clock(page) -> None:
    """The page again, with a clock the test moves (timers and Date both)."""
    page.clock.install()
    page.reload()
    page.wait_for_load_state()


def _focused_text(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.textContent.trim() : ''")


def test_a_clinician_is_warned_two_minutes_before_the_idle_sign_out_and_can_stay(open_page, clinician, screenshot):
    page = open_page("/staff/queue/", DESKTOP, user=clinician)
    _with_a_clock(page)
    dialog = page.get_by_role("alertdialog")
    page.locator("textarea, input[type=search], input[type=text]").first.focus()

    page.clock.fast_forward("20:00")
    assert not dialog.is_visible()  # ten minutes still to go
    page.clock.fast_forward("08:30")
    dialog.wait_for(state="visible")
    assert "Are you still working?" in dialog.inner_text()
    assert _focused_text(page) == "Stay signed in"
    assert_accessible(page, context="the idle warning")
    screenshot(page, "idle-warning-staff-desktop")

    # The portal cannot be reached for a moment: the warning stays, says so, and the button works again after.
    page.route("**/staff/still-here/", lambda route: route.abort())
    page.get_by_role("button", name="Stay signed in").click()
    page.get_by_text("The portal could not be reached.").wait_for()
    assert dialog.is_visible()
    page.wait_for_function("document.activeElement && document.activeElement.matches('[data-still-here]')")
    # Escape closes it without keeping the session; the focus goes back to the page; it comes back while the end
    # is near.
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.clock.fast_forward("00:06")
    dialog.wait_for(state="visible")
    page.unroute("**/staff/still-here/")
    page.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    page.clock.fast_forward("25:00")  # the server's clock started again: 25 of its 30 minutes gone
    assert not dialog.is_visible()

    # Near the longest a session may last, the button cannot keep it: the dialog says so once and is not offered
    # again; the end comes all the same.
    page.clock.fast_forward("03:30")  # 28:30 of the 30 minutes
    dialog.wait_for(state="visible")
    page.route("**/staff/still-here/", lambda route: route.fulfill(json={"seconds_left": 100}))
    page.get_by_role("button", name="Stay signed in").click()
    page.get_by_role("heading", name="You will be signed out soon").wait_for()
    assert_accessible(page, context="the session's longest time reached")
    page.get_by_role("button", name="Back to the page").click()
    dialog.wait_for(state="hidden")
    page.clock.fast_forward("00:30")
    assert not dialog.is_visible()
    page.clock.fast_forward("01:20")
    page.get_by_role("heading", name="You have been signed out").wait_for()
    assert page.get_by_role("link", name="Sign in again").get_attribute("href") == "/staff/sign-in/?next=/staff/queue/"
    assert_accessible(page, context="signed out for being idle")
    screenshot(page, "idle-signed-out-staff-desktop")
    page.get_by_role("button", name="Back to the page").click()
    dialog.wait_for(state="hidden")
    assert "/staff/queue/" in page.url  # the page is left as it was


def test_a_patient_is_asked_if_they_are_still_there_before_the_form_closes(open_page, screenshot):
    _invitation, token = make_invitation()
    page = open_page(f"/intake/start/{token}/", PHONE)
    confirm_birth_date(page, BIRTH_DATE)
    agree(page)
    _with_a_clock(page)
    page.check('input[name="ce_saddle_numbness"][value="no"]')  # typed, not sent

    page.clock.fast_forward("58:30")
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(state="visible")
    assert "Are you still there?" in dialog.inner_text()
    assert _focused_text(page) == STILL_HERE
    assert_accessible(page, context="the patient's idle warning")
    screenshot(page, "idle-warning-patient-phone")
    page.get_by_role("button", name=STILL_HERE).click()
    dialog.wait_for(state="hidden")
    assert page.is_checked('input[name="ce_saddle_numbness"][value="no"]')

    # Unanswered the next time: the form closes, and the dialog says the answers typed here can still be sent.
    page.clock.fast_forward("01:00:10")
    page.get_by_role("heading", name="The form has closed").wait_for()
    assert "send the page" in dialog.inner_text()
    assert_accessible(page, context="the patient's form closed for being idle")
    screenshot(page, "idle-closed-patient-phone")


def test_the_patients_warning_is_in_spanish_for_a_spanish_reader(open_page):
    _invitation, token = make_invitation()
    page = open_page(f"/intake/start/{token}/", PHONE)
    confirm_birth_date(page, BIRTH_DATE)
    page.get_by_role("button", name="Español").click()
    page.locator("html[lang=es]").wait_for(state="attached")
    _with_a_clock(page)
    page.clock.fast_forward("58:30")
    page.get_by_role("heading", name="¿Sigue ahí?").wait_for()
    assert _focused_text(page) == "Sigo aquí"
    assert_accessible(page, context="the idle warning in Spanish")


def test_a_red_flag_sent_after_the_form_closed_gets_the_emergency_advice_before_the_birth_date(
    open_page, settings, screenshot, time_machine
):
    import datetime

    from django.utils import timezone

    _invitation, token = make_invitation()
    page = open_page(f"/intake/start/{token}/", PHONE)
    confirm_birth_date(page, BIRTH_DATE)
    agree(page)
    assert_accessible(page)
    page.check('input[name="ce_saddle_numbness"][value="yes"]')
    # The form's idle limit passes while the page is open (a second here; an hour in a clinic): the server's clock
    # is moved on two seconds (the live server runs in this process) rather than waited for.
    settings.INTAKE_SESSION_IDLE_SECONDS = 1
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=2), tick=True)
    page.locator("form[data-intake-step] button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url.endswith("/intake/confirm/")
    page.get_by_role("heading", name="Get medical help now").wait_for()
    assert "Your answers are not lost" in page.inner_text("main")
    assert_accessible(page, context="the birth-date page after a late red flag")
    screenshot(page, "late-red-flag-confirm-phone")

    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    confirm_birth_date(page, BIRTH_DATE, check=False)
    assert page.url.endswith("/intake/important/")
    assert_accessible(page)


def test_a_page_of_another_patients_form_sent_from_an_old_tab_is_refused_plainly(open_page, screenshot):
    import datetime

    from django.utils import timezone

    from intake.models import Intake

    invitation_a, token_a = make_invitation(email="a@example.org")
    page_a = open_page(f"/intake/start/{token_a}/", PHONE)
    confirm_birth_date(page_a, BIRTH_DATE)
    agree(page_a)
    assert_accessible(page_a)
    # B opens their own link in another tab of the same browser (a family's tablet).
    invitation_b, token_b = make_invitation(
        email="b@example.org", appointment_at=timezone.now() + datetime.timedelta(days=2)
    )
    page_b = page_a.context.new_page()
    page_b.goto(f"/intake/start/{token_b}/")
    confirm_birth_date(page_b, BIRTH_DATE)
    agree(page_b)
    assert_accessible(page_b)
    # A's tab, still showing A's first page, sends a yes.
    page_a.check('input[name="ce_saddle_numbness"][value="yes"]')
    page_a.locator("form[data-intake-step] button[type=submit]").click()
    page_a.get_by_role("heading", name="This page is from another form").wait_for()
    assert_accessible(page_a, context="a page of another form")
    screenshot(page_a, "another-form-phone")
    assert Intake.objects.get(invitation=invitation_a).answers["ce_saddle_numbness"] == "yes"
    assert "ce_saddle_numbness" not in Intake.objects.get(invitation=invitation_b).answers


def test_a_red_flag_sent_from_an_old_tab_after_exit_is_taken_with_the_advice(open_page, screenshot):
    from intake.models import Intake

    invitation, token = make_invitation()
    old_tab = open_page(f"/intake/start/{token}/", DESKTOP)
    confirm_birth_date(old_tab, BIRTH_DATE)
    agree(old_tab)
    assert_accessible(old_tab)
    # The patient presses "Exit" in another tab; the first still shows the first question page.
    other_tab = old_tab.context.new_page()
    other_tab.goto("/intake/")
    assert_accessible(other_tab)
    other_tab.get_by_role("button", name="Exit").click()
    other_tab.wait_for_url("**/intake/exit/")
    assert_accessible(other_tab)
    old_tab.check('input[name="ce_saddle_numbness"][value="yes"]')
    old_tab.locator("form[data-intake-step] button[type=submit]").click()
    old_tab.get_by_role("heading", name="Get medical help now").wait_for()
    assert "Your form is closed on this phone or computer" in old_tab.inner_text("main")
    assert_accessible(old_tab, context="a red flag sent after Exit")
    screenshot(old_tab, "closed-form-red-flag-desktop")
    assert Intake.objects.get(invitation=invitation).answers["ce_saddle_numbness"] == "yes"


def test_a_red_flag_sent_from_a_tab_left_open_after_the_form_was_sent_gets_the_advice(open_page, screenshot):
    """The form was sent from another tab; the safety page left open is sent with saddle numbness ticked: the advice,
    and that the answer was added to the sent form and the clinic told."""
    from intake.models import Intake

    invitation, token = make_invitation()
    tab = open_page(f"/intake/start/{token}/", PHONE)
    confirm_birth_date(tab, BIRTH_DATE)
    agree(tab)
    from django.utils import timezone

    from intake import services
    from intake.rules.questionnaire import STEP_SLUGS
    from tests.intake.factories import routine_answers

    intake = Intake.objects.get(invitation=invitation)
    for slug in STEP_SLUGS:  # the other tab answered every page, then sent the form
        services.save_step(intake, slug, routine_answers(), now=timezone.now())
    services.submit_intake(intake, now=timezone.now())
    tab.check('input[name="ce_saddle_numbness"][value="yes"]')
    tab.locator("form[data-intake-step] button[type=submit]").click()
    tab.get_by_role("heading", name="Get medical help now").wait_for()
    assert "Your form was already sent" in tab.inner_text("main")
    assert "told the clinic" in tab.inner_text("main")
    assert "new trouble starting" not in tab.inner_text("main")  # what to say names the sign sent, not every sign
    assert_accessible(tab, context="a red flag sent from a tab after the form was sent")
    screenshot(tab, "sent-already-red-flag-phone")
