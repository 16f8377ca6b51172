"""Answers typed on a page but not saved are not lost without a word (found by an audit: switching language mid-page
blanked the page): leaving by the language switcher, "Back" or "Exit" asks first; the page's own button does not."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.intake_helpers import patient_client
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db(transaction=True)


def test_switching_language_with_an_unsaved_answer_asks_first_and_staying_keeps_it(open_page):
    _invitation, token = make_invitation()
    page = open_page("/intake/", PHONE, client=patient_client(token))  # the link, birth date and agreement done
    assert page.url.endswith("/intake/step/safety/"), page.url
    asked: list[str] = []

    def answer(dialog) -> None:  # the first time: stay; then: leave
        asked.append(dialog.type)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.check('input[name="ce_saddle_numbness"][value="no"]')
    with page.expect_event("dialog"):  # answered by `answer` above: the page stays
        page.get_by_role("button", name="Español").click()
    assert asked == ["beforeunload"]
    assert page.is_checked('input[name="ce_saddle_numbness"][value="no"]')
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    page.locator("html[lang=es]").wait_for(state="attached")
    assert asked == ["beforeunload", "beforeunload"]
    assert_accessible(page)

    # Answering and pressing the page's own button asks nothing.
    page.check('input[name="ce_saddle_numbness"][value="no"]')
    page.check('input[name="ce_wiping_sensation"][value="no"]')
    page.locator("form[data-intake-step] button[type=submit]").click()
    page.wait_for_load_state()
    assert asked == ["beforeunload", "beforeunload"]
    assert "/intake/step/safety_bladder/" in page.url
    assert_accessible(page)


def test_a_page_shown_again_with_a_message_still_holds_unsaved_answers_and_leaving_it_asks_first(open_page):
    """The page came back with "Answer this question" beside the one left blank: the answers given beside it are on
    the page but not saved. Switching language there (to read the message) blanked them without a word."""
    _invitation, token = make_invitation()
    page = open_page("/intake/", PHONE, client=patient_client(token))  # the link, birth date and agreement done
    assert page.url.endswith("/intake/step/safety/"), page.url
    page.check('input[name="ce_saddle_numbness"][value="no"]')
    page.locator("form[data-intake-step] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error_ce_wiping_sensation").is_visible()
    assert page.is_checked('input[name="ce_saddle_numbness"][value="no"]')
    page.once("dialog", lambda dialog: dialog.dismiss())  # stay
    with page.expect_event("dialog", timeout=5000) as asked:
        page.get_by_role("button", name="Español").click()
    assert asked.value.type == "beforeunload"
    assert page.is_checked('input[name="ce_saddle_numbness"][value="no"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
