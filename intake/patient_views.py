"""The patient's side once in (intake.patient_link_views opens the link and confirms who it is): agree to share the
answers, answer short pages, review (each answer with its "Change" link), send, see the receipt and print a copy of
the answers. Every page goes through one guard, `patient_page`.

No account: the session holds which invitation this browser has confirmed (intake.patient_session). Every page
after the link is token-free, and nothing about the patient ever appears in a URL. The only query value a page
takes is ``?next=review`` (back to the review page after a change), checked against an allow-list.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic_portal import links
from intake import before_consent, late_pages, owed_emergency, patient_session, selectors, services
from intake.forms import AcknowledgeForm, ConsentForm, StepForm, as_post_data
from intake.models import Intake, Invitation, Level
from intake.patient_display import NEXT_REVIEW, answer_sections
from intake.patient_fields import clinic_units, say
from intake.patient_link_views import bad_link
from intake.references import reference_for
from intake.rules import answers as answer_codec
from intake.rules.catalogue import Form
from intake.rules.follow_up import default_answers
from intake.rules.questionnaire import Page, page_applies
from intake.rules.questionnaire_checks import validate_page
from intake.services.assessment import background_for, form_of

PatientView = Callable[..., HttpResponse]


def patient_page(
    *, sent: bool = False, emergency_first: bool = True, consent_first: bool = True, late_posts: bool = False
) -> Callable[[PatientView], PatientView]:
    """The one guard for where a patient belongs: their own intake, or the page they should be on instead.

    A browser with no confirmed intake gets the bad-link page, unless what it sent says otherwise (below).
    `sent=False` pages are for answering (a sent intake goes to its receipt); `sent=True` is the receipt (an unsent
    intake goes back to the form). With `consent_first`, an unsent intake without the patient's consent opens the
    consent page first; with `emergency_first`, a safety concern not yet acknowledged opens the emergency page before
    anything else. A form left idle past its limit asks for the date of birth again (`late_pages.after_idle`); with
    `late_posts` (the question pages, whose address has the page's `slug`), a page sent from it is taken first. A page
    sent from a tab whose form is no longer open in this browser, known by its signed tag, has its red-flag answers
    taken into its own form (`late_pages.form_closed_here`: the form left, locked, ended or renewed, its session
    gone, opened again and waiting for the birth date or a code, or replaced by another patient's). A question page
    posted after the form was sent adds nothing and says so, with the advice it calls for (`late_pages.sent_already`).
    A page whose form the retention purge removed while the view ran, or while a page posted after "Send" was taken
    (the row lock finds no intake), gets the answer a page sent just after the removal gets
    (`_removed_while_answering`); a missing row while the intake is still there is a fault, and the error page's.
    The view is called with the intake as its second argument.
    """

    def decorator(view: PatientView) -> PatientView:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            slug = kwargs.get("slug") if late_posts else None
            tag = patient_session.posted_tag(request)
            if tag is not None and tag.invitation_id != patient_session.invitation_here(request):
                # A page of a form not open here (left, locked, its session gone, or replaced by another patient's):
                # checked first, as it must not keep this browser's form open.
                return late_pages.form_closed_here(request, tag, slug=slug)
            intake = patient_session.confirmed_intake(request)
            if intake is None:
                idle = patient_session.idle_intake(request)
                closed = idle or patient_session.intake_after_idle(request)
                if closed is not None:
                    # The purge may remove the form while a page's red-flag answers are taken, as below.
                    return _unless_removed(request, closed, slug, lambda: _after_idle(request, closed, slug, idle))
                if tag is not None:  # its own form, not open: waiting for the birth date or a code, renewed, ended
                    return late_pages.form_closed_here(request, tag, slug=slug)
                # The link stopped working between a red-flag answer's save and its emergency page: the advice;
                # else the bad-link page, with the advice for what was sent (a page without its tag: `bad_link`).
                return owed_emergency.owed_page(request) or bad_link(request)
            # Signed only if a page shows it (a redirect, as after a saved page, never does), and then once.
            request.patient_form_owner = SimpleLazyObject(  # type: ignore[attr-defined]
                functools.partial(patient_session.form_owner, intake.invitation_id)
            )
            is_sent = intake.status == Intake.Status.SUBMITTED
            if is_sent and not sent and slug is not None and request.method == "POST":
                # A page from another tab, after "Send"; the purge may remove the sent visit meanwhile, as below.
                return _unless_removed(request, intake, slug, lambda: _page_after_sending(request, intake, slug))
            if is_sent != sent:
                return _to("intake:done" if is_sent else "intake:resume")
            if consent_first and not is_sent and not services.has_consent(intake):
                return _to_page(form_of(intake).consent_page or answer_codec.REVIEW)
            if emergency_first and services.needs_emergency_acknowledgement(intake):
                return _to("intake:emergency")
            return _unless_removed(request, intake, slug, lambda: view(request, intake, *args, **kwargs))

        return guarded

    return decorator


def _after_idle(request: HttpRequest, closed: Intake, slug: str | None, idle: Intake | None) -> HttpResponse:
    response = late_pages.after_idle(request, closed, slug=slug, first=idle is not None)
    owed_emergency.owe_after_idle(request, closed)  # the link may stop before the birth-date page
    return response


def _unless_removed(
    request: HttpRequest, intake: Intake, slug: str | None, answer: Callable[[], HttpResponse]
) -> HttpResponse:
    """`answer()`, or, when the retention purge removed `intake`'s visit meanwhile (its row lock finds no intake),
    the answer a page sent just after the removal gets (`_removed_while_answering`)."""
    try:
        return answer()
    except (Intake.DoesNotExist, Invitation.DoesNotExist):
        if not late_pages.removed(intake):
            raise  # a fault, not a removed visit: the error page, with the advice for what was sent
        return _removed_while_answering(request, intake, slug=slug)


def _removed_while_answering(request: HttpRequest, intake: Intake, *, slug: str | None) -> HttpResponse:
    """A patient page whose form was removed while it was being answered (a tab left open past a short retention
    period: `intake.retention`): the answer a page sent just after the removal gets (`late_pages.form_closed_here`,
    with nothing to take into): nothing was taken, and the cauda equina advice for what was sent; not the error page,
    which said the steps already finished were saved. A page opened (not sent) as after the removal: the advice owed
    to this browser, else the bad-link page. Nothing the removed form stored is read."""
    patient_session.forget(request)  # no form open here any more, as the next request would find
    if request.method != "POST":
        return owed_emergency.owed_page(request) or bad_link(request)
    return late_pages.closed_here_answer(request, intake.invitation_id, slug=slug)


def _to(name: str) -> HttpResponse:
    """A redirect to one of the patient's pages without arguments (`links.url`: its address is found once)."""
    return HttpResponseRedirect(links.url(name))


def _to_page(slug: str, *, back_to: str | None = None) -> HttpResponse:
    if slug == answer_codec.REVIEW:
        return _to("intake:review")
    url = links.slug_url("intake:step", slug)
    return HttpResponseRedirect(f"{url}?next={back_to}" if back_to else url)


def _back_to(request: HttpRequest) -> str | None:
    """Where to go once a page is saved: "review" when the page was opened from the review page; never anything
    else (the value is matched against an allow-list of one, so it cannot send the patient off the site)."""
    value = request.POST.get("next") if request.method == "POST" else None
    return NEXT_REVIEW if (value or request.GET.get("next")) == NEXT_REVIEW else None


@never_cache
@require_GET
@patient_page()
def resume(request: HttpRequest, intake: Intake) -> HttpResponse:
    form = form_of(intake)
    late = patient_session.offer_late_page(request)
    if late is not None:
        # A page sent after the idle limit opens again, as sent, now that the birth date is typed (if it can be).
        slug = str(late.get("slug"))
        post = late.get("post")
        reached = slug in form.page_slugs and answer_codec.place_index(slug, form) <= answer_codec.place_index(
            intake.current_step, form
        )
        if reached and slug != form.consent_page and intake.status != Intake.Status.SUBMITTED:
            back_to = NEXT_REVIEW if isinstance(post, dict) and post.get("next") == [NEXT_REVIEW] else None
            return _to_page(slug, back_to=back_to)
        patient_session.drop_late_page(request)
    place = intake.current_step
    if place == answer_codec.REVIEW:
        # A change from the review page can open a page (leg symptoms now "yes"): coming back, that page, not the
        # review with its questions "Not answered" (the stop-32 audit): the one this browser was shown, else the
        # first page whose answers would stop "Send" (any device).
        answers = answer_codec.from_json(intake.answers)
        today = timezone.localdate()
        opened = patient_session.opened_page(request)
        if (
            opened is not None
            and opened in form.page_slugs
            and page_applies(form.page_by_slug(opened), answers, today=today)
        ):
            return _to_page(opened, back_to=NEXT_REVIEW)
        problem = services.first_page_with_errors(answers, today=today, form=form)
        if problem is not None and problem[0] in form.page_slugs:
            return _to_page(problem[0], back_to=NEXT_REVIEW)
    elif place not in form.page_slugs:
        place = form.first_page  # a resume point from an older version of the form
    return _to_page(place)


def _initial(page: Page, answers: dict[str, object], *, defaults: dict[str, object]) -> dict[str, object]:
    """What the page shows before it is saved: the saved answers, else the form's defaults (a follow-up's PSFS
    activities named at intake)."""
    values = {**defaults, **answers}
    return {question.code: values[question.code] for question in page.questions if question.code in values}


def _defaults(intake: Intake, page: Page, form_def: Form) -> dict[str, object]:
    """What a page not yet answered shows to start with: a follow-up's PSFS activities named at intake, and the phone
    number the clinic has for the patient on the page that asks for it."""
    if form_def.is_follow_up:
        return default_answers(background_for(intake))
    if any(question.code == services.PHONE for question in page.questions):
        phone = selectors.phone_on_file(intake)
        return {services.PHONE: phone} if phone else {}
    return {}


@never_cache
@require_POST
def still_here(request: HttpRequest) -> JsonResponse:
    """The patient answered "I'm still here" before the form closed for being idle (static/js/session-timer.js)."""
    seconds = patient_session.keep_open(request)
    if seconds is None:
        return JsonResponse({"seconds_left": 0}, status=404)
    return JsonResponse({"seconds_left": seconds})


@never_cache
@require_http_methods(["GET", "POST"])
@patient_page(emergency_first=False, consent_first=False, late_posts=True)
def step(request: HttpRequest, intake: Intake, slug: str) -> HttpResponse:
    form_def = form_of(intake)
    if request.method == "POST" and slug != form_def.consent_page and not services.has_consent(intake):
        # Nothing is stored before the patient agrees, but the advice needs no storage: the consent page gives it.
        before_consent.owe(request, intake, request.POST)
    try:
        page = form_def.page_by_slug(slug)
    except KeyError:
        if request.method == "POST":
            late_pages.take_red_flags(request, intake, slug)  # a page of an older version: its red-flag answers
            intake.refresh_from_db(fields=["level", "emergency_acknowledged_at", "emergency_acknowledged_kind"])
            if form_def.is_follow_up and not services.needs_emergency_acknowledgement(intake):
                # A page of the visit's form: what of it went into the visit, if anything, with its advice.
                answer = late_pages.visit_page_answer(request, intake)
                if answer is not None:
                    return answer
        elif form_def.is_follow_up and (again := late_pages.visit_page_again(request)) is not None:
            return again  # that page, in the language just chosen
        return _to("intake:resume")  # on to the emergency page when one of them calls for it
    if slug == form_def.consent_page:
        return _consent(request, intake, form_def)
    if not services.has_consent(intake):
        return _to_page(form_def.consent_page or answer_codec.REVIEW)  # nothing is stored before the patient agrees
    reached = answer_codec.place_index(slug, form_def) <= answer_codec.place_index(intake.current_step, form_def)
    emergency_waits = page.step != services.SAFETY_STEP and services.needs_emergency_acknowledgement(intake)
    now = timezone.now()
    if request.method == "POST":
        # Red-flag answers act first, whatever else on the page is blank or wrong, and even while an emergency page
        # waits to be read (docs/clinical/TRIAGE.md); on a page not reached too, though nothing else of it is taken:
        # the page was shown (another form's page at this address, from a tab open since before the form tag; a
        # form whose resume point no page has), and its yes was dropped on the way to the first unanswered page.
        posted = {question.code: request.POST.get(question.code) for question in page.questions}
        intake = services.record_red_flags(intake, posted, now=now)
        if intake.status == Intake.Status.SUBMITTED:  # "Send" from another tab got the row first (it was read locked)
            return _page_after_sending(request, intake, slug)
    if emergency_waits:
        # Nothing else of a page is taken until it is read; a page of the form is kept aside to open again after.
        return _to_emergency(request, intake, cut_short=page if reached else None)
    if not reached:
        return _to("intake:resume")  # no skipping ahead of the first unanswered page

    today = timezone.localdate(now)
    saved = answer_codec.from_json(intake.answers)
    back_to = _back_to(request)
    # The page shows answers that are not saved (its own, sent back with a message, or sent after the idle limit):
    # leaving it by another way than its button asks first (static/js/intake.js), as when they are typed.
    unsaved = request.method == "POST"
    if request.method == "POST":
        form = StepForm(page, earlier=saved, today=today, data=request.POST, system=clinic_units())
        if services.needs_emergency_acknowledgement(intake) and not form.is_valid():
            return _to_emergency(request, intake, cut_short=page)  # the rest of the page waits until it is read
        if form.is_valid():
            try:
                intake = services.save_page(intake, slug, form.step_answers, now=now)
            except services.InvalidAnswers as problem:
                intake.refresh_from_db(fields=["status"])
                if intake.status == Intake.Status.SUBMITTED:  # sent from another tab meanwhile
                    return _page_after_sending(request, intake, slug)
                if services.needs_emergency_acknowledgement(intake):
                    # A red-flag answer of this page is taken already: its advice first, as for any page with errors.
                    return _to_emergency(request, intake, cut_short=page)
                for code, message in problem.errors.items():
                    form.add_error(code if code in form.fields else None, say(message))
            else:
                patient_session.take_late_page(request, slug)  # a page kept from after the idle hour is now stale
                return _after_saving(
                    request, intake, slug, before=saved, back_to=back_to, today=today, form_def=form_def
                )
    elif not page_applies(page, saved, today=today):
        # Every question here depends on answers that rule it out (a runner's page for someone who does not run).
        patient_session.take_late_page(request, slug)  # a page sent late that no longer applies is not shown
        return _to_page(back_to or answer_codec.next_place(slug, saved, today=today, form=form_def))
    elif (sent_late := patient_session.take_late_page(request, slug)) is not None:
        # The page as it was sent after the idle limit (late_pages.after_idle), with its messages, to send again.
        form = StepForm(page, earlier=saved, today=today, data=late_pages.as_post(sent_late), system=clinic_units())
        form.is_valid()
        unsaved = True
    else:
        finished = answer_codec.place_index(slug, form_def) < answer_codec.place_index(intake.current_step, form_def)
        # A page sent back to after "Send" shows what stops the sending; one that a change opened (a question asked
        # now that was not before) shows its questions plainly, as any page not yet sent does.
        show_problems = patient_session.problems_shown_on(request, slug)
        if finished and show_problems and validate_page(slug, saved, today=today, form=form_def):
            form = StepForm(page, earlier=saved, today=today, data=as_post_data(page, saved), system=clinic_units())
            form.is_valid()
        else:
            initial = _initial(page, saved, defaults={} if finished else _defaults(intake, page, form_def))
            form = StepForm(page, earlier=saved, today=today, initial=initial, system=clinic_units())
    previous = answer_codec.previous_page(slug, saved, today=today, form=form_def)
    current_step = form_def.step_by_slug(page.step)
    context = {
        "page": page,
        "title": say(page.title),
        "intro": say(page.intro),
        "step_title": say(current_step.title),
        # As text: a number in a template goes through the locale's number formatting each time it is shown.
        "number": str(form_def.step_number(page)),
        "total": str(len(form_def.steps)),
        "form": form,
        "questions": form.questions(),
        "summary": form.error_summary() if form.is_bound else [],
        "page_errors": form.non_field_errors() if form.is_bound else [],
        "back_url": links.url("intake:review")
        if back_to
        else (links.slug_url("intake:step", previous) if previous else None),
        "back_to": back_to,
        "unsaved": unsaved,
    }
    return render(request, "intake/step.html", context)


def _after_saving(
    request: HttpRequest,
    intake: Intake,
    slug: str,
    *,
    before: dict[str, object],
    back_to: str | None,
    today: Any,
    form_def: Form,
) -> HttpResponse:
    if services.needs_emergency_acknowledgement(intake):
        return _to_emergency(request, intake)
    answers = answer_codec.from_json(intake.answers)
    if back_to and intake.current_step == answer_codec.REVIEW:
        # A change can open a page that was skipped (leg symptoms now "yes"): that page first, then the review.
        # Questions that are all optional (the inflammatory back pain ones after an earlier pain start date) are
        # shown too, page by page, or they would only appear as "Not answered" inside a closed section of the review.
        opened = answer_codec.pages_newly_asking(before, answers, saved=slug, today=today, form=form_def)
        if opened:
            patient_session.pages_to_show(request, opened)
        following = patient_session.next_page_to_show(request, saved=slug)  # this page is seen, however it came
        problem = services.first_page_with_errors(answers, today=today, form=form_def)
        if problem:
            if patient_session.sending(request):  # putting right what "Send" found: this page says its problems too
                patient_session.show_problems_on(request, problem[0])
            return _to_page(problem[0], back_to=NEXT_REVIEW)
        if following and page_applies(form_def.page_by_slug(following), answers, today=today):
            return _to_page(following, back_to=NEXT_REVIEW)
        # Back to the changed step's answers (intake.js opens its closed section; without scripts it is in view).
        return HttpResponseRedirect(f"{links.url('intake:review')}#review-{form_def.page_by_slug(slug).step}")
    if back_to:
        return _to("intake:resume")
    return _to_page(answer_codec.next_place(slug, answers, today=today, form=form_def))


def _to_emergency(request: HttpRequest, intake: Intake, *, cut_short: Page | None = None) -> HttpResponse:
    """To the emergency page, its advice kept first for a posted page (`owed_emergency`: the link may stop working
    before the browser asks for the page). `cut_short`: the posted page, not saved, whose answers open again as sent
    once the emergency page is read (`_after_emergency`)."""
    if request.method == "POST":
        owed_emergency.owe(request, intake)
        if cut_short is not None:
            patient_session.keep_page(request, cut_short.slug, late_pages.page_fields(request.POST, cut_short))
    return _to("intake:emergency")


def _consent(request: HttpRequest, intake: Intake, form_def: Form) -> HttpResponse:
    """Consent, before the first question. "No" stores nothing and says how to tell the clinic instead."""
    if services.has_consent(intake):
        return _to("intake:resume")
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not form.agreed:
            return render(request, "intake/declined.html")
        now = timezone.now()
        intake = services.record_consent(intake, now=now)
        answers = answer_codec.from_json(intake.answers)
        return _to_page(answer_codec.next_place(form_def.consent_page or "", answers, form=form_def))
    page = form_def.page_by_slug(form_def.consent_page or "")
    # The advice a question page sent before the consent called for (`before_consent`), once, above the question.
    advice = before_consent.take(request, intake) if request.method == "GET" else None
    context = {"form": form, "title": say(page.title), "intro": say(page.intro), "advice": advice}
    return render(request, "intake/consent.html", context)


def _page_after_sending(request: HttpRequest, intake: Intake, slug: str) -> HttpResponse:
    """A question page posted after the form was sent (from another tab, or one that waited for "Send" to finish).
    Its red-flag answers are taken into the sent form (latched beside what was sent, triaged, alerted; a reviewed
    form is opened again: `services.record_red_flags`); the rest is not. The page says which, with the emergency
    advice the form now calls for, else the cauda equina advice for what was posted (docs/clinical/TRIAGE.md, "A page
    sent after Send")."""
    message, taken = late_pages.take_red_flags_with_advice(request, intake, slug)
    return late_pages.sent_already(request, message=message, taken=taken)


@never_cache
@require_http_methods(["GET", "POST"])
@patient_page(emergency_first=False)
def emergency(request: HttpRequest, intake: Intake) -> HttpResponse:
    from intake.rules.patient_messages import patient_message

    kind = services.emergency_kind(intake)
    if kind is None:
        return _to("intake:resume")
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # The page that was read: a newer emergency that arrived while it was open still opens its own page.
        shown = request.POST.get("kind")  # only "mscc" is taken from the page: it can never stand for cauda equina's
        services.acknowledge_emergency(intake, kind="mscc" if shown == "mscc" else kind, now=timezone.now())
        return _after_emergency(request, intake)
    services.mark_emergency_shown(intake, now=timezone.now())
    owed_emergency.settle(request, shown=True)
    # CES or MSCC wording, with the signs this patient reported (docs/clinical/TRIAGE.md, "What the patient is told").
    message = patient_message(
        level=intake.level_code,
        emergency=kind,
        answers=late_pages.message_answers(intake),
        flag_codes=[flag.code for flag in intake.flags.all()],
    )
    context = {
        "form": form,
        "message": message,
        "is_follow_up": form_of(intake).is_follow_up,
        # The box is far below the emergency message on a phone: a summary by the form takes the focus there.
        "summary": [("id_acknowledged", form["acknowledged"].label, error) for error in form["acknowledged"].errors],
    }
    return render(request, "intake/emergency.html", context)


def _after_emergency(request: HttpRequest, intake: Intake) -> HttpResponse:
    """Back to the form: where the patient left off, or, for a change made from the review page, the page that the
    change opened (the "when did it start" question after a new safety answer), then the review."""
    if patient_session.late_page(request) is not None:
        return _to("intake:resume")  # a page sent after the idle hour opens first (`resume`)
    if intake.current_step == answer_codec.REVIEW:
        form_def = form_of(intake)
        answers = answer_codec.from_json(intake.answers)
        problem = services.first_page_with_errors(answers, today=timezone.localdate(), form=form_def)
        if problem:
            return _to_page(problem[0], back_to=NEXT_REVIEW)
    return _to("intake:resume")


@never_cache
@require_http_methods(["GET", "POST"])
@patient_page()
def review(request: HttpRequest, intake: Intake) -> HttpResponse:
    if intake.current_step != answer_codec.REVIEW:
        return _to("intake:resume")
    if request.method == "POST":
        try:
            services.submit_intake(intake, now=timezone.now())
        except services.InvalidAnswers as problem:
            patient_session.show_problems_on(request, problem.step_slug)  # "Send" was pressed: say what stops it
            return _to_page(problem.step_slug, back_to=NEXT_REVIEW)
        return _to("intake:done")
    patient_session.back_at_review(request)
    answers = answer_codec.from_json(intake.answers)
    today = timezone.localdate()
    form_def = form_of(intake)
    sections = answer_sections(answers, today=today, system=clinic_units(), changeable=True, form=form_def)
    return render(request, "intake/review.html", {"sections": sections, "is_follow_up": form_def.is_follow_up})


def _receipt_details(intake: Intake) -> dict[str, object]:
    """What the receipt and the printed copy both show: the appointment (clinic time), the reference to quote, and
    the level's own message first (emergency advice, or the call-back promise): a patient who opens or prints the
    copy later must read the same advice the receipt gave them."""
    from intake.call_backs import clinic_hours
    from intake.rules.patient_messages import patient_message

    # The level's own message; a serious intake's call-back time counts from when it was sent, in clinic time.
    message = patient_message(
        level=intake.level_code,
        emergency=services.emergency_kind(intake),
        answers=late_pages.message_answers(intake),
        flag_codes=[flag.code for flag in intake.flags.all()],
        sent_at_local=timezone.localtime(intake.submitted_at or timezone.now()),
        # The time promised when it was sent, if one was (a level reached since promised none: "soon", no time).
        hours=clinic_hours() if intake.call_back_by is not None else None,
        within_hours=settings.CLINIC_CALLBACK_HOURS,
        # ... and said as it was stored, whatever the clinic's hours are now (staff and the escalation use it).
        promised_by=timezone.localtime(intake.call_back_by) if intake.call_back_by is not None else None,
    )
    promise = message.callback
    return {
        "intake": intake,
        "is_follow_up": form_of(intake).is_follow_up,
        "appointment": timezone.localtime(intake.appointment_at),
        "reference": reference_for(intake.pk),
        "message": message,
        "is_urgent": intake.level == Level.URGENT or message.is_emergency,
        "is_serious": intake.level == Level.SERIOUS,
        # "today" only while it is still that day: a receipt opened again tomorrow names the day instead.
        "callback_today": promise is not None and promise.today and promise.by.date() == timezone.localdate(),
    }


@never_cache
@require_GET
@patient_page(sent=True, emergency_first=False)
def done(request: HttpRequest, intake: Intake) -> HttpResponse:
    context = {**_receipt_details(intake), "reading": selectors.recommended_reading(intake, language=get_language())}
    return render(request, "intake/done.html", context)


@never_cache
@require_GET
@patient_page(sent=True, emergency_first=False)
def answers_copy(request: HttpRequest, intake: Intake) -> HttpResponse:
    """A copy of the answers as sent, laid out to print (static/css/print.css). Its address carries nothing."""
    answers = answer_codec.from_json(intake.answers)
    today = timezone.localdate(intake.submitted_at or timezone.now())
    sections = answer_sections(answers, today=today, system=clinic_units(), changeable=False, form=form_of(intake))
    return render(request, "intake/answers.html", {**_receipt_details(intake), "sections": sections})


@never_cache
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    """The "Exit" button of every patient page (a POST): this browser stops opening the form, so the next person on
    a shared phone cannot see the answers; then (a GET) what is saved and how to come back, which changes nothing."""
    if request.method == "POST":
        # A receipt left open past the idle limit counts too (review of the stop-34 commits).
        intake = patient_session.confirmed_intake(request) or patient_session.idle_intake(request)
        patient_session.leave(request, sent=intake is not None and intake.status == Intake.Status.SUBMITTED)
        owed_emergency.settle(request)
        return _to("intake:exit")
    # After "Send" the link opens nothing any more: the page says the answers reached the clinic instead of sending
    # the patient back to it (the stop-34 audit: "open the link again" led to "This link does not work").
    return render(request, "intake/exit.html", {"sent": patient_session.left_after_sending(request)})
