"""Answers between their typed form (what the rules read) and their stored JSON form, and the order of the pages.

``Intake.current_step`` holds the furthest page reached (a page slug, or REVIEW); the first page of each step has
the step's slug, so resume points stored before pages existed still name a page. Pages whose questions are not asked
given the answers so far are skipped (``next_place``, ``previous_page``). Every page function takes the form
(``intake.rules.catalogue.Form``; the intake's when none is given), so the follow-up moves through its own pages.

Pure Python: dates are stored as ISO strings and numbers as JSON numbers (a Decimal would become a string through
DjangoJSONEncoder, and the triage rules would then not see a number at all).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from intake.rules.catalogue import INTAKE, Form
from intake.rules.questionnaire import QUESTIONS, page_applies, questions_that_apply

REVIEW = "review"  # the place after the last page, kept in Intake.current_step


def to_json(answers: Mapping[str, object]) -> dict[str, object]:
    stored: dict[str, object] = {}
    for code, value in answers.items():
        if isinstance(value, datetime.date):
            stored[code] = value.isoformat()
        elif isinstance(value, Decimal):
            stored[code] = int(value) if value == value.to_integral_value() else float(value)
        elif isinstance(value, (tuple, set, frozenset)):
            stored[code] = list(value)
        else:
            stored[code] = value
    return stored


def from_json(stored: Mapping[str, object]) -> dict[str, object]:
    """Stored answers as the rules expect them: ISO strings of date questions back to dates."""
    answers: dict[str, object] = dict(stored)
    for code, value in stored.items():
        question = QUESTIONS.get(code)
        if question is not None and question.kind == "date" and isinstance(value, str):
            try:
                answers[code] = datetime.date.fromisoformat(value)
            except ValueError:
                answers.pop(code)
    return answers


def place_index(place: str, form: Form = INTAKE) -> int:
    """Order of a page slug or REVIEW; an unknown value (a resume point from an older version of the form) counts as
    the first question page, where `resume` sends the patient: counted as the consent page, no question page was
    reached, the first one sent back to `resume` and round again, and a red-flag answer on it was not taken."""
    slugs = form.page_slugs
    if place == REVIEW:
        return len(slugs)
    return slugs.index(place if place in slugs else form.first_page)


def furthest(a: str, b: str, form: Form = INTAKE) -> str:
    return a if place_index(a, form) >= place_index(b, form) else b


def next_place(
    slug: str,
    answers: Mapping[str, object] | None = None,
    *,
    today: datetime.date | None = None,
    form: Form = INTAKE,
) -> str:
    """The first page after ``slug`` that is asked given ``answers`` (every page without them), else REVIEW."""
    for page in form.pages[place_index(slug, form) + 1 :]:
        if answers is None or page_applies(page, answers, today=today):
            return page.slug
    return REVIEW


def previous_page(
    slug: str, answers: Mapping[str, object], *, today: datetime.date | None = None, form: Form = INTAKE
) -> str | None:
    """The page before ``slug`` that is asked (for "Back"); None before the first question (consent is not gone back
    to: it is given once)."""
    for page in reversed(form.pages[: place_index(slug, form)]):
        if page.slug != form.consent_page and page_applies(page, answers, today=today):
            return page.slug
    return None


def pages_newly_asking(
    before: Mapping[str, object],
    after: Mapping[str, object],
    *,
    saved: str,
    today: datetime.date | None = None,
    form: Form = INTAKE,
) -> list[str]:
    """The pages (other than ``saved``, the page just saved), in order, that ask a question they did not ask before
    this change and that has no answer yet: a change made from the review page can open questions, optional ones too
    (the inflammatory back pain questions after an earlier pain start date), which the patient must be shown."""
    opened = []
    for page in form.pages:
        if page.slug in (saved, form.consent_page):
            continue
        asked_now = {question.code for question in questions_that_apply(page, after, today=today)}
        asked_before = {question.code for question in questions_that_apply(page, before, today=today)}
        if any(after.get(code) is None for code in asked_now - asked_before):
            opened.append(page.slug)
    return opened


def after_step(step_slug: str, form: Form = INTAKE) -> str:
    """The first page of the step after ``step_slug`` (REVIEW after the last): where a whole saved step leaves the
    patient."""
    pages = form.pages
    last = max(index for index, page in enumerate(pages) if page.step == step_slug and page.slug != form.consent_page)
    return pages[last + 1].slug if last + 1 < len(pages) else REVIEW
