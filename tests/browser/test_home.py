"""The home page at phone and desktop width, in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, targets_under_44_px

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_renders_with_styles_and_no_horizontal_scroll(open_page, at_both_widths):
    page = open_page("/", PHONE)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.reload()
    assert page.locator("h1").first.is_visible()
    # Bootstrap loaded from our own static files: the navbar is styled (display:flex), not a bare list.
    assert page.eval_on_selector(".navbar", "el => getComputedStyle(el).display") == "flex"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    at_both_widths(page, "home")
    assert_accessible(page, context="home page")


def test_skip_link_is_the_first_focus_and_becomes_visible(open_page):
    page = open_page("/", PHONE)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert_accessible(page, context="home page with the skip link shown")


def test_a_signed_in_clinician_sees_their_name_in_the_header(open_page, clinician):
    page = open_page("/", DESKTOP, user=clinician)
    name = page.get_by_text("Clinician Tester").filter(visible=True)
    assert name.is_visible()
    assert not page.get_by_role("button", name="Sign out").is_visible()  # in the name's menu, closed
    name.click()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("link", name="Change password").is_visible()
    assert_accessible(page, context="home page signed in")


def test_the_phone_menu_opens_without_javascript_and_by_keyboard(browser, live_server, screenshot):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        menu = page.locator("details.site-menu")
        assert not page.get_by_role("link", name="Articles", exact=True).is_visible()
        assert not page.get_by_role("searchbox", name="Search articles").is_visible()
        screenshot(page, "header-phone-menu-closed-nojs")
        assert_accessible(page, context="home page, menu closed, no JavaScript")

        page.locator("summary", has_text="Menu").click()
        assert menu.evaluate("details => details.open")
        assert page.get_by_role("link", name="Articles", exact=True).is_visible()
        assert page.get_by_role("link", name="Staff sign-in").is_visible()
        assert page.get_by_role("searchbox", name="Search articles").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "header-phone-menu-open-nojs")
        assert_accessible(page, context="home page, menu open, no JavaScript")

        page.locator("summary", has_text="Menu").press("Enter")  # the keyboard closes it again
        assert not menu.evaluate("details => details.open")
        page.locator("summary", has_text="Menu").press("Space")
        assert menu.evaluate("details => details.open")

        page.get_by_role("searchbox", name="Search articles").fill("sciatica")
        page.get_by_role("searchbox", name="Search articles").press("Enter")
        page.wait_for_url("**/search/?q=sciatica")
        assert_accessible(page, context="search results, no JavaScript")
    finally:
        context.close()


def test_at_desktop_width_the_links_and_search_sit_in_the_bar_without_a_menu_button(open_page, screenshot):
    page = open_page("/", DESKTOP)
    assert not page.locator("summary", has_text="Menu").is_visible()
    assert page.get_by_role("link", name="Articles", exact=True).is_visible()
    assert page.get_by_role("searchbox", name="Search articles").is_visible()
    assert page.get_by_role("searchbox").count() == 1  # the phone copy is display: none, out of the a11y tree
    screenshot(page, "header-desktop")
    assert_accessible(page, context="home page at desktop width")


def test_every_link_box_and_button_in_the_header_is_big_enough_for_a_thumb(open_page, administrator):
    """At least 44 x 44 px (WCAG 2.5.5), as the patient pages' are, at phone and at desktop width, with the menus open:
    for a visitor, and for an administrator (the fullest bar: five links and their name's menu). The search box and
    its button measured 38 px tall, the name's menu button and the bar's links 43 px, its two choices 40 px."""
    for user in (None, administrator):
        page = open_page("/", DESKTOP, user=user)
        page.locator("header details").evaluate_all("menus => menus.forEach((menu) => { menu.open = true; })")
        targets = page.locator("header").locator("a, button, input, summary")
        assert targets_under_44_px(page, targets) == {}, user
        assert_accessible(page, context="home page with the header's menus open")
