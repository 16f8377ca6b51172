"""The language switcher on a refused question page that gives the emergency advice (intake.refused_posts): the same
page again, in the language chosen.

The switcher posts to Django's set_language with the page to come back to, and comes back with a GET. A refused
page has no address of its own to come back to (it answered a POST to the question page, and nothing of it was kept
where a GET could find it: a page refused by its CSRF check stores nothing, and its browser may keep no cookie), so
the patient landed on the plain question page: the advice they had just been given was gone, in the language they
had asked for.

So on such a page the switcher's form also carries what the page says (`switch_fields`), in the POST body, never in
a URL: which page (the refusal and, for the rate limit, the minutes to wait), which advice (its kind, the signs it
names as their question or flag codes, whether it says "you may have had cancer") and which red-flag questions the
page says were added to the form. These are what the page shows in words, not the answers: a sign is named whether
it was answered yes or not sure, as the advice names it (`late_pages.ces_message`). The switcher's view
(clinic_portal.language_choice.set_language) sets the language as always and, when these fields are there, answers
with this page (`page_in_new_language`) instead of the redirect. Nothing is stored here.

What is believed from the fields: only what the page would show anyway to whoever sends them, the advice for the
signs named (advice is never wrong to give). That an answer was added and the clinic told is never believed: it is
read again from the form this browser has open (its latch still open, the answer stored), as the refused page read
it, or not said.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from intake import patient_session
from intake.patient_fields import say
from intake.rules.patient_messages import CE_SIGN_PHRASES, MSCC_SIGN_PHRASES, PatientMessage
from intake.rules.triage import acts_at_once
from intake.services.assessment import form_of
from intake.services.latches import open_latches

PAGE_FIELD = "advice_page"
KIND_FIELD = "advice"
CE_SIGN_FIELD = "advice_ce_sign"
MSCC_SIGN_FIELD = "advice_mscc_sign"
CANCER_FIELD = "advice_cancer"
MINUTES_FIELD = "advice_minutes"
TAKEN_FIELD = "advice_taken"

REFUSALS = ("rate_limit", "csrf", "too_large")
MAX_MINUTES = 24 * 60
_CE_CODES = {phrase: code for code, phrase in CE_SIGN_PHRASES.items()}
_MSCC_CODES = {phrase: code for code, phrase in MSCC_SIGN_PHRASES.items()}

Fields = tuple[tuple[str, str], ...]


def switch_fields(*, refusal: str, message: PatientMessage, minutes: int, taken: Iterable[str] = ()) -> Fields:
    """The switcher's hidden fields on the refused page (`refusal`) that gives `message`, `minutes` to wait (the rate
    limit) and says the red-flag questions `taken` were added to the form."""
    # What the page says of a cancer history ("you have had", "you may have had"), not the answer.
    cancer = "may_have" if message.cancer_unsure else "had" if message.cancer_history else ""
    return (
        (PAGE_FIELD, refusal),
        (KIND_FIELD, message.kind),
        *((CE_SIGN_FIELD, _CE_CODES[phrase]) for phrase in message.ce_signs if phrase in _CE_CODES),
        *((MSCC_SIGN_FIELD, _MSCC_CODES[phrase]) for phrase in message.mscc_signs if phrase in _MSCC_CODES),
        *(((CANCER_FIELD, cancer),) if cancer else ()),
        *(((MINUTES_FIELD, str(minutes)),) if refusal == "rate_limit" else ()),
        *((TAKEN_FIELD, code) for code in taken),
    )


def message_from(fields: Fields) -> PatientMessage | None:
    """The advice `switch_fields` names, as the page gave it; None when the fields name none."""
    values: dict[str, list[str]] = {}
    for name, value in fields:
        values.setdefault(name, []).append(value)
    kind = (values.get(KIND_FIELD) or [""])[0]
    if kind not in ("ces", "mscc"):
        return None
    ce_codes = set(values.get(CE_SIGN_FIELD, ()))
    mscc_codes = set(values.get(MSCC_SIGN_FIELD, ()))
    cancer = (values.get(CANCER_FIELD) or [""])[0]
    return PatientMessage(
        kind="mscc" if kind == "mscc" else "ces",
        # In the advice's own order (the CES card's, the MSCC list's), whatever order the fields came in.
        ce_signs=tuple(phrase for code, phrase in CE_SIGN_PHRASES.items() if code in ce_codes),
        mscc_signs=tuple(phrase for code, phrase in MSCC_SIGN_PHRASES.items() if code in mscc_codes),
        cancer_history=cancer in ("had", "may_have"),
        cancer_unsure=cancer == "may_have",
    )


def page_in_new_language(request: HttpRequest, language: str) -> HttpResponse | None:
    """The refused page the switcher was pressed on, in `language` (already checked), when its fields name the
    advice it gave; None for any other switch, which goes back to its page as before."""
    fields: Fields = tuple((name, value) for name, values in request.POST.lists() for value in values)
    refusal = request.POST.get(PAGE_FIELD, "")
    message = message_from(fields)
    if refusal not in REFUSALS or message is None:
        return None
    try:
        minutes = min(MAX_MINUTES, max(1, int(request.POST.get(MINUTES_FIELD, "1"))))
    except ValueError:
        minutes = 1
    with translation.override(language):
        taken_answers = _still_taken(request, request.POST.getlist(TAKEN_FIELD)) if refusal != "csrf" else []
        taken = [code for code, _question, _answer in taken_answers]
        context = {
            "refusal": refusal,
            "message": message,
            "taken": bool(taken_answers),
            "taken_answers": [(question, answer) for _code, question, answer in taken_answers],
            "minutes": minutes,
            "no_session_timer": True,
            "language_switch_fields": switch_fields(refusal=refusal, message=message, minutes=minutes, taken=taken),
            "language_switch_next": _next_path(request),
        }
        response = render(request, "intake/refused_post.html", context)
    response.headers["Content-Language"] = language
    add_never_cache_headers(response)  # the advice a patient was given: as the refused page, kept by no cache
    return response


def _still_taken(request: HttpRequest, codes: list[str]) -> list[tuple[str, str, str]]:
    """(code, question, answer) for each red-flag question in `codes` that is on the form open in this browser, its
    latch open (refused_posts._taken_answers), with the answer its latch holds: a sent form's stored answers stay as
    sent beside a yes latched after "Send" (read from them, that yes was left out once the language was switched).
    Nothing when no form is open here."""
    intake = patient_session.confirmed_intake(request) if codes else None
    if intake is None:
        return []
    questions = form_of(intake).questions
    latched = open_latches(intake)
    found = []
    for code in dict.fromkeys(codes):
        question, latch = questions.get(code), latched.get(code)
        if question is None or latch is None or not acts_at_once(code, latch.value, cancer_history=True):
            continue
        found.append((code, say(question.label), say(question.choice_label(str(latch.value)))))
    return found


def _next_path(request: HttpRequest) -> str:
    """The question page the refused page's switcher came back to: this page's switcher keeps it, for a switch whose
    advice fields are lost on the way (then Django's set_language goes there, as before)."""
    next_path = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()})
    return next_path if safe and next_path.startswith("/") else "/intake/"
