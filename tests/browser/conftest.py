"""Playwright (Python) driving Debian's Chromium headless against pytest-django's live server.

Playwright's own browser download cannot run here; we point it at /usr/bin/chromium. With SCREENSHOTS=1 (`make
screenshots`), screenshots go to test-artifacts/screenshots/ (git-ignored) so a person can look at what the tests saw.
"""

from __future__ import annotations

import base64
import math
import os
import shutil
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

# Debian's chromium-headless-shell is the same Chromium build (same Blink and V8, same version as the chromium
# package) without the browser around it: what Playwright itself runs for headless tests. It measured about a third
# less CPU than the full browser's headless mode on the same browser tests here. The full browser is used when the
# shell is not installed; CHROMIUM_PATH chooses either.
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
FULL_BROWSER = "/usr/bin/chromium"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or (HEADLESS_SHELL if os.path.exists(HEADLESS_SHELL) else FULL_BROWSER)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# The screenshots are for people to open, and nothing in the suite reads them: `make test` takes none (about 170,
# some 30 s of the suite on this 2-core machine); `make screenshots` runs the browser tests with SCREENSHOTS=1.
TAKE_SCREENSHOTS = os.environ.get("SCREENSHOTS", "") not in ("", "0")

PHONE = {"width": 375, "height": 740}
TABLET = {"width": 820, "height": 1100}
DESKTOP = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run beside it unless told
# it is safe, which it is here: the test thread and the live server's thread each use their own connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if shutil.which(CHROMIUM) is None and os.environ.get("CI") != "true":
        skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (install Debian's chromium package)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, serving the collected, hashed static files that production serves.

    Its default handler looks files up through the finders, which do not know the hashed names that
    CompressedManifestStaticFilesStorage puts in pages; Django's own STATIC_ROOT handler does.
    """
    import django.contrib.staticfiles.handlers as staticfiles_handlers
    from django.test import testcases
    from pytest_django.live_server_helper import LiveServer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staticfiles_handlers, "StaticFilesHandler", testcases._StaticFilesHandler)
        server = LiveServer("localhost")
    yield server
    server.stop()


_CDP_SESSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def save_screenshot(page, path: Path) -> Path:
    """The whole page as a PNG at `path`: what page.screenshot(full_page=True) takes (the same pixels, after the web
    fonts have loaded), but through the DevTools protocol with Chromium's fast PNG encoding (optimizeForSpeed: a
    somewhat larger file, in about half the time: the suite takes some 170 of them). Only with SCREENSHOTS=1."""
    if not TAKE_SCREENSHOTS:
        return path
    session = _CDP_SESSIONS.get(page)
    if session is None:
        session = _CDP_SESSIONS[page] = page.context.new_cdp_session(page)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    size = session.send("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": math.ceil(size["width"]), "height": math.ceil(size["height"]), "scale": 1}
    shot = session.send(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True, "clip": clip},
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


@pytest.fixture
def screenshot():
    if TAKE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        return save_screenshot(page, SCREENSHOTS / f"{name}.png")

    return take


def load_starter_articles() -> None:
    """`manage.py load_articles` (the starter library, awaiting clinical review), built once per process and put
    back for later tests (tests/browser/datasets.py)."""
    import io

    from django.core.management import call_command

    from education.cache import library_changed
    from tests.browser.datasets import built_once

    built_once(
        "starter_articles", lambda: call_command("load_articles", stdout=io.StringIO()), after_restore=library_changed
    )


@pytest.fixture
def library(django_user_model):
    """The starter articles, loaded and approved by the clinic's reviewer (education/workflow.py), so patients see
    them, with who reviewed them and when. Built once per process; later tests get the same rows put back
    (tests/browser/datasets.py: about 0.1 s instead of 1.5)."""
    from education.cache import library_changed
    from education.reminders import awaiting_clinical_review
    from education.workflow import approve
    from tests.browser.datasets import built_once

    def build() -> None:
        load_starter_articles()
        reviewer = django_user_model.objects.create_user("reviewer", first_name="Riley", last_name="Reviewer")
        for article in awaiting_clinical_review():
            approve(article, reviewer=reviewer)

    built_once("library", build, after_restore=library_changed)


@pytest.fixture
def at_both_widths(screenshot):
    """at_both_widths(page, name): the page as it is now at phone and at desktop width: no sideways scrolling, and a
    screenshot of each (`<name>-phone.png`, `<name>-desktop.png`); the window is put back afterwards. A flow runs once
    and is looked at both ways, instead of being run once per width (axe-core checks both widths anyway)."""

    def look(page, name: str) -> None:
        original = page.viewport_size
        try:
            for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                page.set_viewport_size(viewport)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"{name}: {width} px wide at {size} width"
                screenshot(page, f"{name}-{size}")
        finally:
            if original:
                page.set_viewport_size(original)

    return look


# The list filters and searches on the staff pages (a GET form or a search landmark inside the page's main part): every
# select, box and button in them, as it is laid out.
_FILTER_CONTROLS = """
() => [...document.querySelectorAll('main form[method="get"], main [role="search"]')]
  .flatMap((form) => [...form.querySelectorAll('select, input:not([type="hidden"]), button, a.btn')])
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => {
    const box = el.getBoundingClientRect();
    return `${el.name || el.textContent.trim()}: ${Math.round(box.width)} x ${Math.round(box.height)} px`;
  })
"""


def filter_controls_under_44_px(page) -> dict[str, list[str]]:
    """The staff list filters' controls less than 44 px tall (WCAG 2.5.5) at phone and at desktop width, by width;
    the window is put back afterwards. Empty when every one is tall enough."""
    original = page.viewport_size
    found: dict[str, list[str]] = {}
    try:
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            controls = page.evaluate(_FILTER_CONTROLS)
            assert controls, f"no filter controls on {page.url}"
            short = [control for control in controls if int(control.rsplit(" x ", 1)[1].split()[0]) < 44]
            if short:
                found[size] = short
    finally:
        if original:
            page.set_viewport_size(original)
    return found


LAPTOP = {"width": 1280, "height": 800}
# Each element of a target shown on screen, as "name: width x height px" when it is less than `minimum` px either
# way, else null; [] when none is shown. Shown: what Playwright's is_visible() and bounding_box() require (a box that
# is not empty, and visibility not hidden), measured in the page in one call instead of two round trips per element. A
# target's name is what a person would call it: a box by its label, anything else by its words.
_MEASURE_TARGETS = """
(elements, minimum) => elements
  .filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true});
  })
  .map((el) => {
    const box = el.getBoundingClientRect();
    if (Math.min(box.width, box.height) >= minimum) return null;
    const name = ((el.labels && el.labels[0] && el.labels[0].textContent) || el.getAttribute('aria-label')
      || el.textContent || el.name || el.tagName).trim().replace(/\\s+/g, ' ');
    return `${name}: ${box.width.toFixed(0)} x ${box.height.toFixed(1)} px`;
  })
"""


def targets_under_44_px(page, *targets) -> dict[str, list[str]]:
    """The targets (Playwright locators, each for one or more elements) less than 44 x 44 px (WCAG 2.5.5) at phone,
    laptop and desktop width, by width, as "name: width x height px"; one not on screen at a width is not measured
    there. The window is put back afterwards. Empty when every one is big enough."""
    return targets_under_px(page, 44, *targets)


def targets_under_24_px(page, *targets) -> dict[str, list[str]]:
    """targets_under_44_px with WCAG 2.5.8's minimum (24 x 24 px, AA), which staff pages meet at least."""
    return targets_under_px(page, 24, *targets)


def targets_under_px(page, minimum: int, *targets) -> dict[str, list[str]]:
    original = page.viewport_size
    found: dict[str, list[str]] = {}
    measured = 0
    try:
        for size, viewport in (("phone", PHONE), ("laptop", LAPTOP), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            for target in targets:
                shown = target.evaluate_all(_MEASURE_TARGETS, minimum)
                measured += len(shown)
                short = [entry for entry in shown if entry is not None]
                if short:
                    found.setdefault(size, []).extend(short)
    finally:
        if original:
            page.set_viewport_size(original)
    assert measured, f"no targets shown on {page.url}"
    return found


# Each unchecked radio button and checkbox, text box and select shown on the page: its outline's contrast with the
# colours on either side of it, the lower (WCAG 1.4.11 Non-text Contrast asks 3:1; axe-core does not check it), and
# "name (type): border on background = ratio"; null for one that is not shown or left out. The colours are composited
# as the screen shows them: a see-through border over the control's own fill and over what is around it, each over
# the first opaque background of its ancestors (white when none is). A control with the focus, a chosen radio or
# checkbox and a disabled control are left out: their own colours say so, and WCAG asks nothing of a disabled one.
_CONTROL_BORDERS = """
(elements) => {
  const rgba = (css) => {
    const [r, g, b, a = 1] = css.match(/[\\d.]+/g).map(Number);
    return [r, g, b, a];
  };
  const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a), 1];
  const behind = (el) => {  // what shows through `el`'s own background: its ancestors', composited
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const channel = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const ratio = (one, two) => {
    const [light, dark] = [luminance(one), luminance(two)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const hex = (colour) => '#' + colour.slice(0, 3).map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');
  return elements.map((el) => {
    const box = el.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true}))) return null;
    if (el.checked || el.disabled || el === document.activeElement) return null;
    const style = getComputedStyle(el);
    const outside = behind(el.parentElement);
    const inside = behind(el);
    const name = ((el.labels && el.labels[0] && el.labels[0].textContent) || el.getAttribute('aria-label')
      || el.name || el.tagName).trim().replace(/\\s+/g, ' ');
    let worst = null;
    for (const side of ['Top', 'Right', 'Bottom', 'Left']) {
      if (parseFloat(style[`border${side}Width`]) === 0) continue;
      for (const background of [outside, inside]) {
        const border = over(rgba(style[`border${side}Color`]), background);
        const contrast = ratio(border, background);
        if (!worst || contrast < worst.contrast) worst = {contrast, border, background};
      }
    }
    const kind = el.type || el.tagName.toLowerCase();
    if (!worst) return {contrast: 1, text: `${name} (${kind}): no border`};
    return {
      contrast: worst.contrast,
      text: `${name} (${kind}): ${hex(worst.border)} on ${hex(worst.background)} = ${worst.contrast.toFixed(2)}:1`,
    };
  });
}
"""
FORM_CONTROLS = ".form-check-input, .form-control, .form-select"


def control_borders_under_3_to_1(page) -> dict[str, list[str]]:
    """The unchecked radio buttons and checkboxes, boxes and selects of the page (Bootstrap's form-check-input,
    form-control and form-select) whose outline is less than 3:1 against the colours beside it (WCAG 1.4.11), at phone
    and at desktop width, by width, as "name (type): border on background = ratio". The window is put back afterwards.
    Empty when every one is at least 3:1."""
    original = page.viewport_size
    found: dict[str, list[str]] = {}
    try:
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            shown = [entry for entry in page.locator(FORM_CONTROLS).evaluate_all(_CONTROL_BORDERS) if entry]
            assert shown, f"no unchecked form controls shown on {page.url} at {size} width"
            faint = [entry["text"] for entry in shown if entry["contrast"] < 3]
            if faint:
                found[size] = faint
    finally:
        if original:
            page.set_viewport_size(original)
    return found


@pytest.fixture
def open_page(browser, live_server):
    """open_page(path, viewport, user=None, client=None) -> a Playwright page of the live server at that window size.

    With `user`, the browser starts signed in as that person (a session made with force_login), so tests that are
    not about signing in do not depend on the sign-in steps (passwords, two-factor codes, lockouts). With `client`
    (a Django test Client), the browser starts with its cookies: a patient's session it opened
    (intake_helpers.patient_client), for tests that are not about the link, the birth date or the agreement.
    """
    contexts = []

    def open_at(path: str, viewport: dict[str, int], user=None, client: Client | None = None):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        elif client is not None:  # the browser carries on where the test client's requests left off
            host = urlsplit(live_server.url).hostname or "localhost"
            context.add_cookies(
                [
                    {
                        "name": cookie.key,
                        "value": cookie.value,
                        "domain": host,
                        "path": cookie["path"] or "/",
                        "httpOnly": bool(cookie["httponly"]),
                        "sameSite": (cookie["samesite"] or "Lax").title(),
                    }
                    for cookie in client.cookies.values()
                    if cookie.value
                ]
            )
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield open_at
    for context in contexts:
        context.close()


# --- Accessibility gate (tests/browser/a11y.py): axe-core on every page every browser test visits -------------------
from tests.browser.a11y import (  # noqa: E402 - kept with the gate's block; tests import the helper from here
    A11Y_DESKTOP,
    A11Y_PHONE,
    assert_accessible,
    start_guard,
    stop_guard,
)

__all__ = ["A11Y_DESKTOP", "A11Y_PHONE", "DESKTOP", "PHONE", "TABLET", "assert_accessible"]

_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def a11y_guard(request, monkeypatch):
    """Watches every page of every browser context the test opens; at the end, fails the test when a page it visited
    was not checked with assert_accessible(page) after its last visit. A test that already failed is not also
    reported for the pages it never reached."""
    from playwright.sync_api import Browser

    guard = start_guard()
    new_context, new_page = Browser.new_context, Browser.new_page

    def watched_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        guard.watch_context(context, javascript=kwargs.get("java_script_enabled", True) is not False)
        return context

    def watched_page(self, *args, **kwargs):
        page = new_page(self, *args, **kwargs)  # in a context of its own
        guard.watch_context(page.context, javascript=kwargs.get("java_script_enabled", True) is not False)
        return page

    monkeypatch.setattr(Browser, "new_context", watched_context)
    monkeypatch.setattr(Browser, "new_page", watched_page)
    yield guard
    stop_guard()
    if not request.node.stash.get(_CALL_FAILED, True):
        guard.verify()
