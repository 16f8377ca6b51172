"""A US patient at 390 px gives their height in feet and inches and their weight in pounds, is told plainly when a
value is not one, and sees them back as "5 ft 10 in" and "160 lb" on the review page (stored in metric)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from intake import services
from intake.models import Intake
from tests.browser.conftest import assert_accessible
from tests.browser.intake_helpers import agree, confirm_birth_date, next_page, open_review_step
from tests.intake.factories import BIRTH_DATE, make_invitation, routine_answers

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}


def test_a_us_patient_enters_5_ft_10_in_and_160_lb_and_sees_them_on_the_review_page(open_page, screenshot):
    invitation, token = make_invitation()
    page = open_page(f"/intake/start/{token}/", PHONE_390)
    confirm_birth_date(page, BIRTH_DATE)
    agree(page)
    # The safety pages answered "no" through the services (walking them in the browser, with axe on each, is
    # test_intake.py's and test_intake_keyboard.py's); the phone that agreed resumes at "About you".
    assert_accessible(page)
    intake = Intake.objects.get(invitation=invitation)
    services.save_step(intake, "safety", routine_answers(), now=timezone.now())
    page.goto("/intake/")

    assert page.get_by_role("heading", name="About you").is_visible()
    assert page.get_by_role("group", name="How tall are you? (optional)").is_visible()
    assert page.get_by_label("Feet").is_visible()
    assert page.get_by_label("Inches").is_visible()
    assert page.get_by_text("For example, 5 feet 10 inches.").is_visible()
    assert_accessible(page)
    # First as many people type it: feet and inches in one box, and "lbs" after the weight.
    page.get_by_label("Feet").fill("5 foot ten")
    page.get_by_label("How much do you weigh?").fill("160 lbs")
    page.get_by_label("What phone number can we call you on?").fill("201-555-0123")
    next_page(page)
    assert (
        page.locator("#error_height_cm")
        .inner_text()
        .endswith("Enter your height in feet and inches, like 5 feet 10 inches")
    )
    assert page.get_by_label("How much do you weigh?").input_value() == "160 lbs"  # kept, to send again
    assert_accessible(page)
    screenshot(page, "units-phone-about-error")
    page.get_by_label("Feet").fill("5'10\"")
    next_page(page)
    assert page.get_by_role("heading", name="Your back pain").is_visible()
    assert_accessible(page)
    intake.refresh_from_db()
    assert (intake.answers["height_cm"], intake.answers["weight_kg"]) == (177.8, 72.57)

    # The rest of the form through the services; then the review page, in the clinic's units.
    for step in ("back_pain", "legs", "general_health", "running", "visit"):
        services.save_step(intake, step, routine_answers(), now=timezone.now())
    page.goto("/intake/review/")
    open_review_step(page, "about")
    about = page.locator("#review-about")
    assert about.get_by_text("5 ft 10 in", exact=True).is_visible()
    assert about.get_by_text("160 lb", exact=True).is_visible()
    assert page.get_by_role("link", name="Change How tall are you?").is_visible()
    assert_accessible(page)
    screenshot(page, "units-phone-review")

    page.get_by_role("link", name="Change How tall are you?").click()
    page.wait_for_load_state()
    assert page.get_by_label("Feet").input_value() == "5"
    assert page.get_by_label("Inches").input_value() == "10"
    assert page.get_by_label("How much do you weigh?").input_value() == "160"
    assert_accessible(page)
