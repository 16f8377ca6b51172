"""The home page at phone and desktop width, in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_home_page_renders_with_styles_and_no_horizontal_scroll(open_page, screenshot, name, viewport):
    page = open_page("/", viewport)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.reload()
    assert page.locator("h1").first.is_visible()
    # Bootstrap loaded from our own static files: the navbar is styled (display:flex), not a bare list.
    assert page.eval_on_selector(".navbar", "el => getComputedStyle(el).display") == "flex"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"]
    assert not [e for e in errors if "Content Security Policy" in e], errors
    screenshot(page, f"home-{name}")


def test_skip_link_is_the_first_focus_and_becomes_visible(open_page):
    page = open_page("/", PHONE)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0


def test_a_signed_in_clinician_sees_their_name_in_the_header(open_page, clinician):
    page = open_page("/", DESKTOP, user=clinician)
    assert page.get_by_text("Clinician Tester").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
