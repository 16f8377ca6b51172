"""A patient's question page refused before its view saw it: the rate limit reached (clinic_portal.middleware), or
its CSRF token refused (clinic_portal.errors.csrf_failure).

docs/clinical/TRIAGE.md: a red-flag answer is acted on the moment it is posted, whatever else is wrong. Before stop
31 such a page got the plain "Too many tries" or "Please reload the page", and a yes on it was neither stored nor
answered with advice. Now a refused page with a yes or not sure to a red-flag question gets this page instead:

- rate limit: the request is this browser's own, on its own confirmed form (the session says so, and the page's tag,
  if it has one, is that form's), so its red-flag answers are taken as the page's view would take them
  (`late_pages.take_red_flags_with_advice`: stored, latched, triaged, alerted) and the page says so, with the
  emergency advice; the rest of the page waits, as the limit asks;
- CSRF refused: nothing says the request is the patient's (that is what the token is for), so nothing is stored; the
  page gives the cauda equina advice for what was sent, as a page from a form closed here does, and says how to send
  it again.

A refused page without such an answer gets the plain page, as before.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from intake import late_pages, patient_session
from intake.rules.questionnaire import CE_QUESTION_CODES, is_yes
from intake.rules.triage import LATCHED_QUESTIONS

Refusal = Literal["rate_limit", "csrf"]


def answer_refused_post(request: HttpRequest, *, refusal: Refusal, retry_after: int = 0) -> HttpResponse | None:
    """The page for a refused question page with a red-flag answer (module docstring); None for any other request,
    which gets the plain refusal."""
    slug = _question_page(request)
    if slug is None or not _raises_a_flag(request):
        return None
    message, taken = None, False
    if refusal == "rate_limit":
        intake = patient_session.confirmed_intake(request)
        tag = patient_session.posted_tag(request)
        if intake is not None and (tag is None or tag.invitation_id == intake.invitation_id):
            message, taken = late_pages.take_red_flags_with_advice(request, intake, slug)
    if message is None:
        message = late_pages.ces_message(late_pages.cauda_equina_sent(request.POST, CE_QUESTION_CODES))
    context = {
        "refusal": refusal,
        "message": message,
        "taken": taken,
        "minutes": max(1, -(-retry_after // 60)),
        "no_session_timer": True,
    }
    response = render(request, "intake/refused_post.html", context, status=429 if refusal == "rate_limit" else 403)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _question_page(request: HttpRequest) -> str | None:
    """The slug of the question page posted to, or None."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return str(match.kwargs["slug"]) if match.view_name == "intake:step" else None


def _raises_a_flag(request: HttpRequest) -> bool:
    try:
        posted = request.POST
    except Exception:  # a body that cannot be read (too many fields, bad encoding): nothing to act on
        return False
    return any(is_yes(posted.get(code)) for code in LATCHED_QUESTIONS)
