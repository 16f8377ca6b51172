"""A patient's question page refused before its view saw it: the rate limit reached (clinic_portal.middleware), its
CSRF token refused (clinic_portal.errors.csrf_failure), or its form too large for Django to read (over
DATA_UPLOAD_MAX_MEMORY_SIZE or DATA_UPLOAD_MAX_NUMBER_FIELDS: clinic_portal.middleware.TooLargePatientPageMiddleware).

docs/clinical/TRIAGE.md: a red-flag answer is acted on the moment it is posted, whatever else is wrong. Before stop
31 such a page got the plain "Too many tries" or "Please reload the page", and a yes on it was neither stored nor
answered with advice. Now a refused page with a yes or not sure to a red-flag question gets this page instead:

- rate limit: when the page passes the CSRF check its view would have made (the limit answers before that check),
  its red-flag answers are taken where the view's guard would take them: into the form confirmed here
  (`late_pages.take_red_flags_with_advice`: stored, latched, triaged, alerted; the page says so, with the emergency
  advice), into a form left idle here, or into the tagged page's own form when this browser opened it; the rest of
  the page waits, as the limit asks;
- CSRF refused: nothing says the request is the patient's (that is what the token is for), so nothing is stored; the
  page gives the cauda equina advice for what was sent, as a page from a form closed here does, and says how to send
  it again;
- too large: it used to get a plain 400, the yes lost. The page's answers, CSRF token and form tag are read from the
  body by `intake.bounded_post` (in chunks, only those fields kept, each short, not past ten times the limit) and
  the red-flag answers taken as for the rate limit when the token passes, else the advice alone, as for a refused
  token; the page says to send it again with shorter answers. The rest of the page is not kept: it is what the
  limits refuse to hold.

Where the form open here took the answers, the page lists them (question and answer), as the rest of the page was
not saved.

Its language switcher gives the same page again in the language chosen (`intake.advice_switch`): it has no address
to come back to, and the question page it came back to before had lost the advice.

A refused page without such an answer gets the plain page, as before.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict

from intake import advice_switch, bounded_post, late_pages, owed_emergency, patient_session, selectors
from intake.patient_fields import say
from intake.rules.catalogue import FORMS
from intake.rules.patient_messages import PatientMessage
from intake.rules.questionnaire import CE_QUESTION_CODES, QUESTIONS
from intake.rules.triage import LATCHED_QUESTIONS, MSCC_LEG_QUESTIONS, acts_at_once, is_red_flag_answer
from intake.services.assessment import form_of

Refusal = Literal["rate_limit", "csrf", "too_large"]
STATUS: dict[Refusal, int] = {"rate_limit": 429, "csrf": 403, "too_large": 413}
# The form tag (patient_session.posted_tag) and the token: what a refused page needs besides the page's answers.
_TAG_FIELDS = ("csrfmiddlewaretoken", "whose")
# Where a page too large keeps, for its error page, the advice its kept fields call for (`answer_refused_post`).
_KEPT_FIELDS_ADVICE = "_refused_page_advice"


def answer_too_large(request: HttpRequest) -> HttpResponse | None:
    """A question page whose form Django refuses to read for its size (`bounded_post.size_error`), with a red-flag
    answer: the "too large" page. None for any other request, which goes on as before. A question page without such
    an answer gets its plain 400 from the error raised again here: reading its answers used up the body, so Django's
    own reading later would no longer meet it (an empty form, refused by the CSRF check instead)."""
    error = bounded_post.size_error(request)
    if error is None or _question_page(request) is None:
        return None
    answer = answer_refused_post(request, refusal="too_large")
    if answer is None:
        raise error
    return answer


def advice_for_failed_page(request: HttpRequest) -> PatientMessage | None:
    """The emergency advice for a patient's page that failed (clinic_portal.errors): a question page's cauda equina
    answers (`advice_for_failed_post`), else the advice this browser is owed for a red-flag page saved just before
    (`owed_emergency.owed_message_read_already`: the emergency page's own request met the database failing)."""
    return advice_for_failed_post(request) or owed_emergency.owed_message_read_already(request)


def advice_for_failed_post(request: HttpRequest) -> PatientMessage | None:
    """The cauda equina advice for a question page whose save failed (the database unreachable, a statement timed
    out, a bug: clinic_portal.errors), when what was sent answers a cauda equina question yes or not sure; else None.

    Nothing was stored (the answer, its latch and its alert are one transaction), so, as for a page whose CSRF check
    failed, the advice is read from what was sent alone, with no database. Before, the 503 page told a patient who had
    just ticked saddle numbness to wait a minute and try again, under the general warning-signs box."""
    if _question_page(request) is None:
        return None
    if hasattr(request, _KEPT_FIELDS_ADVICE):
        # A page too large, its kept fields put away (`answer_refused_post`): its body can no longer be read here.
        advice: PatientMessage | None = getattr(request, _KEPT_FIELDS_ADVICE)
        return advice
    try:
        posted = request.POST
    except Exception:  # a body that cannot be read: nothing to act on
        return None
    return late_pages.ces_message(late_pages.cauda_equina_sent(posted, CE_QUESTION_CODES))


def answer_refused_post(request: HttpRequest, *, refusal: Refusal, retry_after: int = 0) -> HttpResponse | None:
    """The page for a refused question page with a red-flag answer (module docstring); None for any other request,
    which gets the plain refusal."""
    slug = _question_page(request)
    if slug is None:
        return None
    read_here = _read_form_too_large(request, slug)
    try:
        return _answer(request, slug, refusal=refusal, retry_after=retry_after)
    except Exception:
        if read_here:
            # The error page's advice (`advice_for_failed_post`), read now: once the kept fields are put away, the
            # body meets its size limit again, and a page too large whose answer's save timed out got none.
            setattr(request, _KEPT_FIELDS_ADVICE, late_pages.advice_for_what_was_sent(request))
        raise
    finally:
        if read_here:
            # Only this page reads the few fields kept: anything after it (the 503 page's "Try again", which would
            # send them as the whole page) meets the form's own error again, or an empty form once the body is read.
            delattr(request, "_post")
            delattr(request, "_files")


def _answer(request: HttpRequest, slug: str, *, refusal: Refusal, retry_after: int) -> HttpResponse | None:
    raises = _raises_a_flag(request)
    # A leg answer that makes MSCC is a red-flag answer only beside a cancer history, which only the stored form
    # knows: taken like the others when the page passes its CSRF check, and given this page only when the form open
    # here took it; otherwise the plain refusal, as before (what a page says must not tell a cancer history).
    leg_only = not raises and _may_raise_mscc(request)
    if not raises and not leg_only:
        return None
    message, taken = None, False
    if refusal != "csrf" and _csrf_check_passes(request):
        message, taken = _take_red_flags(request, slug)
    if leg_only and not taken:
        return None
    if message is None:
        message = late_pages.ces_message(late_pages.cauda_equina_sent(request.POST, CE_QUESTION_CODES))
    taken_answers = _taken_answers(request, slug) if taken else []
    minutes = max(1, -(-retry_after // 60))
    context: dict[str, object] = {
        "refusal": refusal,
        "message": message,
        "taken": taken,
        "taken_answers": [(question, answer) for _code, question, answer in taken_answers],
        "minutes": minutes,
        "no_session_timer": True,
    }
    if message is not None:
        # The language switcher gives this page again in the language chosen, not the question page (advice_switch).
        taken_codes = [code for code, _question, _answer in taken_answers]
        fields = advice_switch.switch_fields(refusal=refusal, message=message, minutes=minutes, taken=taken_codes)
        context["language_switch_fields"] = fields
    response = render(request, "intake/refused_post.html", context, status=STATUS[refusal])
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _take_red_flags(request: HttpRequest, slug: str) -> tuple[PatientMessage | None, bool]:
    """The page's red-flag answers taken as the view's guard would take them (intake.patient_views.patient_page): a
    page of a form not open here into its own form (`late_pages.take_red_flags_into_tagged_form`), one of the form
    open here into it, with the advice it now calls for; one of a form left idle into that form. Only the form open
    here says what is stored (the others' page says nothing that depends on it, as their own pages do)."""
    tag = patient_session.posted_tag(request)
    if tag is not None and tag.invitation_id != patient_session.invitation_here(request):
        late_pages.take_red_flags_into_tagged_form(request, tag, slug)
        return None, False
    intake = patient_session.confirmed_intake(request)
    if intake is not None:
        return late_pages.take_red_flags_with_advice(request, intake, slug)
    closed = patient_session.idle_intake(request) or patient_session.intake_after_idle(request)
    if closed is not None:
        late_pages.take_red_flags(request, closed, slug)
    elif tag is not None:
        late_pages.take_red_flags_into_tagged_form(request, tag, slug)
    return None, False


def _taken_answers(request: HttpRequest, slug: str) -> list[tuple[str, str, str]]:
    """(code, question, answer), in the patient's language, for each red-flag answer of the page now on the form open
    here (`taken` comes only from that form; a follow-up's: also those of a page of its visit's form taken into the
    visit, `late_pages.answers_taken_into_the_visit`): the rest of the page was not saved, so the page says which
    answers were."""
    intake = patient_session.confirmed_intake(request)
    if intake is None:
        return []
    try:
        pages = [form_of(intake).page_by_slug(slug)]
    except KeyError:  # a page of an older version: its answers were taken as from the pages that ask them now
        pages = late_pages.pages_asking_what_was_sent(request, intake)
    questions = [question for page in pages for question in page.questions]
    raised = [q for q in questions if acts_at_once(q.code, request.POST.get(q.code), cancer_history=True)]
    taken = [
        (q.code, say(q.label), say(q.choice_label(str(request.POST.get(q.code)))))
        for q in raised
        if selectors.has_open_latch(intake, [q.code])
    ]
    if form_of(intake).is_follow_up and slug not in form_of(intake).page_slugs:
        # A page of the visit's form: the answers the follow-up does not ask, taken into the visit.
        _visit, at_visit = late_pages.answers_taken_into_the_visit(request, intake)
        asked = {code: QUESTIONS[code] for code in at_visit}
        taken += [(code, say(q.label), say(q.choice_label(str(request.POST.get(code))))) for code, q in asked.items()]
    return taken


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check without its failure view: the rate limit answers before CsrfViewMiddleware.process_view
    runs, so a refused page has not been checked yet."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return HttpResponseForbidden()


def _csrf_check_passes(request: HttpRequest) -> bool:
    """Whether the page passes the CSRF check its view would have made (nothing is stored from one that does not:
    nothing says it is the patient's)."""
    return _CsrfCheck(lambda _request: HttpResponse()).process_view(request, HttpResponse, (), {}) is None


def _question_page(request: HttpRequest) -> str | None:
    """The slug of the question page posted to, or None."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return str(match.kwargs["slug"]) if match.view_name == "intake:step" else None


def _read_form_too_large(request: HttpRequest, slug: str) -> bool:
    """When Django refuses to read the posted form for its size (`bounded_post`), put the fields a refused page reads
    in its place: the page's questions in any form's version (any page's, for an address no form has), the token and
    the tag. Whether it did."""
    if bounded_post.size_error(request) is None:
        return False
    pages = [page for form in FORMS.values() for page in form.pages if page.slug == slug]
    if not pages:  # a page of an older version: its answers are taken as from the pages that ask them now
        pages = [page for form in FORMS.values() for page in form.pages]
    names = {question.code for page in pages for question in page.questions}
    posted = bounded_post.read_named_fields(request, names | set(_TAG_FIELDS)) if names else None
    if posted is None:
        return False
    # Where request.POST keeps what it read (HttpRequest._load_post_and_files), so every reader of this page (the CSRF
    # check, the form tag, the red-flag answers) reads the kept fields.
    setattr(request, "_post", posted)  # noqa: B010
    setattr(request, "_files", MultiValueDict())  # noqa: B010
    return True


def _raises_a_flag(request: HttpRequest) -> bool:
    try:
        posted = request.POST
    except Exception:  # a body that cannot be read (too many fields, bad encoding): nothing to act on
        return False
    return any(is_red_flag_answer(code, posted.get(code)) for code in LATCHED_QUESTIONS)


def _may_raise_mscc(request: HttpRequest) -> bool:
    """A leg answer that makes MSCC beside a cancer history (`acts_at_once`), before anyone knows whether one stands."""
    try:
        posted = request.POST
    except Exception:  # a body that cannot be read: nothing to act on
        return False
    return any(is_red_flag_answer(code, posted.get(code)) for code in MSCC_LEG_QUESTIONS)
