"""A whole intake with the keyboard alone, at phone width: Tab (and Shift+Tab) to move, arrow keys inside a group of
radio buttons (how browsers move between radio buttons), Space to tick, typing in the boxes, Enter to press a button.
No click, no mouse. Every page on the way passes axe-core, and the focused element is always visible on screen."""

from __future__ import annotations

from typing import Any

import pytest

from intake.models import Intake, Level
from tests.browser.conftest import assert_accessible
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}
MAX_TABS = 80


# Where the focus is, when it is on `selector` (or on the button whose words are `text`): its box, to check it can be
# seen; else null. One call per press of Tab.
_FOCUSED_BOX = """
([selector, text]) => {
  const el = document.activeElement;
  const on = text !== null ? el.tagName === 'BUTTON' && el.textContent.trim() === text : el.matches(selector);
  if (!on) return null;
  const box = el.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, hidden: box.width === 0};
}
"""


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until the focus is on `selector` (it must come within MAX_TABS), and check it can be seen.
    "button=<words>" is a button by its words."""
    text = selector.removeprefix("button=") if selector.startswith("button=") else None
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        box = page.evaluate(_FOCUSED_BOX, [selector, text])
        if box is not None:
            # A radio button drawn as a button (the pain scale) is visually hidden; its label shows the focus.
            if not box["hidden"]:
                assert box["bottom"] > 0, (selector, box)
                assert box["top"] < PHONE_390["height"], (selector, box)
            return
    raise AssertionError(f"{selector} was not reached with {MAX_TABS} presses of Tab on {page.url}")


def choose(page: Any, code: str, value: str) -> None:
    """A radio group: Tab into it, then the arrow keys to the answer (Space when it is the first)."""
    tab_to(page, f'input[name="{code}"]')
    values = page.eval_on_selector_all(f'input[name="{code}"]', "inputs => inputs.map((input) => input.value)")
    for _ in range(values.index(value)):
        page.keyboard.press("ArrowDown")
    if values.index(value) == 0:
        page.keyboard.press("Space")
    assert page.is_checked(f'input[name="{code}"][value="{value}"]')


def tick(page: Any, code: str, value: str) -> None:
    tab_to(page, f'input[name="{code}"][value="{value}"]')
    page.keyboard.press("Space")
    assert page.is_checked(f'input[name="{code}"][value="{value}"]')


def type_in(page: Any, field_id: str, text: str) -> None:
    tab_to(page, f"#{field_id}")
    page.keyboard.type(text)


def enter(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press(page: Any, button: str) -> None:
    tab_to(page, f"button={button}")
    enter(page)


def on_page(page: Any, title: str) -> None:
    assert page.locator("h1").first.inner_text() == title, page.url
    assert_accessible(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # start each page from the top


def test_a_patient_completes_the_whole_intake_with_the_keyboard_alone(open_page, screenshot):
    invitation, token = make_invitation()
    page = open_page(f"/intake/start/{token}/", PHONE_390)
    page.emulate_media(reduced_motion="reduce")  # Bootstrap's smooth scrolling off: the focus is in view at once

    on_page(page, "First, please confirm it is you")
    type_in(page, "id_date_of_birth-month", "3")
    type_in(page, "id_date_of_birth-day", "27")
    type_in(page, "id_date_of_birth-year", "1985")
    enter(page)  # Enter in a box sends its form

    on_page(page, "Before you start")
    press(page, "I agree: start the form")

    for title, codes in (
        ("Safety check", ("ce_saddle_numbness", "ce_wiping_sensation")),
        ("Your bladder and bowels", ("ce_urine_start_difficulty", "ce_urine_leak_or_no_sensation", "ce_bowel_control")),
        ("Your legs and sex life", ("ce_both_legs_weaker", "ce_sexual_change")),
    ):
        on_page(page, title)
        for code in codes:
            choose(page, code, "no")
        press(page, "Next")

    on_page(page, "About you")
    type_in(page, "id_height_cm-ft", "5")
    type_in(page, "id_height_cm-in", "10")
    type_in(page, "id_weight_kg-lb", "160")
    type_in(page, "id_phone", "2015550123")
    press(page, "Next")

    on_page(page, "Your back pain")
    type_in(page, "id_pain_start_date-month", "11")
    type_in(page, "id_pain_start_date-day", "1")
    type_in(page, "id_pain_start_date-year", "2026")
    choose(page, "onset_cause", "running")
    choose(page, "first_episode", "no")
    press(page, "Next")

    on_page(page, "How much it hurts")
    choose(page, "pain_now", "3")
    choose(page, "pain_week_avg", "4")
    screenshot(page, "keyboard-phone-scale")
    press(page, "Next")

    on_page(page, "How pain affects your life")
    choose(page, "pain_enjoyment_interference", "3")
    choose(page, "pain_interference", "2")
    press(page, "Next")

    on_page(page, "Activities your back makes hard")
    type_in(page, "id_psfs_1_activity", "Running")
    choose(page, "psfs_1", "5")
    press(page, "Next")

    on_page(page, "Other activities")
    press(page, "Next")

    on_page(page, "Where it hurts and what makes it worse")
    tick(page, "pain_locations", "low_back")
    choose(page, "night_rest_pain", "no")
    press(page, "Next")

    on_page(page, "Leg symptoms")
    choose(page, "leg_symptoms", "no")
    press(page, "Next")

    for title in ("Your general health", "Infections, injuries and bones", "Medicines, hands and balance"):
        on_page(page, title)
        for code in page.eval_on_selector_all("input[type=radio][value=no]", "inputs => inputs.map((i) => i.name)"):
            choose(page, code, "no")
        press(page, "Next")

    on_page(page, "Your running")
    choose(page, "running_status", "not_a_runner")
    press(page, "Next")

    on_page(page, "Your visit")
    type_in(page, "id_visit_goals", "Walk the dog without pain")
    press(page, "Next")

    on_page(page, "Check your answers")
    tab_to(page, "#review-about summary")  # each step is a closed section: open one from the keyboard
    page.keyboard.press("Enter")
    assert page.get_by_text("5 ft 10 in").is_visible()
    assert_accessible(page)
    press(page, "Send my answers")

    on_page(page, "Thank you. We have your answers.")
    screenshot(page, "keyboard-phone-receipt")
    intake = Intake.objects.get(invitation=invitation)
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.level == Level.ROUTINE
    assert intake.answers["height_cm"] == 177.8
    assert intake.answers["weight_kg"] == 72.57
    assert intake.answers["visit_goals"] == "Walk the dog without pain"
