"""The patient's way in: open the link, confirm the date of birth (and, for answers already given on another browser,
a one-time code from the patient's email), and the one page for a link that cannot be used.

No account: the session holds which invitation this browser has confirmed (intake.patient_session). The token is in
the first page's URL only; once confirmed, the patient goes on to the token-free pages of intake.patient_views.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from intake import (
    late_pages,
    owed_emergency,
    patient_language,
    patient_session,
    selectors,
    services,
    tasks,
    trusted_devices,
)
from intake.forms import MSG_CODE_DEAD, MSG_CODE_TRIED_OUT, MSG_CODE_WRONG, MSG_DOB_WRONG, CodeForm, IdentityForm
from intake.models import Intake, Invitation
from intake.patient_fields import date_order
from intake.services import invitations as links


def bad_link(request: HttpRequest) -> HttpResponse:
    """The one page for an unknown, expired, used or locked link: it must not tell which of these it was.

    A page posted here with a yes or not sure to a cauda equina question gets the advice for what was sent above it
    (`late_pages.advice_for_what_was_sent`), read from the post alone: a question page without its form's tag
    (`whose`, from a tab open since before the tag) whose form is no longer open here (the retention purge removed
    it, its session ended, "Exit") got "This link does not work" and one general line (the stop-44 note). The advice
    is kept for the language switcher's GET, which comes back to this address (`owed_emergency.owe_message`).
    Nothing is stored: nothing says whose the page is."""
    message = late_pages.advice_for_what_was_sent(request)
    if message is not None:
        here = patient_session.invitation_here(request)
        owed_emergency.owe_message(request, here, message, taken=False, bad_link=True)
    return render(request, "intake/bad_link.html", {"message": message}, status=404)


@never_cache
@require_GET
def start(request: HttpRequest, token: str) -> HttpResponse:
    owed_emergency.settle(request)  # any link opened here, good or not: another form's advice is not kept for it
    patient_session.drop_lock(request)
    now = timezone.now()
    token = token.strip()  # a link copied with a space before or after its token still opens
    invitation = selectors.invitation_for_token(token, now=now)
    if invitation is None:
        return bad_link(request)
    intake = selectors.intake_for(invitation)
    if patient_session.is_confirmed_for(request, invitation):
        return redirect("intake:resume")
    if patient_session.awaits_code_for(request, invitation):
        # The link tapped again on the way back from the e-mail: the code sent stays the one to type (asking the
        # birth date again sent another, and the first stopped working: the stop-34 audit).
        return redirect("intake:code")
    if intake is not None and intake.status == Intake.Status.SUBMITTED:
        # Used: the receipt is only for the browser that sent it; anyone else sees the same page as a bad link.
        return bad_link(request)
    patient_session.begin(request, invitation)
    services.mark_opened(invitation, now=now)
    return patient_language.start_in_invitation_language(request, redirect("intake:confirm"), invitation)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    invitation = patient_session.pending_invitation(request)
    if invitation is None:
        if patient_session.awaiting_code(request) is not None:
            return redirect("intake:code")
        return _elsewhere(request)
    form = IdentityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        typed = form.cleaned_data["date_of_birth"]
        again = patient_session.same_wrong_date_again(request, invitation, typed)
        check = services.confirm_identity(invitation, typed, now=now, count=not again)
        if check is services.IdentityCheck.CONFIRMED:
            trusted = trusted_devices.is_trusted_device(request, invitation)
            opening = links.open_after_identity(invitation, trusted_browser=trusted, now=now)
            if opening.access is links.Access.OPEN:
                return _open_form(request, invitation)
            patient_session.await_code(request, invitation, code_id=opening.code_id, access=opening.access.value)
            return redirect("intake:code")
        if check is services.IdentityCheck.LOCKED:
            patient_session.locked_out(request)
            return render(request, "intake/locked.html", status=403)
        patient_session.note_wrong_date(request, invitation, typed)
        invitation.refresh_from_db(fields=["failed_attempts"])
        left = services.max_identity_attempts() - invitation.failed_attempts
        tries = ngettext("You can try %(count)d more time.", "You can try %(count)d more times.", left) % {
            "count": left
        }
        form.add_error("date_of_birth", f"{MSG_DOB_WRONG} {tries}")
    context: dict[str, object] = {"form": form, "date_order": date_order(), "after_idle": _after_idle_note(request)}
    return render(request, "intake/confirm.html", context)


def _after_idle_note(request: HttpRequest) -> dict[str, object] | None:
    """For the birth-date and code pages of a form that sat idle past its limit (intake.late_pages.after_idle):
    why they ask again, what became of a page sent late, and the emergency advice its answers called for, before
    anything else (once)."""
    note = patient_session.after_idle(request)
    if note is None:
        return None
    emergency = note.get("emergency")
    patient_session.emergency_shown(request)
    # Shown here, as the emergency page shows its own: a statement that fails after this in the same request (the
    # session's save) still gives the error page the advice this page was to give.
    owed_emergency.settle(request, shown=True)
    return {
        "minutes": max(1, patient_session.idle_seconds() // 60),
        "sent": note.get("sent", ""),
        "message": late_pages.ces_message(emergency if isinstance(emergency, list | str) else None),
    }


def _elsewhere(request: HttpRequest) -> HttpResponse:
    """The birth-date or code page, for a browser not waiting for either: its form if it is open; the birth date
    again if it sat idle past its limit; else the bad-link page."""
    if patient_session.confirmed_intake(request):
        return redirect("intake:resume")
    if patient_session.pending_invitation(request) is not None:
        return redirect("intake:confirm")
    idle = patient_session.idle_intake(request)
    if idle is not None:
        patient_session.reconfirm(request, idle.invitation)
        return redirect("intake:confirm")
    if patient_session.saw_lock(request):
        return render(request, "intake/locked.html", status=403)
    # A red-flag page sent from a form left idle, whose link stopped working before this page: its advice.
    return owed_emergency.owed_page(request) or bad_link(request)


def _open_form(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """This browser may see the form: confirm its session and trust it for this invitation's answers from now on.
    A language picked with the switcher before the birth date (on its page) becomes the invitation's now, as one
    picked on the form does (patient_session.remember_language): the link opens in it again and the e-mails are
    written in it. Not one a library address named (`?lang=`): that changed the words of the pages only."""
    language = patient_session.picked_language(request, invitation)
    patient_session.confirm(request, invitation)
    if language is not None and language != invitation.language:
        links.set_language(invitation.pk, language)
    response = redirect("intake:resume")
    trusted_devices.trust_device(request, response, invitation)
    return response


def _by_text(invitation: Invitation) -> dict[str, object]:
    number = "" if invitation.code_address else tasks.code_by_text(invitation)
    return {"by_text": bool(number), "phone_end": number[-2:]}


def _masked(address: str) -> str:
    """p•••@example.org: enough for the patient to know which inbox, not the address itself."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Answers already given, opened on a browser not trusted for them: the one-time code from the patient's email.

    "Send a new code" posts `send_again`; anything else posted is a code to check.
    """
    waiting = patient_session.awaiting_code(request)
    if waiting is None:
        return _elsewhere(request)
    invitation, code_id, access = waiting
    now = timezone.now()
    if request.method == "POST" and "send_again" in request.POST:
        # A second tap on it a moment later sends nothing more: it made the code just sent stop working and cost one
        # of the day's codes (the stop-34 audit). The form sends once in the browser too (data-once).
        again = patient_session.code_was_resent(request)
        opening = links.send_device_code(
            invitation, now=now, unless_sent_since=now - links.RESEND_PAUSE if again else None
        )
        patient_session.await_code(
            request, invitation, code_id=opening.code_id, access=opening.access.value, resent=True
        )
        return redirect("intake:code")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and code_id is not None and form.is_valid():
        result = links.check_device_code(invitation, code_id, form.cleaned_data["code"], now=now)
        if result.check is links.CodeCheck.RIGHT:
            return _open_form(request, invitation)
        if access == links.Access.TOO_MANY_CODES.value and (
            result.check is links.CodeCheck.DEAD or not result.tries_left
        ):
            # The last code of the day no longer works, and no other can be sent: the page says so, with no box.
            patient_session.await_code(request, invitation, code_id=None, access=access)
            return redirect("intake:code")
        if result.check is links.CodeCheck.DEAD:
            form.add_error("code", MSG_CODE_DEAD)
        elif result.tries_left:
            left = result.tries_left
            tries = ngettext("You can try %(count)d more time.", "You can try %(count)d more times.", left) % {
                "count": left
            }
            form.add_error("code", f"{MSG_CODE_WRONG} {tries}")
        else:
            form.add_error("code", MSG_CODE_TRIED_OUT)
    context = {
        "form": form,
        # A code to type: one just sent, or, once the day's codes are used up, the newest one sent, still working.
        "sent": access == links.Access.CODE_SENT.value or (code_id is not None),
        "too_many": access == links.Access.TOO_MANY_CODES.value,
        "resent": patient_session.code_was_resent(request),
        "masked_address": _masked(invitation.code_address) if invitation.code_address else "",
        # A patient with only a phone gets their code by text (intake.tasks.code_by_text): the page says so.
        **_by_text(invitation),
        "minutes": links.code_minutes(),
        "after_idle": _after_idle_note(request),
    }
    return render(request, "intake/code.html", context)
