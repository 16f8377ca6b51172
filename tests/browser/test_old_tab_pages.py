"""Pages sent from a tab left open on an older state of the form, in a real browser: a red-flag page sent before the
consent (the consent page gives its advice, once: intake/before_consent.py), and a page of the pre-visit form without
the form tag sent while a follow-up is open (the page that says what became of it: intake/late_pages.py
`visit_page_answer`). The old tab's post is made from the page open now, as the old tab would send it (its own fields
and the CSRF token, no form tag); what it brings is looked at in both widths and checked with axe-core."""

from __future__ import annotations

import itertools
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from intake.models import Intake, Level, RedFlagAnswer
from tests.browser.conftest import PHONE, assert_accessible, targets_under_24_px
from tests.intake.factories import BIRTH_DATE, follow_up_for, make_invitation, submitted_intake

pytestmark = pytest.mark.django_db(transaction=True)

_SEND_FROM_AN_OLD_TAB = """
([action, fields]) => {
  const form = document.createElement('form');
  Object.assign(form, {method: 'post', action});
  const token = document.querySelector('input[name="csrfmiddlewaretoken"]');
  for (const [name, value] of Object.entries({...fields, csrfmiddlewaretoken: token.value})) {
    const input = Object.assign(document.createElement('input'), {type: 'hidden', name, value});
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}
"""
_HEADINGS = "els => els.map((el) => el.tagName.toLowerCase() + ' ' + el.textContent.trim().replace(/\\s+/g, ' '))"
GENERAL_HEALTH_NO = {"cancer_history": "no", "weight_loss": "no", "fever_unwell": "no", "iv_drug_use": "no"}


def send_from_an_old_tab(page: Any, action: str, fields: dict[str, str]) -> None:
    with page.expect_navigation():
        page.evaluate(_SEND_FROM_AN_OLD_TAB, [action, fields])
    page.wait_for_load_state()


def birth_date_confirmed(token: str) -> Client:
    """A patient's session with the link opened and the birth date confirmed: on the consent page, nothing agreed."""
    client = Client()
    assert client.get(f"/intake/start/{token}/").status_code == 302
    assert client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()}).status_code == 302
    return client


def headings(page: Any) -> list[str]:
    """The main part's headings in order, as "h<level> <text>", after checking that they make an outline: one h1,
    first, and no level skipped on the way down."""
    found: list[str] = page.locator("main").locator("h1, h2, h3, h4, h5, h6").evaluate_all(_HEADINGS)
    levels = [int(heading[1]) for heading in found]
    assert levels[:1] == [1], found
    assert levels.count(1) == 1, found
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels)), found
    return found


def test_a_red_flag_page_sent_before_the_consent_gets_its_advice_above_the_consent_question(open_page, at_both_widths):
    invitation, token = make_invitation()
    page = open_page("/intake/", PHONE, client=birth_date_confirmed(token))
    assert page.url.endswith("/intake/step/consent/"), page.url
    assert_accessible(page, context="the consent page")

    # A cauda equina yes from an old tab: the emergency advice first, the consent question under it.
    send_from_an_old_tab(page, "/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert page.url.endswith("/intake/step/consent/"), page.url
    shown = headings(page)
    assert shown[0] == "h1 Get medical help now", shown
    assert "h2 Before you start" in shown, shown
    assert page.title().startswith("Get medical help now"), page.title()  # what a screen reader says first
    assert page.get_by_text("cauda equina syndrome").first.is_visible()
    assert page.get_by_text("Nothing you sent is saved until you agree below").is_visible()
    assert not page.get_by_text("Our team has been told").count()
    assert targets_under_24_px(page, page.locator("main a[href^='tel:']")) == {}
    at_both_widths(page, "old-tab-before-consent-emergency")
    assert_accessible(page, context="the consent page with the cauda equina advice")

    # The advice again in the language chosen right after it.
    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Busque ayuda médica ahora", level=1).is_visible()
    assert page.title().startswith("Busque ayuda médica ahora"), page.title()
    at_both_widths(page, "old-tab-before-consent-emergency-es")
    assert_accessible(page, context="the consent page with the cauda equina advice in Spanish")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert_accessible(page, context="the consent page back in English")

    # A fever (no emergency) from an old tab: that it was not saved, with the warning signs, above the question.
    send_from_an_old_tab(page, "/intake/step/general_health/", {**GENERAL_HEALTH_NO, "fever_unwell": "yes"})
    assert headings(page)[0] == "h1 Before you start", headings(page)
    assert page.title().startswith("Before you start"), page.title()
    warning = page.locator(".alert-warning[data-before-consent]")
    assert warning.get_by_text("You answered a question about a warning sign").is_visible()
    assert warning.get_by_text("Are both legs getting weaker?").is_visible()
    above = page.evaluate(
        "() => document.querySelector('[data-before-consent]').getBoundingClientRect().bottom"
        " <= document.querySelector('main h1').getBoundingClientRect().top"
    )
    assert above, "the warning is not above the consent question"
    assert targets_under_24_px(page, warning.locator("a[href^='tel:']")) == {}
    at_both_widths(page, "old-tab-before-consent-not-saved")
    assert_accessible(page, context="the consent page saying a warning sign was not saved")

    intake = Intake.objects.get(invitation=invitation)
    assert intake.answers == {}
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()


def test_a_visit_page_sent_during_a_follow_up_says_its_answer_was_added_with_the_advice_or_that_nothing_was_saved(
    open_page, at_both_widths
):
    legs = {"leg_symptoms": "yes", "leg_side": "left", "leg_pain_lowest_point": "below_knee"}
    visit = submitted_intake(
        **legs, worse_back_or_leg="leg", leg_numbness_tingling="yes", leg_weakness="no", sitting_eases="no"
    )
    _invitation, token, _follow_up = follow_up_for(visit)
    page = open_page("/intake/", PHONE, client=birth_date_confirmed(token))
    follow_up_page = page.url
    assert_accessible(page, context="the follow-up's first page")

    # "Not sure" about cancer from the visit's general health page: taken into the visit, whose leg numbness makes it
    # cord compression: that advice first, then what became of the page, then the way back.
    send_from_an_old_tab(page, "/intake/step/general_health/", {**GENERAL_HEALTH_NO, "cancer_history": "not_sure"})
    shown = headings(page)
    assert shown[0] == "h1 Get medical help now", shown
    assert "h2 This page is from the form you sent before your visit" in shown, shown
    assert page.title().startswith("Get medical help now"), page.title()
    assert page.get_by_text("metastatic spinal cord").first.is_visible()
    assert page.get_by_text("We have added what you told us about warning signs").is_visible()
    assert targets_under_24_px(page, page.locator("main a[href^='tel:']")) == {}
    at_both_widths(page, "old-tab-visit-page-taken-emergency")
    assert_accessible(page, context="a visit's page taken into the visit during a follow-up")
    visit.refresh_from_db()
    assert visit.level == Level.URGENT

    page.get_by_role("link", name="Go on with your follow-up form").click()
    page.wait_for_load_state()
    assert page.url == follow_up_page
    assert_accessible(page, context="the follow-up again")

    # With no visit left to take it into: the page says nothing was saved, with the warning signs and the number.
    with mock.patch("intake.late_pages.background_visit", return_value=None):
        send_from_an_old_tab(page, "/intake/step/general_health/", {**GENERAL_HEALTH_NO, "iv_drug_use": "yes"})
    assert headings(page) == ["h1 This page is from the form you sent before your visit"], headings(page)
    assert page.title().startswith("This page is from the form you sent before your visit"), page.title()
    assert page.get_by_text("What you sent on it was not saved").is_visible()
    assert page.get_by_text("Are both legs getting weaker?").is_visible()
    assert targets_under_24_px(page, page.locator("main a[href^='tel:']")) == {}
    at_both_widths(page, "old-tab-visit-page-not-saved")
    assert_accessible(page, context="a visit's page during a follow-up, nothing saved")
