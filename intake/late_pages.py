"""Pages sent after the patient's form sat idle past its limit (docs/clinical/TRIAGE.md, "Pages sent late"), and
pages sent from a tab whose form is no longer open in this browser (left, locked, or replaced by another).

The guard of every patient page (intake.patient_views.patient_page) sends both here. Nothing is shown before the birth
date is typed again, and nothing said depends on what is stored. A question page's red-flag answers are taken at once
(into its own form; from a form closed here, only in the browser that opened it). The rest of a page sent after the
idle limit is kept aside in the session and opens again, as sent, after the birth date; the rest of a page of a form
closed here is not kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from intake import before_consent, owed_emergency, patient_session, selectors, services, trusted_devices
from intake.models import Intake, Invitation, RedFlagAnswer
from intake.rules import answers as answer_codec
from intake.rules import patient_messages
from intake.rules.follow_up import with_background
from intake.rules.patient_messages import PatientMessage, ce_signs, patient_message
from intake.rules.questionnaire import CE_QUESTION_CODES, Page, is_yes
from intake.rules.triage import LATCHED_QUESTIONS, acts_at_once
from intake.services.assessment import background_for, background_visit, form_of
from intake.services.latches import open_latches


def form_closed_here(request: HttpRequest, tag: patient_session.PostedTag, *, slug: str | None) -> HttpResponse:
    """A page sent from a tab whose form is not open in this browser: the patient pressed "Exit", the link locked,
    the link was opened again and the birth date (or a code) is not yet typed, the link was replaced or has ended,
    or another patient's form was opened here since. Nothing of it goes into the form open here, if any. Its
    red-flag answers go into its own form (`take_red_flags`) when this browser is one that opened that form (its
    device cookie, which keeps the last five forms opened here) and the page was shown while it stays trusted (the
    tag is `fresh`); the rest of the page is not kept. The page says how to open one's own form
    again, with the cauda equina advice when what was sent calls for it. What it says depends only on what was sent
    and on this browser's session, never on what is stored (sent or not, locked or not, taken or not); it shows
    nothing of either form and does not keep this browser's form open."""
    if slug is not None:
        take_red_flags_into_tagged_form(request, tag, slug)
    return closed_here_answer(request, tag.invitation_id, slug=slug)


def closed_here_answer(request: HttpRequest, invitation_id: int, *, slug: str | None) -> HttpResponse:
    """What `form_closed_here` answers, once it has taken what it can, for a page of invitation `invitation_id`'s
    form: also a page whose form was removed while it was being saved (the retention purge took the visit: the guard
    of the patient pages, `patient_views.patient_page`), when nothing of it was taken. The cauda equina advice for
    what was sent on question page `slug`, and that the page may need answering again; nothing about what is stored."""
    # The advice is read from the post itself, not from the page's questions in the form's stored version.
    sent = cauda_equina_sent(request.POST, CE_QUESTION_CODES) if slug is not None else []
    message = ces_message(sent)
    another = patient_session.invitation_here(request) not in (None, invitation_id)
    if message is not None and not another:
        # The language switcher comes back to this address with a GET, which finds no form open here: the advice
        # again, in the language chosen, not "This link does not work" (the stop-34 audit).
        owed_emergency.owe_message(request, invitation_id, message, taken=False)
    context = {"another": another, "message": message, "no_session_timer": True}
    return render(request, "intake/form_closed_here.html", context, status=409)


def take_red_flags_into_tagged_form(request: HttpRequest, tag: patient_session.PostedTag, slug: str) -> None:
    """A page of a form not open here (`form_closed_here`): its red-flag answers go into its own form when this
    browser is one that opened that form and the page was shown while it stays trusted (the tag is `fresh`)."""
    owner = selectors.intake_by_invitation_id(tag.invitation_id, now=timezone.now(), closed_links=True)
    if owner is not None and tag.fresh and trusted_devices.opened_form_here(request, owner.invitation):
        try:
            take_red_flags(request, owner, slug)
        except (Intake.DoesNotExist, Invitation.DoesNotExist):
            # The retention purge removed the form meanwhile (its row lock found nothing): nothing to take into, and
            # the page says nothing of what is stored (it got the error page, which said the steps were saved).
            if not removed(owner):
                raise


def removed(intake: Intake) -> bool:
    """The intake or its invitation is no longer stored: the retention purge (or a removal) took the visit while one
    of its pages was being answered, and the intake's row lock found nothing (`Intake.DoesNotExist`)."""
    return not (
        Intake.objects.filter(pk=intake.pk).exists() and Invitation.objects.filter(pk=intake.invitation_id).exists()
    )


def sent_already(request: HttpRequest, *, message: PatientMessage | None, taken: bool) -> HttpResponse:
    """The answer to a question page posted after the form was sent (`patient_views._page_after_sending`): whether
    its red-flag answer was added to the sent form and the clinic told (`taken`), that nothing else was, and the
    emergency advice (`message`). Before stop 30 it showed the receipt, "We have your answers", to a patient who had
    just ticked saddle numbness, and took nothing."""
    context = {"message": message, "taken": taken, "no_session_timer": True}
    return render(request, "intake/sent_already.html", context, status=409)


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


def take_red_flags(request: HttpRequest, intake: Intake, slug: str) -> Page | None:
    """The red-flag answers of question page `slug` as posted, stored, latched, triaged and alerted now, as the step
    page takes them: after the consent, on any page of the form, reached or not (a sent form's too: latched beside
    what was sent).
    The page, or None for an address that is not one of the form's pages (a page of an older version of the form,
    open in a tab since: its red-flag answers are taken as from the pages that ask them now; they were dropped; a
    follow-up's, those it does not ask, into its visit: `take_into_the_visit`)."""
    form_def = form_of(intake)
    try:
        page = form_def.page_by_slug(slug)
    except KeyError:
        if services.has_consent(intake):
            _take_red_flags_of_a_page_no_longer_asked(request, intake)
        return None
    posted = {question.code: request.POST.get(question.code) for question in page.questions}
    # A leg answer that makes MSCC may be one too: `record_red_flags` takes it only beside a cancer history.
    raised = {code for code, value in posted.items() if acts_at_once(code, value, cancer_history=True)}
    if raised and slug != form_def.consent_page and services.has_consent(intake):
        services.record_red_flags(intake, posted, now=timezone.now())
    return page


def _take_red_flags_of_a_page_no_longer_asked(request: HttpRequest, intake: Intake) -> None:
    """Each page of the form that asks a question the page sent answers: its red-flag answers, as sent (blank for
    the page's other questions: nothing else is taken). A follow-up's: those it does not ask go into its visit first
    (`take_into_the_visit`)."""
    now = timezone.now()
    if form_of(intake).is_follow_up:
        take_into_the_visit(request, intake, now=now)
    # The cancer history first: a leg answer sent with it makes MSCC only once it stands (`record_red_flags` takes a
    # leg answer alone only beside a stored one), and the form asks it on a later page than the legs.
    pages = sorted(
        pages_asking_what_was_sent(request, intake),
        key=lambda page: all(question.code != "cancer_history" for question in page.questions),
    )
    for page in pages:
        posted = {question.code: request.POST.get(question.code) for question in page.questions}
        intake = services.record_red_flags(intake, posted, now=now)


def pages_asking_what_was_sent(request: HttpRequest, intake: Intake) -> list[Page]:
    """The question pages of `intake`'s form that ask a question the posted page answers (the consent page aside)."""
    form_def = form_of(intake)
    return [
        page
        for page in form_def.pages
        if page.slug != form_def.consent_page and any(question.code in request.POST for question in page.questions)
    ]


def asked_only_at_the_visit(request: HttpRequest, follow_up: Intake) -> list[str]:
    """The questions the posted page answers with a red-flag answer that follow-up `follow_up`'s form does not ask
    (the pre-visit form's cancer history, fever, drug use, a fall...: a page of the visit's form, from a tab open
    since before the form tag, sent to an address the follow-up does not have)."""
    asked = {question.code for page in form_of(follow_up).pages for question in page.questions}
    return sorted(
        code
        for code in set(request.POST) - asked
        if code in LATCHED_QUESTIONS and acts_at_once(code, request.POST.get(code), cancer_history=True)
    )


def take_into_the_visit(request: HttpRequest, follow_up: Intake, *, now: datetime.datetime) -> Intake | None:
    """The red-flag answers `asked_only_at_the_visit`, taken into the follow-up's visit (`background_visit`: the sent
    pre-visit intake it reads its background from) when that is the same patient's and agreed to: latched beside what
    was sent, judged again and alerted (`services.record_red_flags`, as for a page sent after "Send"); a cancer
    history so taken latches the follow-ups' leg answers that make MSCC with it, and judges them again, this one
    included (`latch_follow_ups_beside_a_cancer_history`). Before, the follow-up asked none of them and they were
    dropped. Only the visit's own pages' questions, page by page. The visit, or None when there is none to take
    them into (the patient's visits removed by the retention purge) or nothing to take."""
    codes = asked_only_at_the_visit(request, follow_up)
    if not codes:
        return None
    found = background_visit(follow_up, fields=("pk", "patient_id"))
    if found is None or found.patient_id != follow_up.patient_id:
        return None
    visit = Intake.objects.filter(pk=found.pk).first()  # the retention purge may have removed it since
    if visit is None or not services.has_consent(visit):
        return None
    try:
        for page in form_of(visit).pages:
            posted = {question.code: request.POST.get(question.code) for question in page.questions}
            if posted.keys() & set(codes) and page.slug != form_of(visit).consent_page:
                taking = {code: posted[code] for code in posted if code in codes}
                visit = services.record_red_flags(visit, taking, now=now)
    except (Intake.DoesNotExist, Invitation.DoesNotExist):
        # The retention purge removed the visit meanwhile (its row lock found nothing): nothing to take it into.
        if not removed(visit):
            raise
        return None
    return visit


# What `services.needs_emergency_acknowledgement` reads of the visit (`visit_advice`), besides its level.
_READ_FOR_THE_EMERGENCY_PAGE = (
    "emergency_acknowledged_at",
    "emergency_acknowledged_kind",
    "reviewed_at",
    "reviewed_flags",
)


def answers_taken_into_the_visit(request: HttpRequest, follow_up: Intake) -> tuple[Intake | None, list[str]]:
    """The follow-up's visit, when it is the same patient's, and which of the posted answers `asked_only_at_the_visit`
    are latched on it now (`take_into_the_visit`: taken, the clinic told)."""
    codes = asked_only_at_the_visit(request, follow_up)
    if not codes:
        return None, []
    fields = ("pk", "patient_id", "level", "answers", "form_version", *_READ_FOR_THE_EMERGENCY_PAGE)
    visit = background_visit(follow_up, fields=fields)
    if visit is None or visit.patient_id != follow_up.patient_id:
        return None, []
    latched = RedFlagAnswer.objects.filter(intake=visit, code__in=codes, cleared_at__isnull=True)
    return visit, sorted(set(latched.values_list("code", flat=True)))


def visit_advice(request: HttpRequest, visit: Intake | None) -> PatientMessage | None:
    """The emergency advice the visit now calls for (its answers taken: `answers_taken_into_the_visit`) where its
    emergency page waits to be read (`needs_emergency_acknowledgement`: one the taken answers raised, a cancer history
    making its leg answers MSCC), else the one the posted page alone calls for (`before_consent.advice_for`), else
    None. Not an emergency whose page the patient read before sending the visit: a fever taken weeks later into a
    visit with a cauda equina sign got that advice again, naming the old signs as if just sent."""
    if (
        visit is not None
        and services.needs_emergency_acknowledgement(visit)
        and (kind := services.emergency_kind(visit))
    ):
        flag_codes = [flag.code for flag in visit.flags.all()]
        # As sent, with what its open latches hold over it: a cancer yes taken now stands beside the "no" sent (read
        # from the sent answers alone, the advice said "you may have had cancer").
        latched = {code: row.value for code, row in open_latches(visit).items()}
        answers = {**answer_codec.from_json(visit.answers), **latched}
        return patient_message(level=visit.level_code, emergency=kind, answers=answers, flag_codes=flag_codes)
    message = before_consent.advice_for({code: request.POST.get(code) for code in request.POST})
    return message if message is not None and message.is_emergency else None


def visit_page_answer(request: HttpRequest, follow_up: Intake) -> HttpResponse | None:
    """The answer to a page of the visit's form sent while follow-up `follow_up` is open here, with red-flag answers
    the follow-up does not ask (`asked_only_at_the_visit`, taken by `take_into_the_visit`): whether they were added
    to the visit and the clinic told, with the emergency advice (`visit_advice`); or, with no visit of the patient's
    to take them into, that nothing was saved. None for a page with no such answer (back to the follow-up)."""
    if not asked_only_at_the_visit(request, follow_up):
        return None
    visit, taken = answers_taken_into_the_visit(request, follow_up)
    message = visit_advice(request, visit if taken else None)
    if message is not None:
        # The language switcher comes back to this address with a GET: this page again, in the language chosen.
        advice = patient_messages.kept(message)
        patient_session.visit_page_shown(request, {"path": request.path, "taken": bool(taken), "advice": advice})
    context = {"message": message, "taken": bool(taken)}
    return render(request, "intake/visit_page_sent.html", context, status=409)


def visit_page_again(request: HttpRequest) -> HttpResponse | None:
    """The page `visit_page_answer` gave with emergency advice, once more in the language chosen right after it
    (`patient_session.visit_page_again`): the switcher came back to the plain follow-up and the advice was gone. None
    when no such page is owed to this address."""
    page = patient_session.take_visit_page(request)
    advice = page.get("advice") if page is not None else None
    if page is None or not isinstance(advice, dict):
        return None
    context = {"message": patient_messages.from_kept(advice), "taken": page.get("taken") is True}
    return render(request, "intake/visit_page_sent.html", context)


def take_red_flags_with_advice(request: HttpRequest, intake: Intake, slug: str) -> tuple[PatientMessage | None, bool]:
    """Take the red-flag answers of question page `slug` as posted (`take_red_flags`: once only, a latch already
    taken is left as it is), and say what the patient needs to read: the emergency advice the form now calls for,
    else the cauda equina advice for what was posted (or None); and whether a red-flag answer of the page is now on
    the form (`taken`: latched, the clinic told)."""
    page = take_red_flags(request, intake, slug)
    # A page the form no longer has: its answers were taken as from the pages that ask them now (said so, with the
    # advice the form now calls for; it said nothing was added, and gave no cord compression advice).
    pages = [page] if page is not None else pages_asking_what_was_sent(request, intake)
    questions = [question for each in pages for question in each.questions]
    raised = [q.code for q in questions if acts_at_once(q.code, request.POST.get(q.code), cancer_history=True)]
    taken = bool(raised) and selectors.has_open_latch(intake, raised)
    message, visit_message = None, None
    if page is None and form_of(intake).is_follow_up:
        # A page of the visit's form: its answers the follow-up does not ask went into the visit (said so, with the
        # advice the visit calls for, after the follow-up's own: a cancer history taken makes its legs MSCC).
        visit, at_visit = answers_taken_into_the_visit(request, intake)
        if at_visit:
            taken, visit_message = True, visit_advice(request, visit)
    if taken:
        intake.refresh_from_db(fields=["level"])
        kind = services.emergency_kind(intake)
        if kind is not None:
            flag_codes = [flag.code for flag in intake.flags.all()]
            message = patient_message(
                level=intake.level_code, emergency=kind, answers=message_answers(intake), flag_codes=flag_codes
            )
    if message is None:
        message = visit_message or ces_message(cauda_equina_sent(request.POST, CE_QUESTION_CODES))
    return message, taken


def message_answers(intake: Intake) -> dict[str, object]:
    """The answers the patient's messages read: a follow-up's with the intake's background facts under them (a cancer
    history brings the MSCC warning signs, as at intake)."""
    answers = answer_codec.from_json(intake.answers)
    return with_background(answers, background_for(intake)) if form_of(intake).is_follow_up else answers


def take_page_sent_late(
    request: HttpRequest, intake: Intake, slug: str
) -> tuple[dict[str, object] | None, list[str] | None]:
    """A question page sent after the idle limit: its red-flag answers are taken now (`take_red_flags`); the page's
    fields are returned to open again after the birth date, with the cauda equina questions it answered yes or not
    sure (`cauda_equina_sent`: the advice that needs no stored answer; cord compression's waits for the birth date,
    as it depends on the cancer history)."""
    page = take_red_flags(request, intake, slug)
    if page is None:
        # A page of an older version: nothing to open again, but its yes was taken, and its advice is owed now.
        return None, cauda_equina_sent(request.POST, CE_QUESTION_CODES) or None
    emergency = cauda_equina_sent(request.POST, [question.code for question in page.questions]) or None
    if slug == form_of(intake).consent_page or intake.status == Intake.Status.SUBMITTED:
        return None, emergency  # nothing to open again: the consent is asked again; a sent form has its receipt
    return {"slug": slug, "post": page_fields(request.POST, page)}, emergency


def advice_for_what_was_sent(request: HttpRequest) -> PatientMessage | None:
    """The cauda equina advice for a page posted with a yes or not sure to a cauda equina question, read from what
    was sent alone (nothing stored: a page whose form is gone, or not known, still gets it); None for anything else,
    or a body that cannot be read."""
    if request.method != "POST":
        return None
    try:
        posted = request.POST
    except Exception:  # a body that cannot be read (too many fields, bad encoding): nothing to act on
        return None
    return ces_message(cauda_equina_sent(posted, CE_QUESTION_CODES))


def cauda_equina_sent(post: QueryDict, codes: Iterable[str]) -> list[str]:
    """The cauda equina questions among `codes` that `post` answers yes or not sure."""
    return sorted(code for code in set(codes) & set(CE_QUESTION_CODES) if is_yes(post.get(code)))


def ces_message(sent: list[str] | str | None) -> PatientMessage | None:
    """The cauda equina advice for the questions `sent` answered yes or not sure (`cauda_equina_sent`), its words to
    say naming them; None for none. ("ces", as notes kept by sessions before stop 28 say: the advice, its words
    general.)"""
    if not sent:
        return None
    answered = dict.fromkeys(sent, "yes") if isinstance(sent, list) else {}
    return PatientMessage(kind="ces", ce_signs=ce_signs(answered))


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
