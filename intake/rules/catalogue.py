"""The patient's forms as objects: the pre-visit intake and the follow-up, each a ``Form`` (version, steps, pages),
answered through the same flow (issue 12).

Why: the patient's pages, the checks, the review and the receipt are the same for every form; only the questions
and the pages differ. The views and services pick the form from ``Intake.form_version`` (``form_for``) and pass it
down, instead of copying the flow. ``intake.rules.questionnaire``'s module-level ``STEPS``, ``PAGES``,
``QUESTIONS`` ... stay the intake's, for the callers written before follow-ups.

Public API
----------
- ``Form(version, kind, steps, pages, consent_page)`` with ``questions`` (code -> Question), ``page_slugs``,
  ``step_slugs``, ``page_by_slug``, ``step_by_slug``, ``page_of``, ``step_number``, ``first_page``,
  ``is_follow_up``.
- ``INTAKE`` and ``FOLLOW_UP`` (the two instances), ``FORMS`` (version -> Form), ``form_for(version)`` (an unknown
  version reads as the intake: every row written before versions existed is one), ``ALL_QUESTIONS`` (every code of
  every form; the follow-up's wording where only the follow-up asks it).
- ``assess_answers(form, answers, *, today, background, earlier=None, interim)``: the triage of a form's answers; the
  intake as ``triage.assess`` / ``assess_interim`` always did, a follow-up with its background facts
  (``intake.rules.follow_up``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from intake.rules import follow_up, questionnaire
from intake.rules.form_versions import FOLLOW_UP_FORM, INTAKE_FORM
from intake.rules.questionnaire import CONSENT_PAGE, Page, Question, Step
from intake.rules.triage import EarlierAnswer, TriageResult, assess, assess_interim


@dataclass(frozen=True)
class Form:
    version: str
    kind: str  # "intake" or "follow_up" (intake.models.Questionnaire)
    steps: tuple[Step, ...]
    pages: tuple[Page, ...]
    consent_page: str | None = None  # the page asked before any question, if the form has one
    questions: Mapping[str, Question] = field(init=False, repr=False, compare=False)
    page_slugs: tuple[str, ...] = field(init=False, repr=False, compare=False)
    step_slugs: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "questions", {question.code: question for step in self.steps for question in step.questions}
        )
        # Asked several times on every patient page (where the page lies in the form).
        object.__setattr__(self, "page_slugs", tuple(page.slug for page in self.pages))
        object.__setattr__(self, "step_slugs", tuple(step.slug for step in self.steps))

    @property
    def is_follow_up(self) -> bool:
        return self.kind == "follow_up"

    @property
    def first_page(self) -> str:
        """The first page after the consent page (the first question)."""
        return next(page.slug for page in self.pages if page.slug != self.consent_page)

    def page_by_slug(self, slug: str) -> Page:
        for page in self.pages:
            if page.slug == slug:
                return page
        raise KeyError(slug)

    def step_by_slug(self, slug: str) -> Step:
        for step in self.steps:
            if step.slug == slug:
                return step
        raise KeyError(slug)

    def page_of(self, code: str) -> Page | None:
        return next((page for page in self.pages if any(q.code == code for q in page.questions)), None)

    def step_number(self, page: Page) -> int:
        """1-based position of the page's step ("Step 2 of 4")."""
        return self.step_slugs.index(page.step) + 1


INTAKE = Form(INTAKE_FORM, "intake", questionnaire.STEPS, questionnaire.PAGES, consent_page=CONSENT_PAGE)
FOLLOW_UP = Form(FOLLOW_UP_FORM, "follow_up", follow_up.STEPS, follow_up.PAGES)
FORMS: Mapping[str, Form] = {form.version: form for form in (INTAKE, FOLLOW_UP)}
ALL_QUESTIONS: Mapping[str, Question] = {
    **INTAKE.questions,
    **{code: question for code, question in FOLLOW_UP.questions.items() if code not in INTAKE.questions},
}


def form_for(version: str) -> Form:
    return FORMS.get(version, INTAKE)


def assess_answers(
    form: Form,
    answers: Mapping[str, object],
    *,
    today: datetime.date,
    background: Mapping[str, object] | None = None,
    earlier: Mapping[str, EarlierAnswer] | None = None,
    interim: bool,
) -> TriageResult:
    if form.is_follow_up:
        return follow_up.assess_follow_up(answers, background=background or {}, today=today, earlier=earlier)
    judge = assess_interim if interim else assess
    return judge(answers, today=today, earlier=earlier)
