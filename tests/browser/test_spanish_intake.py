"""A Spanish-speaking patient on a 390 px phone: the whole intake in Spanish (an error message included), the Spanish
emergency page after a cauda equina "yes", and the language switcher working with JavaScript off.

The pages are walked by what they ask, not by their order: each page's visible fields are found by name and
answered from `ANSWERS` (or a safe default: "no", the first choice, a plain number), and "Next" is the form's main
button, whatever its words. So the test holds when questions move between pages. Every page is checked for English
left over: no English sentence of the catalogue may show where its Spanish should be.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone, translation

from intake.rules import patient_messages
from tests.browser.conftest import DESKTOP, assert_accessible
from tests.browser.intake_helpers import patient_client
from tests.foundation.catalogues import compile_if_stale, entries
from tests.intake.factories import BIRTH_DATE, make_invitation

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}
MAX_PAGES = 40
THREE_WEEKS_AGO = timezone.localdate() - datetime.timedelta(days=21)
# Answers by field name where "no" or the first choice would not do (a date, a number in range). A date may come
# as one box (ISO) or three (`<code>-day`, `-month`, `-year`); a measurement in the clinic's units, as one box or
# several (`<code>-ft`, `<code>-in`, `<code>-lb`).
ANSWERS: dict[str, Any] = {
    "date_of_birth": BIRTH_DATE.isoformat(),
    "pain_start_date": THREE_WEEKS_AGO.isoformat(),
    "sex": "female",
    "height_cm": "168",
    "height_cm-ft": "5",
    "height_cm-in": "6",
    "weight_kg": "61",
    "weight_kg-lb": "135",
    "phone": "(201) 555-0123",
    "onset_cause": "running",
    "running_status": "cut_back",
    "years_running": "6",
    "runs_per_week": "4",
    "weekly_distance": "20",
    "weekly_distance-mi": "20",
    "weekly_distance_before": "15",
    "weekly_distance_before-mi": "15",
    "strength_sessions_per_week": "1",
    # The PSFS: an activity named for each rating the page asks.
    "psfs_1_activity": "Correr",
    "psfs_1": "4",
    "psfs_2_activity": "Estar sentada",
    "psfs_2": "6",
    "psfs_3_activity": "Cargar a mi hijo",
    "psfs_3": "5",
}


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    compile_if_stale()


@pytest.fixture(scope="module")
def english_sentences() -> set[str]:
    """English sentences of the catalogue whose Spanish differs: none of them may be visible on a Spanish page."""
    return {
        entry.msgid
        for entry in entries("es")
        if " " in entry.msgid.strip()
        and len(entry.msgid) >= 12
        and not any(mark in entry.msgid for mark in ("%(", "{", "<"))
        and entry.msgstr
        and entry.msgstr != entry.msgid
    }


@pytest.fixture(scope="module")
def spanish_messages() -> set[str]:
    """The catalogue's Spanish sentences (an error message quotes one, maybe with its question after it)."""
    return {entry.msgstr for entry in entries("es") if len(entry.msgstr) >= 10 and "%(" not in entry.msgstr}


def _date_part(name: str) -> str | None:
    """The box `<code>-day`, `-month` or `-year` of a date: that part of the code's answer (else three weeks ago)."""
    code, _dash, part = name.rpartition("-")
    index = {"year": 0, "month": 1, "day": 2}.get(part)
    if not code or index is None:
        return None
    return str(int(str(ANSWERS.get(code, THREE_WEEKS_AGO.isoformat())).split("-")[index]))


FIELDS_JS = """
() => {
  const form = [...document.querySelectorAll('main form[method=post]')]
    .find(f => !f.classList.contains('language-switcher') && f.querySelector('button[type=submit]'));
  if (!form) return [];
  return [...form.elements]
    .filter(el => el.name && !['hidden', 'submit', 'button'].includes(el.type) && el.name !== 'csrfmiddlewaretoken')
    .filter(el => !el.closest('[hidden]') && el.getClientRects().length > 0)
    .map(el => ({name: el.name, type: el.type, id: el.id, value: el.value, checked: el.checked,
                 tag: el.tagName.toLowerCase(), numeric: ['numeric', 'decimal'].includes(el.inputMode),
                 labelled: Boolean(el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`))}));
}
"""


def _visible_fields(page) -> list[dict[str, Any]]:
    return page.evaluate(FIELDS_JS)


def _choose(page, field: dict[str, Any]) -> None:
    """Tick a radio or checkbox the way a person does: by its label (scales draw their inputs as buttons)."""
    if field["labelled"]:  # found with the page's fields (FIELDS_JS), not asked again
        page.locator(f'label[for="{field["id"]}"]').first.click()
    else:
        page.locator(f"#{field['id']}").check()


def answer_the_page(page, overrides: dict[str, Any] | None = None) -> None:
    """Answer every visible, unanswered field; repeat while answers bring up follow-up questions."""
    wanted = {**ANSWERS, **(overrides or {})}
    done: set[str] = set()
    for _ in range(10):
        fields = [field for field in _visible_fields(page) if field["name"] not in done]
        if not fields:
            return
        groups: dict[str, list[dict[str, Any]]] = {}
        for field in fields:
            groups.setdefault(field["name"], []).append(field)
        for name, group in groups.items():
            done.add(name)
            kind = group[0]["type"]
            if kind in ("radio", "checkbox"):
                if any(field["checked"] for field in group):
                    continue
                values = wanted.get(name)
                values = values if isinstance(values, list) else [values] if values else []
                picks = [field for field in group if field["value"] in values]
                if not picks:
                    picks = [next((field for field in group if field["value"] == "no"), group[0])]
                for field in picks:
                    _choose(page, field)
            elif group[0]["tag"] == "select":
                if not group[0]["value"]:
                    page.select_option(f"#{group[0]['id']}", index=1)
            elif not group[0]["value"]:
                value = wanted.get(name) or _date_part(name)
                if value is None and kind == "date":
                    value = THREE_WEEKS_AGO.isoformat()
                if value is None and group[0]["numeric"]:
                    value = "1"
                if value is not None:
                    page.fill(f"#{group[0]['id']}", str(value))


def press_main_button(page) -> None:
    form = page.locator("main form[method=post]:not(.language-switcher)").filter(
        has=page.locator("button[type=submit]")
    )
    buttons = form.last.locator("button[type=submit]")
    primary = buttons.and_(page.locator(".btn-primary"))
    (primary.first if primary.count() else buttons.first).click()
    page.wait_for_load_state()


def visible_errors(page) -> list[str]:
    texts = page.locator(".invalid-feedback:visible, .error-summary:visible li").all_inner_texts()
    return [text.replace("Error:", "").strip() for text in texts if text.strip()]


# The page's language, its width, and its words less what is English on purpose: anything marked lang="en" (the
# switcher's "English") and the reading list (article titles: their translations belong to the library). One call.
TEXT_JS = """
() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[lang="en"], .reading-list, script, style').forEach(el => el.remove());
  return {lang: document.documentElement.lang, width: document.documentElement.scrollWidth, text: copy.textContent};
}
"""
ENGLISH_WORDS = re.compile(r"\b(the|your|you|and|please|answer|questions?|next|back)\b", re.IGNORECASE)


def check_spanish(page, english_sentences: set[str]) -> None:
    """The page says it is Spanish, shows no English sentence of the catalogue nor any common English word (a string
    nobody marked for translation), fits the phone, and passes axe (tests/browser/a11y.py)."""
    seen = page.evaluate(TEXT_JS)
    assert seen["lang"] == "es", page.url
    text = " ".join(seen["text"].split())
    left = sorted(sentence for sentence in english_sentences if sentence in text)
    assert not left, f"English left on {page.url}: {left}"
    words = sorted({match.group(0) for match in ENGLISH_WORDS.finditer(text)})
    assert not words, f"English words on {page.url}: {words} in {text[:3000]}"
    assert seen["width"] <= PHONE_390["width"], page.url
    assert page.locator('.language-switcher [aria-current="true"]').inner_text() == "Español"
    assert_accessible(page, context="Spanish")


def open_spanish_link(open_page, **invitation: Any):
    _row, token = make_invitation(language="es", **invitation)
    page = open_page(f"/intake/start/{token}/", PHONE_390)
    assert token not in page.url
    return page


def test_a_spanish_patient_finishes_the_whole_intake_in_spanish_on_a_phone(
    open_page, screenshot, english_sentences, spanish_messages
):
    page = open_spanish_link(open_page)
    seen_error = False
    for number in range(MAX_PAGES):
        check_spanish(page, english_sentences)
        path = page.url.split("/intake/", 1)[1].strip("/").replace("/", "-") or "start"
        screenshot(page, f"spanish-phone-{number:02d}-{path}")
        if "/intake/done/" in page.url:
            break
        if "/intake/step/" in page.url and not seen_error and _visible_fields(page):
            # Bad input first: "Next" on an empty page gets its messages in Spanish, next to the fields.
            press_main_button(page)
            errors = visible_errors(page)
            assert errors, f"no error message on {page.url}"
            not_spanish = [text for text in errors if not any(spanish in text for spanish in spanish_messages)]
            assert not not_spanish, f"not from the Spanish catalogue: {not_spanish}"
            check_spanish(page, english_sentences)
            screenshot(page, f"spanish-phone-{number:02d}-{path}-error")
            seen_error = True
        assert "/intake/important/" not in page.url, "no red flag was answered, yet the emergency page came up"
        before = page.url
        answer_the_page(page)
        press_main_button(page)
        stuck = page.url == before and "/intake/review/" not in before and visible_errors(page)
        assert not stuck, f"{before} refused its answers: {visible_errors(page)}"
    else:
        pytest.fail(f"no receipt after {MAX_PAGES} pages; last page {page.url}")
    assert seen_error
    with translation.override("es"):
        thanks = translation.gettext("Thank you. We have your answers.")
    assert page.get_by_role("heading", name=thanks).is_visible()
    page.set_viewport_size(DESKTOP)
    screenshot(page, "spanish-desktop-receipt")


def test_a_cauda_equina_yes_brings_up_the_emergency_page_in_spanish(open_page, screenshot, english_sentences):
    # The link, the birth date and the agreement by the test client: those pages in Spanish are the whole walk's.
    _row, token = make_invitation(language="es")
    page = open_page("/intake/", PHONE_390, client=patient_client(token))
    for _ in range(MAX_PAGES):
        check_spanish(page, english_sentences)
        names = {field["name"] for field in _visible_fields(page)}
        if "ce_saddle_numbness" in names:
            break
        answer_the_page(page)
        press_main_button(page)
    else:
        pytest.fail("the saddle numbness question never came up")
    answer_the_page(page, {"ce_saddle_numbness": "yes"})
    press_main_button(page)

    assert page.url.endswith("/intake/important/")
    check_spanish(page, english_sentences)
    with translation.override("es"):
        heading = translation.gettext("Get medical help now")
        sign = translation.gettext(patient_messages.CE_SIGN_PHRASES["ce_saddle_numbness"])
    assert heading != "Get medical help now"
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("síndrome de cauda equina").first.is_visible()
    assert sign in page.locator(".say-this").inner_text()  # the sentence to say at the emergency room
    assert page.locator('a[href^="tel:"]').first.is_visible()
    screenshot(page, "spanish-phone-emergency")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "spanish-desktop-emergency")


def test_the_language_switcher_works_without_javascript(browser, live_server, screenshot):
    _row, token = make_invitation(language="en")
    context = browser.new_context(viewport=PHONE_390, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/intake/start/{token}/")
        page_path = page.url
        assert page.locator("html").get_attribute("lang") == "en"
        page.get_by_role("button", name="Español").click()
        page.wait_for_load_state()
        assert page.url == page_path  # the same page, now in Spanish
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.locator('.language-switcher [aria-current="true"]').inner_text() == "Español"
        screenshot(page, "spanish-phone-switched-no-js")
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.url == page_path
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page, context="switched back without JavaScript")

        page.goto("/")
        page.get_by_role("button", name="Español").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "es"
        with translation.override("es"):
            assert page.get_by_role("heading", name=translation.gettext("Coming in for a visit?")).is_visible()
        screenshot(page, "spanish-phone-home")
        assert_accessible(page, context="Spanish, without JavaScript")
        page.set_viewport_size(DESKTOP)
        screenshot(page, "spanish-desktop-home")
    finally:
        context.close()


def test_on_a_phone_the_back_link_stays_beside_the_longer_spanish_step_name(open_page):
    """ "Paso 3 de 7: Su dolor de espalda" filled the line at 375 px, so "Atrás" dropped below it, at the left,
    on some steps and not others: the step's name wraps instead, and Back stays at the top right on every step."""
    from intake import services
    from intake.rules.questionnaire import PAGE_SLUGS
    from tests.browser.conftest import PHONE
    from tests.intake.factories import routine_answers

    invitation, token = make_invitation(language="es")
    page = open_page("/intake/", PHONE, client=patient_client(token))
    assert_accessible(page)
    intake = services.start_intake(invitation)
    for step in ("safety", "about", "back_pain", "legs", "general_health", "running", "visit"):
        services.save_step(intake, step, routine_answers(), now=timezone.now())
    dropped = []
    for slug in PAGE_SLUGS[2:]:
        page.goto(f"/intake/step/{slug}/")
        if not page.url.endswith(f"/{slug}/"):
            continue  # a page these answers do not open
        assert_accessible(page)
        label = page.locator(".step-progress").bounding_box()
        back = page.locator(".back-link").bounding_box()
        assert label, slug
        assert back, slug
        if back["y"] >= label["y"] + label["height"] or back["x"] + back["width"] > PHONE["width"]:
            dropped.append(f"{slug}: {page.locator('.step-progress').inner_text()}")
    assert dropped == []
