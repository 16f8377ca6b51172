"""The bad-link page in a real browser, with the cauda equina advice above it (intake.patient_link_views.bad_link):
a question page open in a tab from before the form's tag (`whose`), whose form is no longer open here (the retention
purge removed the visit, or the browser's session ended), sent with a yes or not sure to a cauda equina question.
And the plain bad-link page, from the same tab sent without one. Each at phone and desktop width, in English and
Spanish: axe-core, one h1, the advice read first, the emergency number a tel: link big enough to tap.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from intake.models import Intake, Invitation
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, targets_under_24_px
from tests.browser.intake_helpers import patient_client
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "advice": "Get medical help now",
        "bad_link": "This link does not work",
        "ces": "cauda equina syndrome",
        "say": "What to say when you get there",
        "not_saved": "We could not save what you sent on this page. Do not wait for a call from us.",
    },
    "es": {
        "advice": "Busque ayuda médica ahora",
        "bad_link": "Este enlace no funciona",
        "ces": "síndrome de cauda equina",
        "say": "Qué decir cuando llegue",
        "not_saved": "No pudimos guardar lo que envió en esta página. No espere a que le llamemos.",
    },
}

# Everything a patient can tap on the page: the header's, the main part's and the footer's links and buttons.
TARGETS = "header a, header button, main a, main button, footer a"

# Headings, in the order a screen reader lists them, and what the main part says first.
_READING_ORDER = """
() => {
  const main = document.querySelector('main');
  const headings = [...main.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .map((h) => `${h.tagName.toLowerCase()}: ${h.textContent.trim().replace(/\\s+/g, ' ')}`);
  const first = main.querySelector('.intake-narrow').firstElementChild;
  return {
    headings,
    h1s: document.querySelectorAll('h1').length,
    first: first ? (first.className || first.tagName) : '',
    lang: document.documentElement.lang,
  };
}
"""


def _purge_the_visit(invitation: Invitation) -> None:
    """The retention purge removes the visit, as `purge_old_intakes` does when its appointment is long past."""
    long_ago = timezone.now() - datetime.timedelta(days=365 * 8)
    Invitation.objects.filter(pk=invitation.pk).update(appointment_at=long_ago, expires_at=long_ago)
    call_command("purge_old_intakes", "--months", "1", stdout=io.StringIO())
    assert not Invitation.objects.exists()


def _old_tab_sent_late(open_page: Any, *, language: str, ending: str, answer: str, viewport: dict[str, int]) -> Any:
    """The patient's safety page open in a tab from before the form's tag, the form then gone here (`ending`: the
    retention purge, or the session ended), then the page sent with `answer` to the saddle numbness question."""
    invitation, token = make_invitation(language=language)
    page = open_page("/intake/", viewport, client=patient_client(token))
    assert page.url.endswith("/intake/step/safety/"), page.url
    assert_accessible(page)
    # A page from before the tag: the same form without its `whose` field.
    page.evaluate("() => document.querySelectorAll('input[name=whose]').forEach((field) => field.remove())")
    if ending == "purge":
        _purge_the_visit(invitation)
    else:  # the session ended (it timed out overnight): its cookie is gone; the form's CSRF cookie is not
        page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.check(f'input[name="ce_saddle_numbness"][value="{answer}"]')
    page.check('input[name="ce_wiping_sensation"][value="no"]')
    form = page.locator("main form[method=post]:not(.language-switcher)").filter(
        has=page.locator('input[name="ce_saddle_numbness"]')
    )
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        form.locator("button[type=submit].btn-primary").first.click()
    page.wait_for_load_state()
    assert sent.value.status == 404, sent.value.status
    return page


def _emergency_link_checks(page: Any, words: dict[str, str]) -> None:
    box = page.locator(".emergency-box")
    call = box.locator("a.emergency-call")
    assert call.count() == 1
    assert call.get_attribute("href") == "tel:911"
    assert call.inner_text().strip() == "911"
    assert call.is_visible()
    assert box.get_by_text(words["ces"]).first.is_visible()
    assert box.get_by_role("heading", name=words["say"]).is_visible()


@pytest.mark.parametrize(
    ("language", "ending"),
    [("en", "purge"), ("es", "purge"), ("en", "session")],
    ids=["english-after-the-purge", "spanish-after-the-purge", "english-after-the-session-ended"],
)
def test_a_cauda_equina_yes_sent_to_the_bad_link_page_shows_the_advice_first_with_a_tappable_number(
    open_page, at_both_widths, language, ending
):
    words = WORDS[language]
    page = _old_tab_sent_late(open_page, language=language, ending=ending, answer="yes", viewport=PHONE)
    seen = page.evaluate(_READING_ORDER)
    assert seen["lang"] == language
    assert seen["h1s"] == 1
    # The advice comes first, under its own main heading; the bad-link words after it, a level below.
    assert seen["headings"][:2] == [f"h1: {words['advice']}", f"h2: {words['say']}"], seen["headings"]
    assert f"h2: {words['bad_link']}" in seen["headings"], seen["headings"]
    assert "emergency-box" in seen["first"], seen["first"]
    assert page.title().startswith(words["advice"])
    _emergency_link_checks(page, words)
    # Nothing was stored and nobody was told: the patient must not wait for the clinic to call.
    assert page.locator("main p").filter(has_text=words["not_saved"]).count() == 1
    if ending == "purge":
        assert not Intake.objects.exists()
    assert_accessible(page, context=f"bad link with the advice, {language}")
    at_both_widths(page, f"bad-link-advice-{language}-{ending}")
    assert targets_under_24_px(page, page.locator(TARGETS)) == {}
    # At both widths the advice's heading and number are on the first screen, without scrolling.
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.evaluate("() => window.scrollTo(0, 0)")
        for target in (page.locator(".emergency-box h1"), page.locator("a.emergency-call")):
            box = target.bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= viewport["height"], (viewport, box)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_page_sent_without_a_red_flag_to_the_bad_link_page_gets_the_plain_page(open_page, at_both_widths, language):
    words = WORDS[language]
    page = _old_tab_sent_late(open_page, language=language, ending="purge", answer="no", viewport=DESKTOP)
    seen = page.evaluate(_READING_ORDER)
    assert seen["lang"] == language
    assert seen["h1s"] == 1
    assert seen["headings"] == [f"h1: {words['bad_link']}"], seen["headings"]
    assert page.locator(".emergency-box").count() == 0
    assert page.locator('main a[href="tel:911"]').count() == 1  # the warning signs in short, with the number
    assert_accessible(page, context=f"plain bad link, {language}")
    at_both_widths(page, f"bad-link-plain-{language}")
    assert targets_under_24_px(page, page.locator(TARGETS)) == {}
