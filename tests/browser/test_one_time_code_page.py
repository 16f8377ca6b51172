"""The one-time code page (intake:code), in a real browser at phone and desktop width: a patient who answered some
questions on one phone and opens their link on another types the code sent to them first. It was the one patient
page no browser test opened, so axe-core had never checked it.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from intake.rules.questionnaire import page_by_slug
from tests.browser.conftest import PHONE, assert_accessible, targets_under_44_px
from tests.browser.intake_helpers import confirm_birth_date, heading, patient_client
from tests.intake.factories import BIRTH_DATE, make_invitation, post_data, routine_answers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _codes_sent_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _answered_on_another_phone(*, email: str) -> str:
    """A link whose patient agreed and answered the first page in another browser: its token."""
    _invitation, token = make_invitation(email=email)
    first = patient_client(token)
    assert first.post("/intake/step/safety/", post_data(page_by_slug("safety"), routine_answers())).status_code == 302
    return token


def test_a_patient_on_a_second_phone_gets_a_message_beside_a_wrong_code_and_goes_on_with_the_right_one(
    open_page, at_both_widths
):
    token = _answered_on_another_phone(email="pat@example.org")
    page = open_page(f"/intake/start/{token}/", PHONE)
    confirm_birth_date(page, BIRTH_DATE)
    page.wait_for_url("**/intake/code/")
    assert heading(page) == "Enter the code from your email"
    assert "pat@example.org" not in page.content()  # the address is shown masked
    assert_accessible(page, context="code page")
    at_both_widths(page, "intake-code")
    assert targets_under_44_px(page, page.get_by_label("Code from the email"), page.locator("main button")) == {}

    page.get_by_label("Code from the email").fill("000000")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    box = page.get_by_label("Code from the email")
    assert box.get_attribute("aria-invalid") == "true"
    assert "does not match the one we sent" in page.locator("#error_code").inner_text()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, context="code page with a wrong code")
    at_both_widths(page, "intake-code-wrong")

    (message,) = [sent for sent in mail.outbox if sent.to == ["pat@example.org"]]
    code = re.search(r"\b([0-9]{6})\b", str(message.body))
    assert code is not None
    box.fill(code.group(1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "/intake/step/" in page.url  # on with the form, where the first phone left it
    assert_accessible(page, context="the form after the code")


def test_a_patient_without_an_email_is_told_to_carry_on_where_they_started(open_page):
    token = _answered_on_another_phone(email="")
    page = open_page(f"/intake/start/{token}/", PHONE)
    confirm_birth_date(page, BIRTH_DATE)
    page.wait_for_url("**/intake/code/")
    assert heading(page) == "Please carry on where you started"
    assert_accessible(page, context="code page with nowhere to send a code")
