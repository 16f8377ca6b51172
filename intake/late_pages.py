"""Pages sent after the patient's form sat idle past its limit (docs/clinical/TRIAGE.md, "Pages sent late"), and
pages sent from a tab whose form is no longer open in this browser (left, locked, or replaced by another).

The guard of every patient page (intake.patient_views.patient_page) sends both here. Before the birth date is typed
again nothing is shown, and nothing said depends on what is stored: a question page's red-flag answers are taken at
once (into its own form), the rest is kept aside in the session and opens again, as sent, after the birth date.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from intake import patient_session, selectors, services
from intake.models import Intake
from intake.rules import answers as answer_codec
from intake.rules.patient_messages import PatientMessage
from intake.rules.questionnaire import CE_QUESTION_CODES, Page, is_yes
from intake.rules.triage import LATCHED_QUESTIONS
from intake.services.assessment import form_of


def form_closed_here(request: HttpRequest, invitation_id: int, *, slug: str | None) -> HttpResponse:
    """A page sent from a tab whose form is no longer open in this browser: the patient pressed "Exit", the link
    locked (or ended), the link was opened again and the birth date not yet typed, or another patient's form was
    opened here since. Nothing of it goes into the form open here, if any. Its red-flag answers still go into its own
    form, as a page sent after the idle hour does (`take_page_sent_late`). The page says how to open one's own form
    again, with the emergency advice what was sent calls for; it shows nothing of either form, says nothing that
    depends on what is stored, and does not keep this browser's form open."""
    owner = selectors.intake_by_invitation_id(invitation_id, now=timezone.now(), closed_links=True)
    if slug is not None and owner is not None and owner.status != Intake.Status.SUBMITTED:
        take_page_sent_late(request, owner, slug)
    emergency = slug is not None and any(is_yes(request.POST.get(code)) for code in CE_QUESTION_CODES)
    context = {
        "another": patient_session.has_other_form(request, invitation_id),
        "message": PatientMessage(kind="ces") if emergency else None,
        "no_session_timer": True,
    }
    return render(request, "intake/form_closed_here.html", context, status=409)


def after_idle(request: HttpRequest, intake: Intake, *, slug: str | None, first: bool) -> HttpResponse:
    """The form sat idle past its limit (a phone left on a table): nothing is shown until the date of birth is typed
    again, and nothing said depends on what is stored, only on what was just sent (docs/clinical/TRIAGE.md, "Pages
    sent late"). A question page sent from it (`take_page_sent_late`) has its red-flag answers taken at once and the
    rest kept aside, to open again, as sent, once the birth date is typed; anything else sent is not kept."""
    if first:
        patient_session.reconfirm(request, intake.invitation)
    if request.method == "POST":
        page, emergency = take_page_sent_late(request, intake, slug) if slug is not None else (None, None)
        patient_session.note_late_post(request, question_page=slug is not None, page=page, emergency=emergency)
    return redirect("intake:confirm")


# A page sent late is kept aside in the session (the database's, as every session) until the birth date is typed:
# its own fields only, each value cut to the longest any answer may be.
_LATE_VALUE_LIMIT = 2000
_LATE_VALUES_PER_FIELD = 20  # the most choices a question has is under this
_LATE_FIELDS = 60  # a page's inputs, parts of dates and measures included, are fewer


def take_page_sent_late(request: HttpRequest, intake: Intake, slug: str) -> tuple[dict[str, object] | None, str | None]:
    """A question page sent after the idle limit: its red-flag answers are stored, latched, triaged and alerted now
    (where they would be in time: after the consent, on a page reached); the page's fields are returned to open
    again after the birth date, with the emergency advice its own answers call for: "ces" for a yes or not sure to a
    cauda equina question (the advice that needs no stored answer; cord compression's waits for the birth date,
    as it depends on the cancer history)."""
    form_def = form_of(intake)
    try:
        page = form_def.page_by_slug(slug)
    except KeyError:
        return None, None
    posted = {question.code: request.POST.get(question.code) for question in page.questions}
    raised = {code for code, value in posted.items() if code in LATCHED_QUESTIONS and is_yes(value)}
    reached = answer_codec.place_index(slug, form_def) <= answer_codec.place_index(intake.current_step, form_def)
    if raised and slug != form_def.consent_page and services.has_consent(intake) and reached:
        services.record_red_flags(intake, posted, now=timezone.now())
    emergency = "ces" if raised.intersection(CE_QUESTION_CODES) else None
    if slug == form_def.consent_page or intake.status == Intake.Status.SUBMITTED:
        return None, emergency  # nothing to open again: the consent is asked again; a sent form has its receipt
    return {"slug": slug, "post": page_fields(request.POST, page)}, emergency


def page_fields(post: QueryDict, page: Page) -> dict[str, list[str]]:
    """The posted fields of `page`'s own inputs (a question's code, or its parts: `<code>-day`, `<code>-ft`...),
    and the way back to the review: a few values each, each cut to the longest any answer may be."""
    codes = {question.code for question in page.questions}
    fields = {}
    for name in post:
        if name == "next" or name in codes or (name.count("-") == 1 and name.split("-")[0] in codes):
            fields[name] = [value[:_LATE_VALUE_LIMIT] for value in post.getlist(name)[:_LATE_VALUES_PER_FIELD]]
        if len(fields) >= _LATE_FIELDS:
            break
    return fields


def as_post(fields: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name, [str(value) for value in values])
    return data
