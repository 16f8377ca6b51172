"""Staff pages changed for issue 14, in a real browser at phone and desktop width: the invitation form's error
summary, saving an invitation without e-mailing it, and the audit trail's times with their zone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    filter_controls_under_44_px,
    targets_under_44_px,
)
from tests.intake.factories import days_ahead_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_invitation_form_lists_mistakes_at_the_top_and_saves_without_emailing(
    open_page, at_both_widths, front_desk
):
    """Run once on a phone, looked at at both widths (axe checks both too)."""
    page = open_page("/staff/invitations/new/", PHONE, user=front_desk)
    assert_accessible(page, context="new invitation")
    # The name search for a returning patient is big enough for a thumb, as the lists' are (its box and Find button
    # measured 31 px tall at phone and desktop width).
    assert filter_controls_under_44_px(page) == {}
    page.fill("#id_email", "not-an-email")
    page.get_by_role("button", name="Email the link").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    summary.wait_for()
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('staff-error-summary')")  # focused on arrival
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [
        "Enter the patient's full name.",
        "Enter the email address in the right format, like name@example.com.",
        "Enter the patient's date of birth.",
        "Enter the appointment date and time.",
    ]
    assert page.locator("#id_email_error").inner_text() == links.nth(1).inner_text()  # next to the field too
    at_both_widths(page, "staff-invitation-errors")
    assert_accessible(page, context="new invitation with mistakes")

    links.nth(1).click()
    assert page.evaluate("location.hash") == "#id_email"
    page.fill("#id_patient_name", "Jordan Quill")
    page.fill("#id_email", "")
    page.select_option("#id_language", "es")
    page.fill("#id_date_of_birth", "1979-08-14")
    page.fill("#id_appointment_at", days_ahead_at(2).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save without emailing").click()
    page.get_by_text("The invitation is saved. No link has been emailed yet").wait_for()
    assert page.get_by_role("heading", name="Email the link").is_visible()
    assert page.locator("#invitation-language").inner_text() == "Spanish (español)"
    at_both_widths(page, "staff-invitation-saved")
    assert_accessible(page, context="invitation saved without emailing")


def test_a_returning_patient_is_found_by_name_and_the_new_invitation_joins_their_record(
    open_page, screenshot, front_desk
):
    from intake.services import create_invitation

    earlier, _ = create_invitation(
        patient_name="Jordan Quill",
        email="old-address@example.org",
        date_of_birth=datetime.date(1979, 8, 14),
        appointment_at=timezone.now() - datetime.timedelta(days=200),
        created_by=None,
        send_email=False,
    )
    page = open_page("/staff/invitations/new/", PHONE, user=front_desk)
    page.get_by_label("Patient's name").fill("quill")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Use this record").click()
    page.get_by_text("This invitation joins the record of").wait_for()
    assert page.input_value("#id_patient_name") == "Jordan Quill"
    assert_accessible(page, context="new invitation from a patient's record")
    page.fill("#id_email", "new-address@example.org")
    page.fill("#id_phone", "201 555 0123")
    page.fill("#id_appointment_at", days_ahead_at(2).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save without emailing").click()
    page.get_by_text("Joined the record of Jordan Quill, born 1979, with 1 earlier invitation").wait_for()
    assert page.locator("#patient-phone").inner_text() == "(201) 555-0123"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "staff-invitation-joined-record-phone")
    assert_accessible(page, context="invitation that joined a record")
    assert earlier.patient.invitations.count() == 2


def test_find_keeps_what_was_typed_with_and_without_javascript_and_enter_in_a_box_emails_the_link(
    browser, live_server, open_page, front_desk
):
    """Without JavaScript, "Find" emptied the invitation form (its own form carried the fields along by script)."""
    from django.conf import settings
    from django.test import Client

    appointment = days_ahead_at(2).strftime("%Y-%m-%dT%H:%M")
    typed = {"#id_patient_name": "Jordan Quill", "#id_email": "jordan@example.org", "#id_date_of_birth": "1979-08-14"}

    def fill_and_find(page) -> None:
        for box, value in {**typed, "#id_appointment_at": appointment}.items():
            page.fill(box, value)
        page.select_option("#id_language", "es")
        page.fill("#find-name", "Quill")
        page.locator("#find-name").press("Enter")  # the search box's Enter is "Find"
        page.get_by_text("No patient record matches").wait_for()
        for box, value in {**typed, "#id_appointment_at": appointment, "#find-name": "Quill"}.items():
            assert page.input_value(box) == value, box
        assert page.input_value("#id_language") == "es"

    client = Client()
    client.force_login(front_desk)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.goto("/staff/invitations/new/")
        fill_and_find(page)
        # Without JavaScript, Enter in a box presses the form's first button, "Find": nothing is saved, nothing lost.
        page.locator("#id_email").press("Enter")
        page.wait_for_load_state()
        assert page.input_value("#id_email") == "jordan@example.org"
        assert_accessible(page, context="new invitation without JavaScript, after Find")
    finally:
        context.close()
    from intake.models import Invitation

    assert not Invitation.objects.exists()

    page = open_page("/staff/invitations/new/", PHONE, user=front_desk)
    fill_and_find(page)
    assert_accessible(page, context="new invitation after a search")
    page.locator("#id_email").press("Enter")  # with JavaScript, as before: "Email the link"
    page.get_by_text("The link is on its way to the patient's email.").wait_for()
    assert Invitation.objects.get().language == "es"
    assert_accessible(page, context="invitation made with Enter")


# Pressed in the name box of the invitation form; says whether the form was sent (the send itself is stopped here).
_PRESS_ENTER = """(keyCode) => {
  const form = document.getElementById("invitation-form");
  let sent = false;
  const stop = (event) => { sent = true; event.preventDefault(); };
  form.addEventListener("submit", stop);
  const press = new KeyboardEvent("keydown", {key: "Enter", keyCode, bubbles: true, cancelable: true});
  document.getElementById("id_patient_name").dispatchEvent(press);
  form.removeEventListener("submit", stop);
  return [press.keyCode, sent];
}"""


def test_the_enter_that_picks_a_word_of_an_input_method_in_safari_does_not_email_the_link(open_page, front_desk):
    """Safari ends the input method's word (a Chinese or Japanese name) before the Enter that picks it reaches the
    page, so that keydown says it is not composing; its keyCode, 229, says the input method had it. The script took
    it for "Email the link": the link went with half a name typed."""
    page = open_page("/staff/invitations/new/", DESKTOP, user=front_desk)
    assert page.evaluate(_PRESS_ENTER, 229) == [229, False]
    assert page.evaluate(_PRESS_ENTER, 13) == [13, True]  # a plain Enter still presses "Email the link"
    assert_accessible(page, context="new invitation")


def test_the_audit_trail_shows_times_with_their_zone(open_page, at_both_widths, administrator, clinician):
    from audit.services import record

    for number in range(3):
        record("viewed_intake", actor=clinician, intake_id=7 + number)
    page = open_page("/staff/audit/", PHONE, user=administrator)
    zone = timezone.localtime().tzname()
    assert page.get_by_text("Times are in the clinic's time zone (America/New_York).").is_visible()
    assert page.locator("tbody time").first.inner_text().endswith(f" {zone}")
    # On a phone each event is a card: every column with something in it on screen, none behind a sideways scroll.
    cells = page.locator("tbody tr").first.locator("td")
    assert cells.filter(has_text="Viewed an intake").is_visible()
    for box in (cell.bounding_box() for cell in cells.all()):
        assert box is None or box["x"] + box["width"] <= PHONE["width"], box  # None: an empty cell, not shown
    at_both_widths(page, "staff-audit-trail")
    assert_accessible(page, context="audit trail")
    assert filter_controls_under_44_px(page) == {}
    # An administrator's bar is the fullest (five links and a long name): on a 1024 px laptop and at desktop width
    # the search box keeps room for its words and nothing scrolls sideways (it was 26 px wide, the page 1070 px).
    for width in (1024, DESKTOP["width"]):
        page.set_viewport_size({"width": width, "height": 768})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        search = page.get_by_role("searchbox", name="Search articles").bounding_box()
        assert search, width
        assert search["width"] >= 144, (width, search)


def test_a_follow_ups_page_offers_a_new_link_and_sends_it(open_page, at_both_widths, front_desk):
    """Stop 29: a locked follow-up link could not be replaced from its page."""
    from intake.models import Invitation
    from messaging.models import OutboundMessage
    from tests.intake.factories import follow_up_for, submitted_intake

    invitation, _token, _follow_up = follow_up_for(submitted_intake())
    Invitation.objects.filter(pk=invitation.pk).update(locked_at=timezone.now(), failed_attempts=5)
    page = open_page(f"/staff/invitations/{invitation.pk}/", PHONE, user=front_desk)
    assert page.get_by_role("heading", name="Send a new follow-up link").is_visible()
    assert page.get_by_text("send a new link from here only for a patient locked out").is_visible()
    at_both_widths(page, "staff-follow-up-new-link")
    assert_accessible(page, context="follow-up invitation")
    page.get_by_role("button", name="Send a new link").click()
    page.wait_for_load_state()
    assert page.get_by_text("A new link is on its way to the patient.").is_visible()
    assert_accessible(page, context="follow-up link sent")
    invitation.refresh_from_db()
    assert invitation.locked_at is None
    assert OutboundMessage.objects.filter(kind="follow_up", about_id=invitation.pk).exists()  # the new link, queued


def test_the_invitation_list_finds_a_patient_by_name_at_phone_and_desktop_width(open_page, at_both_widths, front_desk):
    from tests.intake.factories import make_invitation

    for name in ("Siobhan Quill", "Jordan Park", "Ana María López"):
        make_invitation(name=name)
    page = open_page("/staff/invitations/", PHONE, user=front_desk)
    assert_accessible(page, context="invitation list")
    page.get_by_label("Patient name").fill("quill")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("status").filter(has_text="1 invitation for names containing").wait_for()
    assert page.get_by_role("link", name="Siobhan Quill").is_visible()
    assert not page.get_by_role("link", name="Jordan Park").is_visible()
    # On a phone each invitation is a card: its status and e-mail on screen, not cut off at the edge.
    for cell in page.locator("tbody tr").first.locator("td").all():
        box = cell.bounding_box()
        assert box, cell.inner_text()
        assert box["x"] + box["width"] <= PHONE["width"], (cell.inner_text(), box)
    at_both_widths(page, "staff-invitation-list-found")
    assert_accessible(page, context="invitation list, a name found")
    assert filter_controls_under_44_px(page) == {}
    # The front desk's bar has room at desktop width: the search box and their name share its one line.
    page.set_viewport_size(DESKTOP)
    search = page.get_by_role("searchbox", name="Search articles").bounding_box()
    name = page.locator(".account-menu > summary").bounding_box()
    assert search
    assert name
    assert abs((search["y"] + search["height"] / 2) - (name["y"] + name["height"] / 2)) < 8, (search, name)


def test_the_front_desk_cancels_a_visit_and_books_it_again(open_page, at_both_widths, front_desk):
    """Stop 34: a visit called off could not be cancelled; its reminders went on."""
    from intake.models import Invitation
    from tests.intake.factories import make_invitation

    invitation, _token = make_invitation(name="Rosa Vidal", email="")
    page = open_page(f"/staff/invitations/{invitation.pk}/", PHONE, user=front_desk)
    page.get_by_role("button", name="Cancel the visit").click()
    page.wait_for_load_state()
    assert page.get_by_text("The visit is cancelled.").is_visible()
    assert page.get_by_role("heading", name="Book the visit again").is_visible()
    at_both_widths(page, "staff-visit-cancelled")
    assert_accessible(page, context="visit cancelled")
    page.get_by_role("button", name="Book again without sending").click()
    page.wait_for_load_state()
    assert page.get_by_text("The visit is booked again.").is_visible()
    assert_accessible(page, context="visit booked again")
    assert Invitation.objects.get(pk=invitation.pk).cancelled_at is None


# Each link drawn as a button, as "words: px" when its words sit more than 1.5 px above or below the middle of it.
_OFF_CENTRE_BUTTON_LINKS = """
() => [...document.querySelectorAll('main a.btn')].filter((link) => link.getClientRects().length > 0).map((link) => {
  const words = document.createRange();
  words.selectNodeContents(link);
  const box = link.getBoundingClientRect();
  const text = words.getBoundingClientRect();
  const off = (text.top + text.bottom) / 2 - (box.top + box.bottom) / 2;
  return Math.abs(off) > 1.5 ? `${link.textContent.trim()}: ${off.toFixed(1)} px` : null;
}).filter(Boolean)
"""


def test_the_words_of_a_link_drawn_as_a_button_sit_in_its_middle(open_page, front_desk):
    """Made 44 px tall, "New invitation" kept its words at the top (a button centres its words; a link does not)."""
    page = open_page("/staff/invitations/", PHONE, user=front_desk)
    assert page.get_by_role("link", name="New invitation").is_visible()
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert page.evaluate(_OFF_CENTRE_BUTTON_LINKS) == [], viewport
    assert_accessible(page, context="invitation list")


def test_an_invitations_boxes_and_buttons_are_big_enough_for_a_thumb(open_page, front_desk):
    """The appointment, e-mail and language boxes and "Email the link", "Save without sending" and "Cancel the visit"
    measured 38 px on an invitation's page, at every width: the other staff pages' are 44 px (WCAG 2.5.5)."""
    from tests.intake.factories import make_invitation

    invitation, _token = make_invitation(name="Rosa Vidal")
    page = open_page(f"/staff/invitations/{invitation.pk}/", PHONE, user=front_desk)
    assert page.get_by_role("button", name="Cancel the visit").is_visible()
    assert targets_under_44_px(page, page.locator("main input:not([type=hidden]), main select, main button")) == {}
    assert_accessible(page, context="invitation")
