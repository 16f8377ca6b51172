"""What a patient does on the intake pages in a real browser, shared by the browser tests of the patient's form."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client

from tests.browser.conftest import PHONE, assert_accessible
from tests.intake.factories import BIRTH_DATE


def pick(page: Any, code: str, value: str) -> None:
    page.check(f'input[name="{code}"][value="{value}"]')


def scale(page: Any, code: str, value: int) -> None:
    page.click(f'label[for="id_{code}_{value}"]')


def next_page(page: Any, name: str = "Next") -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def fits_the_phone(page: Any, width: int = PHONE["width"]) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def fill_date(page: Any, code: str, day: datetime.date) -> None:
    page.fill(f"#id_{code}-month", str(day.month))
    page.fill(f"#id_{code}-day", str(day.day))
    page.fill(f"#id_{code}-year", str(day.year))


def confirm_birth_date(page: Any, born: datetime.date, *, check: bool = True) -> None:
    if check:
        assert_accessible(page)
    fill_date(page, "date_of_birth", born)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def agree(page: Any) -> None:
    assert page.get_by_role("heading", name="Before you start").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="I agree: start the form").click()
    page.wait_for_load_state()


def patient_client(token: str, born: datetime.date = BIRTH_DATE) -> Client:
    """A patient's browser session made with the test client: the link opened, the birth date confirmed and the
    agreement given, as confirm_birth_date() and agree() do on the pages (those pages in the browser, axe-core
    included: test_intake*.py). open_page(..., client=patient_client(token)) starts the browser there."""
    client = Client()
    assert client.get(f"/intake/start/{token}/").status_code == 302
    confirmed = client.post("/intake/confirm/", {"date_of_birth": born.isoformat()})
    assert confirmed.status_code == 302, confirmed.content[:300]
    assert client.post("/intake/step/consent/", {"consent": "yes"}).status_code == 302
    return client


def heading(page: Any) -> str:
    return str(page.locator("h1").first.inner_text())


def open_review_step(page: Any, step: str) -> None:
    """Open one step's closed section on the review page (each step is a <details> there)."""
    section = page.locator(f"#review-{step}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
