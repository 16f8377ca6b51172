"""The emergency page a patient is sent to after posting a red-flag answer, kept in the session until it is shown.

A question page with a red-flag answer is stored, triaged and alerted, and answered with a redirect to the emergency
page. If the patient's link stops working in between (staff make a new link in those milliseconds, or the link is
locked or ends), the emergency page's own request finds no form open here and the patient got the "link does not
work" page, with one short line about warning signs, instead of the advice their answer called for (the stop-30 and
stop-31 notes). So the redirect is recorded first (`owe`, the advice as the emergency page would give it, for this
invitation only, for `OWED_SECONDS`); the emergency page settles it when it is shown (`settle`), "Exit" and opening
any link here drop it, and the guard of the patient pages shows it (`owed_page`) where it would otherwise show the
bad-link page. The same for a red-flag page sent from a form left idle, whose advice the birth-date page gives
(`late_pages.after_idle`): there only the advice for what was sent (`owe_message`), as that page gives it.

It holds only what the advice says (its kind and the signs it names, as message ids), server-side in the session
like every other patient state, never in a URL.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from intake import late_pages, patient_session, services
from intake.models import Intake
from intake.rules import patient_messages
from intake.rules.patient_messages import PatientMessage, patient_message

OWED_SECONDS = 2 * 60  # the redirect is followed within seconds; a slow phone network gets a minute or two


def owe(request: HttpRequest, intake: Intake) -> None:
    """The patient is being sent to the emergency page that `intake`'s stored flags call for: keep its advice, and
    that the answer was added and the clinic told."""
    kind = services.emergency_kind(intake)
    if kind is None:
        return
    message = patient_message(
        level=intake.level_code,
        emergency=kind,
        answers=late_pages.message_answers(intake),
        flag_codes=[flag.code for flag in intake.flags.all()],
    )
    owe_message(request, intake.invitation_id, message, taken=True)


def owe_message(
    request: HttpRequest, invitation_id: int | None, message: PatientMessage, *, taken: bool, bad_link: bool = False
) -> None:
    """Keep `message` for the page the patient is being sent to. `taken`: the page may say the answer was added and
    the clinic told (not for a form left idle, whose pages say nothing that depends on what is stored). `bad_link`:
    the advice was given above the bad-link page (a page sent without its form's tag, `patient_link_views.bad_link`),
    which is shown again with it; `invitation_id` None there when no link is open here."""
    request.session[patient_session.OWED_EMERGENCY_KEY] = {
        "invitation": invitation_id,
        "at": int(timezone.now().timestamp()),
        **patient_messages.kept(message),
        "taken": taken,
        "bad_link": bad_link,
    }


def owe_after_idle(request: HttpRequest, intake: Intake) -> None:
    """A page sent from a form left idle (`late_pages.after_idle`) called for the cauda equina advice, which the
    birth-date page gives: keep it too, as that page gives it (only what was sent; nothing of what is stored)."""
    note = patient_session.after_idle(request) or {}
    sent = note.get("emergency")
    message = late_pages.ces_message(sent if isinstance(sent, list | str) else None)
    if message is not None:
        owe_message(request, intake.invitation_id, message, taken=False)


# Where the emergency page keeps, for the rest of its own request, the advice it settled (`settle(shown=True)`).
_SETTLED_HERE = "_owed_emergency_settled"


def settle(request: HttpRequest, *, shown: bool = False) -> None:
    """The emergency page, or the birth-date page that gives a form left idle its advice, was shown (`shown`), or the
    patient pressed "Exit" or opened a link: nothing is owed any more. The showing page's own request keeps what it
    settled until it ends: the page is not shown yet, and a statement that times out after this (the emergency page's
    read of the flags, the session's save) gives the error page only this request's memory to read the advice from
    (`owed_message_read_already`). Never for "Exit" or a link opened here, whose request may be another patient's."""
    owed = request.session.pop(patient_session.OWED_EMERGENCY_KEY, None)
    if shown and owed is not None:
        setattr(request, _SETTLED_HERE, owed)


def owed_page(request: HttpRequest) -> HttpResponse | None:
    """The advice owed to this browser, when its form is no longer open here; None when nothing is owed (or it is
    older than `OWED_SECONDS`, or another patient's link was opened here since)."""
    owed = request.session.pop(patient_session.OWED_EMERGENCY_KEY, None)
    message = _owed_message(request, owed)
    if message is None:
        return None
    setattr(request, _SETTLED_HERE, owed)  # as `settle(shown=True)`: this request's error page still gives it
    if owed.get("bad_link") is True:
        return render(request, "intake/bad_link.html", {"message": message}, status=404)
    context = {"another": False, "message": message, "taken": owed.get("taken") is True, "no_session_timer": True}
    return render(request, "intake/form_closed_here.html", context)


def owed_message_read_already(request: HttpRequest) -> PatientMessage | None:
    """The advice owed to this browser, for an error page (clinic_portal.errors): the emergency page's own request
    failed after the red-flag page was saved (the database timed out or went away in between), and "try again in a
    minute" is the one answer such a patient must not get. Read only from a session this request has read already
    (or what the emergency page settled earlier in this request: `settle`), so it never touches the database; None
    when it has not, or nothing is owed. Kept as it is (an error page saves nothing): the emergency page, once it
    opens, settles it."""
    session = getattr(request, "session", None)
    if session is None or not hasattr(session, "_session_cache"):  # not read (Django's cache of the loaded session)
        return None
    owed = session.get(patient_session.OWED_EMERGENCY_KEY) or getattr(request, _SETTLED_HERE, None)
    return _owed_message(request, owed)


def _owed_message(request: HttpRequest, owed: object) -> PatientMessage | None:
    if not isinstance(owed, dict) or timezone.now().timestamp() - float(owed.get("at", 0)) > OWED_SECONDS:
        return None
    if patient_session.invitation_here(request) not in (None, owed.get("invitation")):
        return None
    return patient_messages.from_kept(owed)
