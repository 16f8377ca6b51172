"""The staff side of invitations: make one, see where each one stands, make a new link, cancel the visit.

Staff never see a patient's link: it is emailed to the patient (the first link goes by e-mail only; later ones may go
by text, `intake.tasks.contact_for`). Whoever holds a link and knows the date of birth could open the answers, and
staff know the date of birth they typed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import staff_permission_required
from audit import services as audit
from clinic_portal import phones
from clinic_portal.errors import busy_page_says
from intake import selectors
from intake.call_backs import clinic_hours
from intake.models import Invitation, Patient, Questionnaire
from intake.services import cancellation, follow_ups, patients
from intake.services import invitations as links
from intake.staff_forms import ChangeDetailsForm, InvitationForm, RenewLinkForm, language_choices

MSG_LINK_EMAILED = "The link is on its way to the patient's email."
MSG_ALREADY_MADE = (
    "This patient already has an invitation for this appointment: here it is, and no second link was sent. To send "
    "its link again, use “Make a new link” below."
)
MSG_SAVED_NOT_EMAILED = (
    "The invitation is saved. No link has been emailed yet: when you have the patient's email, add it below and "
    "press “Email the link”."
)


@never_cache
@staff_permission_required("intake.add_invitation")
@require_http_methods(["GET", "POST"])
def invitation_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and USE_RECORD in request.POST:
        return _use_record(request)
    if request.method == "POST" and _is_search(request.POST):
        return _find_patient(request)
    if request.method == "GET":
        chosen = _patient_from(request.GET.get("patient", ""))
        form = InvitationForm(initial=_from_record(chosen) if chosen else None)
        return _new_page(request, form, chosen=chosen)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _new_page(request, form, chosen=_patient_from(request.POST.get("patient", "")))
    send = form.cleaned_data["send_email"]
    phone = form.cleaned_data["phone"]
    with transaction.atomic():  # the invitation (its e-mail queued) and its audit row, or none of them
        invitation, made = links.invite_once(  # the token goes to the patient's email only
            patient_name=form.cleaned_data["patient_name"],
            email=form.cleaned_data["email"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            appointment_at=form.cleaned_data["appointment_at"],
            created_by=request.user,
            send_email=send,
            language=form.cleaned_data["language"],
            phone=phone.as_e164 if phone else "",
            patient=form.cleaned_data["patient"],
        )
        if made:
            audit.record(
                "created_invitation",
                request=request,
                detail=f"invitation {invitation.pk}" + ("" if send else " (saved; link not emailed)"),
            )
    if not made:  # a double click: the first request made it, and sent its link
        messages.info(request, MSG_ALREADY_MADE)
        _check_the_time(request, invitation.appointment_at)  # this answer is the page shown, not the first one's
        return redirect("intake:invitation-detail", pk=invitation.pk)
    messages.success(request, MSG_LINK_EMAILED if send else MSG_SAVED_NOT_EMAILED)
    _check_the_time(request, invitation.appointment_at)
    return redirect("intake:invitation-detail", pk=invitation.pk)


MSG_CLINIC_CLOSED = (
    "Check the appointment time: {time} on {day}, the clinic is closed then (opening hours: {hours}). If that is not "
    "the time, correct it under “Change the appointment or details”."
)
MSG_CLINIC_CLOSED_DAY = (
    "Check the appointment date: {time} on {day}, the clinic is closed that day (a holiday or another date it is "
    "shut). If that is not the date, correct it under “Change the appointment or details”."
)


def _check_the_time(request: HttpRequest, when: datetime.datetime) -> None:
    """An appointment saved for a time the clinic is closed (2:30 AM typed for 2:30 PM, a Sunday, a holiday) is kept,
    as a visit outside the usual hours may be real, but whoever typed it is told, while they can still correct it: the
    patient is shown the time when they send their answers."""
    local = timezone.localtime(when)
    hours = clinic_hours()
    if not hours.is_open(local):
        day = f"{local:%A}, {local:%b} {local.day}"
        # A date the clinic is shut (CLINIC_CLOSED_DATES): its weekday's hours would cover the time.
        text = MSG_CLINIC_CLOSED_DAY if local.date() in hours.closed else MSG_CLINIC_CLOSED
        messages.warning(request, text.format(time=f"{local:%-I:%M %p}", day=day, hours=settings.CLINIC_HOURS))


# The search for an existing record is posted (like the queue's name search), so a patient's name never lands in a
# URL or an access log; picking a record puts only its id in the URL (?patient=12). Its box ("find") and its button
# ("search") belong to the invitation form, so a search sends every field typed along, with or without JavaScript.
FIND = "find"
SEARCH = "search"
SEARCH_LIMIT = 20


def _is_search(posted: QueryDict) -> bool:
    """ "Find" pressed. Or a search sent from the page as it was before that button (its search had a form of its own,
    without the invitation form's hidden `patient` field): never an invitation saved."""
    return SEARCH in posted or (FIND in posted and "patient" not in posted)


def _patient_from(raw: str) -> Patient | None:
    return Patient.objects.filter(pk=int(raw)).first() if raw.isascii() and raw.isdigit() else None


def _from_record(patient: Patient) -> dict[str, object]:
    return {
        "patient": patient.pk,
        "patient_name": patient.name,
        "date_of_birth": patient.date_of_birth,
        "email": patient.email,
        "phone": patient.phone,
        "language": patient.language,
    }


USE_RECORD = "use_record"


def _use_record(request: HttpRequest) -> HttpResponse:
    """ "Use this record" (a button of the search, sent with what the form held): the record's name, birth date,
    e-mail and language, and the appointment and phone typed before the search (the record has no appointment; a
    phone typed is newer than the record's). It was a link, and lost them."""
    chosen = _patient_from(request.POST.get(USE_RECORD, ""))
    if chosen is None:
        return redirect("intake:invitation-new")
    typed = {name: request.POST[name] for name in ("appointment_at", "phone") if request.POST.get(name, "").strip()}
    return _new_page(request, InvitationForm(initial={**_from_record(chosen), **typed}), chosen=chosen)


# What the invitation form already held when "Find" was pressed (sent with it): shown again as typed, not checked yet.
# The record picked before (`patient`) is not kept: a new search is for another one. A "Find" with nothing to search
# for keeps it: without JavaScript, Enter in a box of the form presses "Find", its first button.
KEPT_ON_FIND = ("patient_name", "email", "phone", "language", "date_of_birth", "appointment_at")


def _find_patient(request: HttpRequest) -> HttpResponse:
    # Read raw (not through a form field, which refuses it): a NUL byte reached PostgreSQL, which refuses it in text,
    # a 500 (the stop-30 forms audit). normal_name drops it, with the other invisible characters a paste brings.
    text = patients.normal_name(request.POST.get(FIND, ""))[:100]
    found = list(patients.search(text, limit=SEARCH_LIMIT)) if len(text) >= 2 else []
    if len(text) >= 2:
        # Who looked patients up: the count, never the name typed (the trail holds no patient data).
        audit.record("searched_patients", request=request, detail=f"new invitation: {len(found)} records shown")
    typed = {name: request.POST[name] for name in KEPT_ON_FIND if request.POST.get(name)}
    chosen = None if len(text) >= 2 else _patient_from(request.POST.get("patient", ""))
    if chosen is not None:
        return _new_page(request, InvitationForm(initial={**typed, "patient": chosen.pk}), chosen=chosen)
    return _new_page(request, InvitationForm(initial=typed), searched=text or " ", found=found)


def _new_page(
    request: HttpRequest,
    form: InvitationForm,
    *,
    chosen: Patient | None = None,
    searched: str = "",
    found: list[Patient] | None = None,
) -> HttpResponse:
    """`searched`: the text of a search just posted ("" when none), `found` its matches. A patient record `chosen`
    shows its name, birth date and contact details: each showing is in the audit trail, as an invitation's is."""
    if chosen is not None:
        audit.record("viewed_invitation", request=request, detail=f"patient record {chosen.pk} (new invitation)")
    context = {
        "form": form,
        "chosen": chosen,
        "searched": searched.strip(),
        "did_search": bool(searched),
        "found": found or [],
        "search_limit": SEARCH_LIMIT,
    }
    return render(request, "intake/staff/invitation_new.html", context)


@never_cache
@staff_permission_required("intake.view_invitation")
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.filter(pk=pk).select_related("intake", "patient").first()
    if invitation is None:
        raise Http404
    return _detail_page(request, invitation, _renew_form(invitation))


def _details(invitation: Invitation) -> dict[str, Any]:
    return {"appointment_at": invitation.appointment_at, "email": invitation.email, "language": invitation.language}


def _renew_form(invitation: Invitation, data: QueryDict | dict[str, object] | None = None) -> RenewLinkForm:
    details = RenewLinkForm.initial_for(**_details(invitation))
    return RenewLinkForm(data, initial={**details, "link_version": invitation.link_version})


def _change_form(invitation: Invitation, data: QueryDict | dict[str, object] | None = None) -> ChangeDetailsForm:
    details = ChangeDetailsForm.initial_for(**_details(invitation))
    return ChangeDetailsForm(data, prefix="change", initial={**details, "link_version": invitation.link_version})


def _reminder_words(which: str) -> str:
    """Which reminder carried the link, for staff: "the reminder 3 days before" (pre-visit, `3d`), "reminder 1"."""
    if not which:
        return ""
    return f"the reminder {which[:-1]} days before" if which.endswith("d") else f"reminder {which}"


def _arrived_advice(invitation: Invitation, link_may_open: bool, *, newer: bool) -> str:
    """What staff should do about the link message that failed but may have arrived (`LiveLink.unconfirmed`): if it
    did, its link opens the form while the link works (until the reminder on its way, `newer`, is sent), and staff's
    new link would end it; if it did not, as for any failed one."""
    if invitation.kind == Questionnaire.FOLLOW_UP:
        send, otherwise = "sending", "check the patient's email or phone and send a new link, or call the patient."
    else:
        send, otherwise = "emailing", "check the address and email a new link, or call the patient."
    if not link_may_open:
        return otherwise[0].upper() + otherwise[1:]  # locked, ended, cancelled or answered: as for any failed one
    until = " until the new link below is sent" if newer else ""
    return (
        f"If it was, its link opens the form{until}: ask the patient before {send} a new link, which would end it. "
        f"If it was not, {otherwise}"
    )


def _detail_page(
    request: HttpRequest,
    invitation: Invitation,
    renew_form: RenewLinkForm,
    change_form: ChangeDetailsForm | None = None,
) -> HttpResponse:
    """The invitation's page (also shown again with a new-link form's mistakes): each showing of the patient's
    contact details is in the audit trail."""
    intake = getattr(invitation, "intake", None)
    audit.record(
        "viewed_invitation",
        request=request,
        intake_id=intake.pk if intake is not None else None,
        detail=f"invitation {invitation.pk}",
    )
    now = timezone.now()
    link = selectors.live_link(invitation)
    link_may_open = (
        link.unconfirmed
        and selectors.usable_invitation(invitation, now=now)  # not locked, ended or cancelled
        and not (intake is not None and intake.status == intake.Status.SUBMITTED)
    )
    context = {
        "invitation": invitation,
        "phone": phones.phone(invitation.patient.phone),  # another country's number with its country code
        "intake": getattr(invitation, "intake", None),
        "now": now,
        "appointment_passed": invitation.appointment_at <= now,
        "last_day": selectors.last_day(invitation),
        "is_follow_up": invitation.kind == Questionnaire.FOLLOW_UP,
        # The link goes by e-mail or text, and again with each reminder (a new link that ends the one before): the
        # message whose link the patient uses, and a reminder on its way with the next one.
        "link": link,
        "link_reminder": _reminder_words(link.which),
        "newer_link_reminder": _reminder_words(link.newer_which),
        # Its message failed but may have arrived: what its link does now, and what staff should do.
        "link_may_open": link_may_open,
        "link_arrived_advice": _arrived_advice(invitation, link_may_open, newer=link.newer is not None),
        # Reminders that failed though they may have arrived: the patient may hold them, and their link.
        "unconfirmed_reminders": [
            (_reminder_words(which), message) for which, message in selectors.unconfirmed_reminders(invitation, link)
        ],
        # Reminders that went for a date the visit has since moved from (their messages are gone with them).
        "earlier_reminders": [(_reminder_words(kept.which), kept) for kept in invitation.earlier_reminders.all()],
        "can_renew": request.user.has_perm("intake.add_invitation") and invitation.kind != Questionnaire.FOLLOW_UP,
        "can_resend_follow_up": request.user.has_perm("intake.add_invitation")
        and invitation.kind == Questionnaire.FOLLOW_UP
        and invitation.expires_at > now
        and not (intake is not None and intake.status == intake.Status.SUBMITTED),
        "renew_form": renew_form,
        # A sent form's link opens nothing: only the appointment can change (intake.services.invitations).
        "form_sent": intake is not None and intake.status == intake.Status.SUBMITTED,
        "can_change": request.user.has_perm("intake.add_invitation") and invitation.kind != Questionnaire.FOLLOW_UP,
        "cancelled": invitation.cancelled_at is not None,
        "can_cancel": request.user.has_perm("intake.add_invitation")
        and invitation.kind != Questionnaire.FOLLOW_UP
        and invitation.cancelled_at is None
        and invitation.appointment_at > now,
        "change_form": change_form or _change_form(invitation),
        "language_name": dict(language_choices()).get(invitation.language, invitation.language),
        # Invitations on the same record made before this one: it joined the record when there are any.
        "earlier_invitations": invitation.patient.invitations.filter(pk__lt=invitation.pk).count(),
        "can_open_patient": request.user.has_perms(("intake.view_queue", "intake.view_intake")),
    }
    return render(request, "intake/staff/invitation_detail.html", context)


@never_cache
@staff_permission_required("intake.add_invitation")
@require_POST
def follow_up_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """A new link for a follow-up questionnaire (its page and the lockout e-mail tell staff to make one)."""
    invitation = get_object_or_404(Invitation, pk=pk, kind=Questionnaire.FOLLOW_UP)
    seen = request.POST.get("link_version", "")
    try:
        with transaction.atomic():  # the new link (its message queued) and its audit row, or none of them
            sent = follow_ups.resend_link(
                invitation, now=timezone.now(), seen_version=int(seen) if seen.isdigit() else None
            )
            if sent:
                audit.record(
                    "created_invitation",
                    request=request,
                    detail=f"new follow-up link for invitation {invitation.pk} (link version "
                    f"{invitation.link_version}) sent",
                )
    except links.RenewalRefused as refused:
        messages.error(request, refused.message)
        return redirect("intake:invitation-detail", pk=invitation.pk)
    if sent:
        messages.success(
            request,
            "A new link is on its way to the patient. The old link no longer works, and any page opened with it is "
            "closed.",
        )
    else:
        messages.error(
            request,
            "No new link was sent: the questionnaire is answered or its time is over, or the patient has no e-mail "
            "or phone on their record.",
        )
    return redirect("intake:invitation-detail", pk=invitation.pk)


@never_cache
@staff_permission_required("intake.add_invitation")
@require_POST
def invitation_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff's "Change the appointment or details": nothing is sent and the patient's link keeps working (a patient
    without an e-mail, or one who has sent their answers, had no way to have their visit moved but a new link)."""
    invitation = Invitation.objects.filter(pk=pk).select_related("intake", "patient").first()
    if invitation is None:
        raise Http404
    form = _change_form(invitation, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # the details and their audit row, or neither
                changed = links.change_details(
                    invitation,
                    appointment_at=form.cleaned_data["appointment_at"],
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"] or None,
                    now=timezone.now(),
                    seen_version=form.cleaned_data["link_version"],
                    shown=form.shown(),
                )
                if changed:
                    audit.record(
                        "booked_visit_again" if "booked again" in changed else "changed_invitation",
                        request=request,
                        detail=f"invitation {pk}; changed: {', '.join(changed)}; nothing sent",
                    )
        except links.RenewalRefused as refused:
            if isinstance(refused, links.ChangedSinceShown):
                # Shown again over the details as they are now (what this person changed kept), so that saving again
                # keeps theirs without undoing the colleague's other changes.
                invitation.refresh_from_db()
                form = _change_form(invitation, form.as_now(**_details(invitation)))
                form.is_valid()
            if refused.message == links.MSG_CANCELLED_SINCE_SHOWN:
                # The page as it is now (the visit cancelled, "Book the visit again" offered), not the old form again.
                messages.warning(request, refused.message)
                return redirect("intake:invitation-detail", pk=invitation.pk)
            form.add_error(None if refused.field == "__all__" else refused.field, refused.message)
        else:
            # Nothing changed though this page changed something: it is on file already, from its own first click
            # (whose answer the browser dropped for this one's) or a colleague who typed the same.
            already = set() if changed else form.typed_changes()
            if "booked again" in changed:
                messages.success(request, MSG_BOOKED_AGAIN)
            elif changed:
                messages.success(request, "Saved. Nothing was sent to the patient: their link still works.")
            else:
                messages.info(request, MSG_ALREADY_SAVED if already else MSG_NOTHING_CHANGED)
            if not form.cleaned_data["email"] and invitation.email:
                messages.info(request, MSG_EMAIL_KEPT)  # a blank address never erases one (change_details)
            if "appointment" in changed or "appointment" in already:  # the first click's warning went unseen
                _check_the_time(request, invitation.appointment_at)
            return redirect("intake:invitation-detail", pk=invitation.pk)
    return _detail_page(request, invitation, _renew_form(invitation), form)


MSG_NOTHING_CHANGED = "Nothing was changed: the appointment, email and language are as they were."
MSG_ALREADY_SAVED = (
    "Already saved (a second click, or a colleague a moment ago): what you typed is on file. Nothing was sent to the "
    "patient."
)
MSG_EMAIL_KEPT = "The email on file was kept: an address can be replaced with another one here, but not removed."
MSG_CANCELLED = (
    "The visit is cancelled. The patient's link no longer works, and no reminders or follow-ups will be sent. "
    "Nothing was sent to the patient: tell them yourself if they do not know."
)
MSG_CANCELLED_ALREADY = "This visit was cancelled already (a second click, or a colleague): nothing changed."
MSG_BOOKED_AGAIN = (
    "The visit is booked again. Nothing was sent to the patient: their link works again, and reminders will go "
    "before the visit."
)


@never_cache
@staff_permission_required("intake.add_invitation")
@require_POST
def invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff's "Cancel this visit" (intake.services.cancellation): the link ends and nothing more is sent for it."""
    invitation = get_object_or_404(Invitation, pk=pk)
    seen = request.POST.get("link_version", "")
    try:
        with transaction.atomic():  # the visit cancelled and its audit row, or neither
            cancelled = cancellation.cancel_visit(
                invitation, now=timezone.now(), seen_version=int(seen) if seen.isascii() and seen.isdigit() else None
            )
            if cancelled:
                audit.record("cancelled_visit", request=request, detail=f"invitation {pk}; nothing sent")
    except links.RenewalRefused as refused:
        messages.error(request, refused.message)
        return redirect("intake:invitation-detail", pk=invitation.pk)
    if cancelled:
        messages.success(request, MSG_CANCELLED)
    else:
        messages.info(request, MSG_CANCELLED_ALREADY)
    return redirect("intake:invitation-detail", pk=invitation.pk)


@never_cache
@staff_permission_required("intake.add_invitation")
@require_POST
def invitation_renew(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.filter(pk=pk).select_related("intake").first()
    if invitation is None:
        raise Http404
    form = _renew_form(invitation, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # the new link (its e-mail queued) and its audit row, or none of them
                new_link = links.email_new_link(
                    invitation,
                    email=form.cleaned_data["email"],
                    appointment_at=form.cleaned_data["appointment_at"],
                    now=timezone.now(),
                    language=form.cleaned_data["language"] or None,
                    seen_version=form.cleaned_data["link_version"],
                    shown=form.shown(),
                )
                _record_new_link(request, invitation, new_link)
        except links.RenewalRefused as refused:
            if isinstance(refused, links.ChangedSinceShown):  # as for "Change the appointment or details"
                invitation.refresh_from_db()
                form = _renew_form(invitation, form.as_now(**_details(invitation)))
                form.is_valid()
            if refused.message == links.MSG_RENEW_JUST_SENT:
                # The page again as it is now (its button carries the newest link), so another may be sent on purpose.
                messages.warning(request, refused.message)
                return redirect("intake:invitation-detail", pk=invitation.pk)
            form.add_error(None if refused.field == "__all__" else refused.field, refused.message)
        else:
            messages.success(
                request,
                "A new link is on its way to the patient's email. The old link no longer works, and any page "
                "opened with it is closed.",
            )
            if new_link.appointment_changed:
                _check_the_time(request, invitation.appointment_at)
            return redirect("intake:invitation-detail", pk=invitation.pk)
    return _detail_page(request, invitation, form)


def _record_new_link(request: HttpRequest, invitation: Invitation, new_link: links.NewLink) -> None:
    changed = [
        name
        for name, did in (
            ("email", new_link.email_changed),
            ("appointment", new_link.appointment_changed),
            ("language", new_link.language_changed),
        )
        if did
    ]
    audit.record(
        "created_invitation",
        request=request,
        detail=f"new link for invitation {invitation.pk} (link version {new_link.link_version}) emailed"
        + (f"; changed: {', '.join(changed)}" if changed else ""),
    )


INVITATIONS_PER_PAGE = 100
LAST_PAGE = 10_000  # a page past any clinic's list: a number beyond it is read as this one


def _page_number(text: str | None) -> int:
    """`?page=` as a page number from 1; anything else (missing, not a number, 0) is the first page."""
    return min(int(text), LAST_PAGE) if text and text.isdigit() and int(text) > 0 else 1


@busy_page_says("search")  # "Find"; opened, the list did not load
@never_cache
@require_http_methods(["GET", "POST"])
@staff_permission_required("intake.view_invitation")
def invitation_list(request: HttpRequest) -> HttpResponse:
    """The links that still work, soonest appointment first, a hundred a page (`?page=`). "Find" is posted, so a
    patient's name never lands in a URL or an access log; its result is one page of at most a hundred."""
    # As names are kept (patients.normal_name): a name pasted with a zero-width space in it finds the plain one.
    name = patients.normal_name(request.POST.get(FIND, ""))[:100] if request.method == "POST" else ""
    number = 1 if name else _page_number(request.GET.get("page"))
    start = (number - 1) * INVITATIONS_PER_PAGE
    # One more than a page tells whether another follows: no count of the whole list (issue 16's query budget).
    rows = list(selectors.recent_invitations(now=timezone.now(), name=name)[start : start + INVITATIONS_PER_PAGE + 1])
    more = len(rows) > INVITATIONS_PER_PAGE
    invitations = rows[:INVITATIONS_PER_PAGE]
    if not invitations and number > 1:
        return redirect("intake:invitation-list")  # past the end (links expired since, an old bookmark): the first
    if name:
        audit.record("searched_patients", request=request, detail=f"invitations: {len(invitations)} shown")
    context = {
        "invitations": invitations,
        "page": {
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if more else None,
        },
        "more": more,
        "first_shown": start + 1,
        "last_shown": start + len(invitations),
        "searched": name,
        "find": FIND,
    }
    return render(request, "intake/staff/invitation_list.html", context)
