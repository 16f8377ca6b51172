"""Staff pages changed for issue 14, in a real browser at phone and desktop width: the invitation form's error
summary, saving an invitation without e-mailing it, and the audit trail's times with their zone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
VIEWPORTS = [("phone", PHONE), ("desktop", DESKTOP)]


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_the_invitation_form_lists_mistakes_at_the_top_and_saves_without_emailing(
    open_page, screenshot, front_desk, name, viewport
):
    page = open_page("/staff/invitations/new/", viewport, user=front_desk)
    assert_accessible(page, context="new invitation")
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
    screenshot(page, f"staff-invitation-errors-{name}")
    assert_accessible(page, context="new invitation with mistakes")

    links.nth(1).click()
    assert page.evaluate("location.hash") == "#id_email"
    page.fill("#id_patient_name", "Jordan Quill")
    page.fill("#id_email", "")
    page.select_option("#id_language", "es")
    page.fill("#id_date_of_birth", "1979-08-14")
    page.fill("#id_appointment_at", (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save without emailing").click()
    page.get_by_text("The invitation is saved. No link has been emailed yet").wait_for()
    assert page.get_by_role("heading", name="Email the link").is_visible()
    assert page.locator("#invitation-language").inner_text() == "Spanish (español)"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"staff-invitation-saved-{name}")
    assert_accessible(page, context="invitation saved without emailing")


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_the_audit_trail_shows_times_with_their_zone(open_page, screenshot, administrator, clinician, name, viewport):
    from audit.services import record

    for number in range(3):
        record("viewed_intake", actor=clinician, intake_id=7 + number)
    page = open_page("/staff/audit/", viewport, user=administrator)
    zone = timezone.localtime().tzname()
    assert page.get_by_text("Times are in the clinic's time zone (America/New_York).").is_visible()
    assert page.locator("tbody time").first.inner_text().endswith(f" {zone}")
    screenshot(page, f"staff-audit-trail-{name}")
    assert_accessible(page, context="audit trail")
