"""Every patient page at phone width (390 x 844) with every follow-up open: each page that asks something is shorter
than 2.5 phone screens, every page passes axe-core, and each is screenshotted into test-artifacts/screenshots/patient/
for a person to look at.

The intake is filled through the services with answers that open every conditional page and question (a safety
"yes", leg weakness, a runner who changed their training, back pain that began young and long ago), so the pages are
measured at their longest; hidden follow-ups are shown before measuring (intake.js shows them as they apply).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from intake import services
from intake.models import Intake
from intake.rules import answers as answer_codec
from intake.rules.catalogue import FOLLOW_UP
from intake.rules.questionnaire import PAGE_SLUGS, page_applies, page_by_slug
from tests.browser.conftest import DESKTOP, SCREENSHOTS, TAKE_SCREENSHOTS, assert_accessible, save_screenshot
from tests.intake.factories import follow_up_answers, follow_up_for, make_invitation, routine_answers

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}
MAX_SCREENS = 2.5
BORN = datetime.date(1996, 5, 14)
LEG_CODES = ("leg_symptoms", "leg_side", "leg_pain_lowest_point", "worse_back_or_leg", "leg_numbness_tingling",
             "leg_weakness", "leg_weakness_worsening", "foot_drop")  # fmt: skip


def longest_answers() -> dict[str, object]:
    today = timezone.localdate()
    return routine_answers(
        date_of_birth=BORN,
        ce_saddle_numbness="yes",
        ce_onset="within_14_days",
        pain_start_date=today - datetime.timedelta(days=800),
        onset_cause="other",
        onset_cause_other="Moving house",
        leg_symptoms="yes",
        leg_side="left",
        leg_pain_lowest_point="below_knee",
        worse_back_or_leg="leg",
        leg_numbness_tingling="yes",
        leg_weakness="yes",
        leg_weakness_worsening="no",
        foot_drop="no",
        walking_distance_m=400,
        sitting_eases="yes",
        training_changes=["distance", "hills"],
        race_goal="City half marathon",
        race_date=today + datetime.timedelta(days=60),
        past_injuries="Shin splints in 2019",
        medications="Ibuprofen",
        visit_goals="Run again without pain",
        worries="That it will not get better",
        psfs_1_activity="Running for more than half an hour",
        psfs_2_activity="Picking up my child",
        psfs_2=3,
        psfs_3_activity="Sitting through a work meeting",
        psfs_3=5,
    )


def screens(page) -> float:
    page.evaluate("document.querySelectorAll('.question[hidden]').forEach((block) => { block.hidden = false; })")
    return page.evaluate("document.documentElement.scrollHeight") / PHONE_390["height"]


# What a thumb must hit on every patient page: the header's Exit, phone number and language buttons, a step's Back
# link and its "Clear this answer" buttons (WCAG 2.5.5: 44 x 44 px). Links inside a sentence are not in the list.
TAP_TARGETS = ".intake-header a, .intake-header button, .back-link, .clear-answer"


def too_small_to_tap(page) -> list[str]:
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .map((el) => [el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, box]) => box.height > 0 && (box.height < 44 || box.width < 44))
            .map(([text, box]) => `${text}: ${Math.round(box.width)} x ${Math.round(box.height)} px`)""",
        TAP_TARGETS,
    )


def shot(page, name: str) -> None:
    folder = SCREENSHOTS / "patient"
    if TAKE_SCREENSHOTS:
        folder.mkdir(parents=True, exist_ok=True)
    save_screenshot(page, folder / f"{name}.png")


def test_every_patient_page_is_shorter_than_two_and_a_half_phone_screens(open_page):
    invitation, token = make_invitation(date_of_birth=BORN)
    page = open_page(f"/intake/start/{token}/", PHONE_390)
    assert_accessible(page)
    heights: dict[str, float] = {"confirm": round(screens(page), 2)}
    shot(page, "00-confirm")
    page.fill("#id_date_of_birth-month", "5")
    page.fill("#id_date_of_birth-day", "14")
    page.fill("#id_date_of_birth-year", "1996")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert_accessible(page)
    heights["consent"] = round(screens(page), 2)
    shot(page, "01-consent")
    page.get_by_role("button", name="I agree: start the form").click()
    page.wait_for_load_state()

    intake = Intake.objects.get(invitation=invitation)
    answers = longest_answers()
    for step in ("safety", "about", "back_pain", "legs", "general_health", "running", "visit"):
        services.save_step(intake, step, answers, now=timezone.now())
    page.goto("/intake/important/")
    assert_accessible(page)
    heights["emergency"] = round(screens(page), 2)
    shot(page, "02-emergency")
    services.acknowledge_emergency(intake, now=timezone.now())
    intake.refresh_from_db()
    assert intake.current_step == answer_codec.REVIEW

    saved = answer_codec.from_json(intake.answers)
    for number, slug in enumerate(PAGE_SLUGS[1:], start=3):
        assert page_applies(page_by_slug(slug), saved), f"{slug} is not opened by the longest answers"
        page.goto(f"/intake/step/{slug}/")
        assert page.url.endswith(f"/intake/step/{slug}/"), page.url
        assert_accessible(page)
        heights[slug] = round(screens(page), 2)
        assert not too_small_to_tap(page), (slug, too_small_to_tap(page))
        shot(page, f"{number:02d}-{slug}")
        if slug in ("about", "running"):  # and two at desktop width
            page.set_viewport_size(DESKTOP)
            shot(page, f"desktop-{slug}")
            page.set_viewport_size(PHONE_390)
    for name, path in (("exit", "/intake/exit/"), ("review", "/intake/review/")):
        page.goto(path)
        assert_accessible(page)
        heights[name] = round(screens(page), 2)
        assert not too_small_to_tap(page), (name, too_small_to_tap(page))
        shot(page, f"90-{name}")
        if name == "review":
            page.set_viewport_size(DESKTOP)
            shot(page, "desktop-review")
            page.set_viewport_size(PHONE_390)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    for name, path in (("receipt", "/intake/done/"), ("printable copy", "/intake/done/answers/")):
        page.goto(path)
        assert_accessible(page)
        heights[name] = round(screens(page), 2)
        shot(page, f"91-{name.replace(' ', '-')}")
    print("\nPAGE HEIGHTS (phone screens at 390 x 844):", heights)
    # Every page that asks something, and the review page (each step a closed section); the emergency page, the
    # receipt and the printed copy are reported above but not capped (each shows what it must in full: the advice,
    # or every answer).
    not_capped = {"emergency", "receipt", "printable copy"}
    too_long = {slug: height for slug, height in heights.items() if height >= MAX_SCREENS and slug not in not_capped}
    assert not too_long, too_long


def test_every_follow_up_page_is_shorter_than_two_and_a_half_phone_screens(open_page):
    visit = services.create_submitted_intake_for_demo(answers=longest_answers())
    _invitation, token, intake = follow_up_for(visit)
    page = open_page(f"/intake/start/{token}/", PHONE_390)
    assert_accessible(page)
    page.fill("#id_date_of_birth-month", "5")
    page.fill("#id_date_of_birth-day", "14")
    page.fill("#id_date_of_birth-year", "1996")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    answers = follow_up_answers(
        ce_saddle_numbness="yes", ce_onset="getting_worse", **{k: longest_answers()[k] for k in LEG_CODES}
    )
    for step in FOLLOW_UP.step_slugs:
        services.save_step(intake, step, answers, now=timezone.now())
    services.acknowledge_emergency(intake, now=timezone.now())
    heights: dict[str, float] = {}
    for number, slug in enumerate(FOLLOW_UP.page_slugs, start=1):
        page.goto(f"/intake/step/{slug}/")
        assert page.url.endswith(f"/intake/step/{slug}/"), page.url
        assert_accessible(page)
        heights[slug] = round(screens(page), 2)
        assert not too_small_to_tap(page), (slug, too_small_to_tap(page))
        shot(page, f"follow-up-{number:02d}-{slug}")
    page.goto("/intake/review/")
    assert_accessible(page)
    heights["review"] = round(screens(page), 2)
    shot(page, "follow-up-90-review")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert_accessible(page)
    shot(page, "follow-up-91-receipt")
    print("\nFOLLOW-UP PAGE HEIGHTS (phone screens at 390 x 844):", heights)
    too_long = {slug: height for slug, height in heights.items() if height >= MAX_SCREENS}
    assert not too_long, too_long
