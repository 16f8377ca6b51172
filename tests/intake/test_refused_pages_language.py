"""The language switcher on a refused question page that gives the emergency advice (intake.refused_posts): switching
gives the same page, the same advice, in the language chosen. It used to come back to the question page, and the
advice was gone (clinic_portal.language_choice, intake.advice_switch)."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from intake.models import Intake, RedFlagAnswer
from intake.rules.questionnaire import page_by_slug
from tests.intake.conftest import Patient
from tests.intake.factories import post_data, routine_answers

pytestmark = pytest.mark.django_db

SWITCH = "/i18n/setlang/"
FROM_HERE = {"Sec-Fetch-Site": "same-origin"}
SADDLE_YES = routine_answers(ce_saddle_numbness="yes")


def _switcher(body: str) -> dict[str, list[str]]:
    """The fields the page's language switcher sends (its hidden inputs), and where it sends them."""
    form = re.search(r'<form class="language-switcher[^"]*" method="post" action="([^"]+)".*?</form>', body, re.S)
    assert form is not None, "no language switcher on the page"
    fields: dict[str, list[str]] = {"action": [form.group(1)]}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0)):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def _switch(client: Client, body: str, language: str):
    """Press the language's button in the page's switcher, as a browser sends it (urlencoded, from this site)."""
    fields = _switcher(body)
    action = fields.pop("action")[0]
    return client.post(
        action,
        urlencode({**fields, "language": language}, doseq=True),
        content_type="application/x-www-form-urlencoded",
        headers=FROM_HERE,
    )


def _advice(body: str) -> str:
    box = re.search(r'<section class="emergency-box".*?</section>', body, re.S)
    assert box is not None, "no emergency advice on the page"
    return box.group(0)


def _no_csrf_cookie(patient: Patient) -> Client:
    """The patient's browser with its CSRF cookie blocked (why the page was refused): the session only."""
    checked = Client(enforce_csrf_checks=True)
    checked.cookies[settings.SESSION_COOKIE_NAME] = patient.client.cookies[settings.SESSION_COOKIE_NAME].value
    return checked


def _limit_to_one_post(settings) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], "patient_rate": "1/10m"}]
    caches["ratelimit"].clear()


def test_switching_to_spanish_on_the_csrf_refused_page_gives_the_same_advice_in_spanish(patient):
    browser = _no_csrf_cookie(patient)
    refused = browser.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert refused.status_code == 403

    response = _switch(browser, refused.content.decode(), "es")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="es"' in body
    assert "Busque ayuda médica ahora" in body
    assert "Me preocupa que sea el síndrome de cauda equina." in body  # what to say at the emergency room
    assert "No se pudo enviar ese formulario" in body  # the same page: why it was refused, and what to do
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "no-store" in response["Cache-Control"]
    # The same advice as the refused page gives a patient who reads Spanish, word for word.
    spanish = _no_csrf_cookie(patient)
    spanish.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    direct = spanish.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert _advice(body) == _advice(direct.content.decode())
    # Nothing of the refused page was stored, by the refusal or by the switch.
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level is None
    assert "ce_saddle_numbness" not in intake.answers
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()


def test_the_switch_keeps_every_sign_answered_not_sure_and_can_switch_back(patient):
    browser = _no_csrf_cookie(patient)
    sent = {"ce_saddle_numbness": "not_sure", "ce_bowel_control": "yes", "ce_wiping_sensation": "no"}
    refused = browser.post("/intake/step/safety/", sent)
    english = _advice(refused.content.decode())
    assert "around my bottom or my genitals" in english  # not sure is told as yes, and said at the emergency room

    spanish = _switch(browser, refused.content.decode(), "es").content.decode()
    back = _switch(browser, spanish, "en").content.decode()

    assert "Busque ayuda médica ahora" in spanish
    assert _advice(back) == english  # the switched page's own switcher keeps the advice too
    # Which signs the advice names, never the answers themselves (yes, not sure), in the switcher's fields.
    assert 'value="not_sure"' not in spanish + back
    assert 'name="ce_saddle_numbness"' not in spanish + back


def test_switching_to_spanish_on_the_rate_limited_page_gives_the_advice_and_what_was_added(patient, settings):
    _limit_to_one_post(settings)
    assert patient.post_step("safety", routine_answers()).status_code == 302  # the one post allowed
    limited = patient.post_step("safety", SADDLE_YES)
    assert limited.status_code == 429

    response = _switch(patient.client, limited.content.decode(), "es")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Busque ayuda médica ahora" in body
    assert "Hemos agregado a su formulario lo que nos dijo sobre las señales de alarma" in body
    added = body.split("Las respuestas que agregamos:")[1].split("</ul>")[0]
    assert "Sí" in added
    assert "Too many tries" not in body
    caches["ratelimit"].clear()


def test_a_switch_that_claims_an_answer_was_added_says_so_only_when_it_was(patient):
    """`taken` is read again from the form, never believed from the switcher's fields: a refused page whose answer
    was not added cannot be made to say the clinic was told, even in the patient's own browser."""
    data = {"language": "es", "next": "/intake/step/safety/", "advice_page": "rate_limit", "advice": "ces"}
    data |= {"advice_ce_sign": "ce_saddle_numbness", "advice_taken": "ce_saddle_numbness"}

    response = patient.client.post(SWITCH, data, headers=FROM_HERE)

    body = response.content.decode()
    assert "Busque ayuda médica ahora" in body
    assert "Hemos agregado" not in body


def test_switching_on_the_page_too_large_to_read_gives_the_advice_in_spanish(patient, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    own = Client(enforce_csrf_checks=True)
    own.cookies = patient.client.cookies
    data = {"notes": "x" * 6000, **post_data(page_by_slug("safety"), SADDLE_YES), "csrfmiddlewaretoken": "x" * 64}
    too_large = own.post(
        "/intake/step/safety/", urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )
    assert too_large.status_code == 413

    body = _switch(own, too_large.content.decode(), "es").content.decode()

    assert "Busque ayuda médica ahora" in body
    assert "Esta página era demasiado larga para guardarla" in body


def test_a_switch_from_another_site_with_advice_fields_is_refused(patient):
    data = {"language": "es", "next": "/intake/", "advice_page": "csrf", "advice": "ces"}
    response = Client().post(SWITCH, data, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_error_pages_that_give_the_advice_have_no_switcher_to_lose_it(patient, monkeypatch):
    """The 503 and 500 pages give the advice for a failed step (clinic_portal.errors.failed_page_advice) but are
    rendered without the request, so they carry no language switcher that could go back to the plain question page:
    they speak the language the patient already chose."""
    from intake import services

    def crashes(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "record_red_flags", crashes)
    patient.client.raise_request_exception = False
    patient.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})

    assert response.status_code == 500
    body = response.content.decode()
    assert "Busque ayuda médica ahora" in body
    assert "language-switcher" not in body


def test_switching_language_on_the_rate_limited_page_after_send_still_says_what_was_added(patient, settings):
    """A page from another tab sent after "Send", past the rate limit: its yes is latched beside what was sent (the
    sent answers stay as sent) and the page says it was added. Switched to Spanish, the page read the stored answer
    ("no", as sent) instead of the latch, and no longer said the answer was added or the clinic told."""
    patient.save_all(routine_answers())
    assert patient.client.post("/intake/review/").status_code == 302
    _limit_to_one_post(settings)
    assert patient.client.get("/intake/done/").status_code == 200
    assert patient.post_step("safety", routine_answers()).status_code == 409  # the one post allowed: sent already
    limited = patient.post_step("safety", SADDLE_YES)
    assert limited.status_code == 429
    assert "We have added what you told us about warning signs to your form and told the clinic." in (
        limited.content.decode()
    )

    body = _switch(patient.client, limited.content.decode(), "es").content.decode()

    assert "Busque ayuda médica ahora" in body
    assert "Hemos agregado a su formulario lo que nos dijo sobre las señales de alarma" in body
    added = body.split("Las respuestas que agregamos:")[1].split("</ul>")[0]
    assert "Sí" in added
    caches["ratelimit"].clear()
