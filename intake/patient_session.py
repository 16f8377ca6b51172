"""Which invitation this browser may see: kept in the session, never in the URL.

The link's token is checked once (intake:start) and only the invitation's id goes into the session, marked
confirmed after the date of birth matches. Opening another link in the same browser replaces it (with a new
session key), so one patient's session can never show another patient's answers.

The session also holds the link version it was opened with: a new link (staff's "Make a new link") ends every
session opened with an older one. Between the date of birth and the form there may be a one-time code step
(intake.services.invitations.open_after_identity): answers already given open without one only in a browser that
holds this invitation in its device cookie (intake.trusted_devices), which also says which browser may still send
red-flag answers from a page of the form once it is closed there (intake.late_pages.form_closed_here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from intake import selectors
from intake.models import Intake, Invitation
from intake.services import invitations
from intake.trusted_devices import device_days

SESSION_KEY = "intake_patient"
# A language picked with the switcher before the birth date: [invitation id, language] (`remember_language`).
PICKED_LANGUAGE_KEY = "intake_language_picked"
# The emergency advice a red-flag answer's redirect leads to, until it is shown (intake.owed_emergency). Opening any
# link in this browser drops it: it is never shown to whoever opens a form here next.
OWED_EMERGENCY_KEY = "intake_emergency_owed"
_OWNER_SALT = "intake.patient_session.owner"
# The idle timeout slides with each page the patient opens, but moving it costs a write of the whole session (and
# its cookie): done at most once in this many seconds, so the timeout is never more than that short of the full idle
# time, and most pages leave the session as it is (issue 16).
RENEW_EVERY_SECONDS = 60
# A page left open past the idle limit may still be sent for this long: what it holds is saved (red-flag answers
# first, docs/clinical/TRIAGE.md), then the form asks for the date of birth again before it shows anything else.
# Past this, the session is gone: a page sent then has only its red-flag answers taken (intake.late_pages
# .form_closed_here), and the rest is not kept.
LATE_PAGE_SECONDS = 12 * 3600


def idle_seconds() -> int:
    # A phone left on a table should not stay open for hours; reopening the link resumes where the patient was.
    return int(getattr(settings, "INTAKE_SESSION_IDLE_SECONDS", 60 * 60))


def _store(request: HttpRequest, invitation: Invitation, **state: object) -> None:
    before = _state(request)
    carried = _carried_after_idle(before, invitation, confirmed=state.get("confirmed") is True)
    if state.get("confirmed") is not True and _current(before, invitation) and "wrong_date" in before:
        # The link opened again before the next try: the same wrong date typed then is no new guess (the stop-34
        # audit: it cost a second of the five tries).
        carried["wrong_date"] = before["wrong_date"]
    request.session.pop(OWED_EMERGENCY_KEY, None)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"invitation": invitation.pk, "version": invitation.link_version, **state, **carried}
    _renew(request)


def _carried_after_idle(before: dict[str, object], invitation: Invitation, *, confirmed: bool) -> dict[str, object]:
    """What a form closed for being idle keeps through the steps back in, for the same invitation: while the birth
    date (or a code) is asked, the note that lets a red flag sent from an old tab still be taken (reopening the
    link does not drop it); once confirmed, the page sent late, to open again with what was sent."""
    if before.get("invitation") != invitation.pk or before.get("version") != invitation.link_version:
        return {}  # another invitation, or a new link since: nothing of the old session's goes on
    note = before.get("after_idle")
    if confirmed:
        page = note.get("page") if isinstance(note, dict) else before.get("late_page")
        return {"late_page": page} if isinstance(page, dict) else {}
    return {"after_idle": note} if isinstance(note, dict) else {}


def _renew(request: HttpRequest) -> None:
    """Start the idle timeout again from now, noting when. The session itself lives on for LATE_PAGE_SECONDS past
    the idle limit (its expiry is counted from its last save), so a page sent late can still be saved."""
    request.session[SESSION_KEY] = {**_state(request), "renewed": int(timezone.now().timestamp())}
    request.session.set_expiry(idle_seconds() + LATE_PAGE_SECONDS)


def _is_idle(state: dict[str, object]) -> bool:
    """No page for longer than the idle limit (a session from before the limit was kept counts as idle)."""
    renewed = state.get("renewed")
    return not isinstance(renewed, int) or timezone.now().timestamp() - renewed > idle_seconds()


def seconds_left(request: HttpRequest) -> int | None:
    """How long this browser's form stays open without another page (None when no form is open here)."""
    state = _state(request)
    renewed = state.get("renewed")
    if state.get("confirmed") is not True or not isinstance(renewed, int):
        return None
    return max(0, int(renewed + idle_seconds() - timezone.now().timestamp()))


def _renew_if_due(request: HttpRequest, state: dict[str, object]) -> None:
    renewed = state.get("renewed")
    if not isinstance(renewed, int) or timezone.now().timestamp() - renewed >= RENEW_EVERY_SECONDS:
        _renew(request)


def begin(request: HttpRequest, invitation: Invitation) -> None:
    _store(request, invitation, confirmed=False)


def await_code(
    request: HttpRequest, invitation: Invitation, *, code_id: int | None, access: str, resent: bool = False
) -> None:
    """The date of birth matched, but answers already given wait for a one-time code (`access` says whether one
    was sent; `resent` that the patient asked for another)."""
    _store(request, invitation, confirmed=False, code=code_id, access=access, resent=resent)


def code_was_resent(request: HttpRequest) -> bool:
    return _state(request).get("resent") is True


def confirm(request: HttpRequest, invitation: Invitation) -> None:
    _store(request, invitation, confirmed=True)


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def locked_out(request: HttpRequest) -> None:
    """The link locked at this browser's wrong birth date: nothing of the form stays open here, but the locked page
    (not "This link does not work") answers the birth-date page's address until a link is opened or "Exit" pressed,
    so switching language there shows it again in the language chosen (the stop-34 audit)."""
    request.session[SESSION_KEY] = {"locked": True}


def saw_lock(request: HttpRequest) -> bool:
    return _state(request).get("locked") is True


def drop_lock(request: HttpRequest) -> None:
    """A link opened here (good or not): the locked page no longer answers for the birth-date page."""
    if saw_lock(request):
        forget(request)


def leave(request: HttpRequest, *, sent: bool = False) -> None:
    """The patient pressed "Exit": this browser no longer opens the form until the link is opened and the date of
    birth typed again (a shared phone or computer), and the session's key changes. Anything else in the session
    (a staff sign-in in the same browser) stays. `sent`: the form left had been sent (the exit page says so)."""
    forget(request)
    request.session.cycle_key()
    if sent:
        request.session[SESSION_KEY] = {"left_after_sending": True}


def left_after_sending(request: HttpRequest) -> bool:
    return _state(request).get("left_after_sending") is True


def _wrong_date_digest(invitation: Invitation, date_of_birth: object) -> str:
    """A keyed digest of a birth date typed wrong for this link: never the date itself in the session."""
    return salted_hmac(
        "intake.wrong-birth-date", f"{invitation.pk}:{invitation.link_version}:{date_of_birth}"
    ).hexdigest()


def same_wrong_date_again(request: HttpRequest, invitation: Invitation, date_of_birth: object) -> bool:
    """This browser's last try for this link was this same wrong date: a double tap or a reload, not a new guess."""
    return constant_time_compare(
        str(_state(request).get("wrong_date", "")), _wrong_date_digest(invitation, date_of_birth)
    )


def note_wrong_date(request: HttpRequest, invitation: Invitation, date_of_birth: object) -> None:
    request.session[SESSION_KEY] = {**_state(request), "wrong_date": _wrong_date_digest(invitation, date_of_birth)}


def _state(request: HttpRequest) -> dict[str, object]:
    state = request.session.get(SESSION_KEY)
    return state if isinstance(state, dict) else {}


def _current(state: dict[str, object], invitation: Invitation) -> bool:
    """The session was opened with this invitation's current link (not one replaced since)."""
    return state.get("invitation") == invitation.pk and state.get("version") == invitation.link_version


def is_confirmed_for(request: HttpRequest, invitation: Invitation) -> bool:
    state = _state(request)
    return _current(state, invitation) and state.get("confirmed") is True


def pending_invitation(request: HttpRequest) -> Invitation | None:
    """The invitation whose link was opened here but whose date of birth is not yet confirmed."""
    state = _state(request)
    if state.get("confirmed") is not False or "code" in state:
        return None
    invitation = selectors.invitation_by_id(state.get("invitation"), now=timezone.now())
    return invitation if invitation is not None and _current(state, invitation) else None


def awaits_code_for(request: HttpRequest, invitation: Invitation) -> bool:
    """This browser passed the birth date for this invitation's current link and waits for a one-time code."""
    state = _state(request)
    return _current(state, invitation) and state.get("confirmed") is False and "code" in state


def awaiting_code(request: HttpRequest) -> tuple[Invitation, int | None, str] | None:
    """(invitation, code id or None, access) while this browser waits for a one-time code; None otherwise."""
    state = _state(request)
    if state.get("confirmed") is not False or "code" not in state:
        return None
    invitation = selectors.invitation_by_id(state.get("invitation"), now=timezone.now())
    if invitation is None or not _current(state, invitation):
        return None
    code_id = state.get("code")
    return invitation, code_id if isinstance(code_id, int) else None, str(state.get("access", ""))


def confirmed_intake(request: HttpRequest) -> Intake | None:
    """The intake this browser has confirmed, while its link is still valid and the form has not sat idle past its
    limit; None otherwise."""
    state = _state(request)
    if state.get("confirmed") is not True or _is_idle(state):
        return None
    intake = _intake_of(request, state)
    if intake is not None:
        _renew_if_due(request, state)  # sliding: the pages the patient opens extend it
    return intake


def confirmed_invitation_id(request: HttpRequest) -> int | None:
    """The invitation whose form is open in this browser (birth date typed, not idle), without reading it."""
    state = _state(request)
    invitation_id = state.get("invitation")
    if state.get("confirmed") is not True or _is_idle(state) or not isinstance(invitation_id, int):
        return None
    return invitation_id


def keep_open(request: HttpRequest) -> int | None:
    """The "I'm still here" button of the warning before the form closes (static/js/session-timer.js): the idle
    timeout starts again now, if the form is still open here; the seconds it now has, or None (closed already:
    nothing reopens it but the birth date)."""
    if confirmed_intake(request) is None:
        return None
    _renew(request)
    return idle_seconds()


def idle_intake(request: HttpRequest) -> Intake | None:
    """The intake this browser had confirmed, when the form has sat idle past its limit (and the session is still
    kept, LATE_PAGE_SECONDS): a page sent now is saved, but nothing is shown until the date of birth is typed again
    (`reconfirm`). None otherwise. The timeout is not moved."""
    state = _state(request)
    if state.get("confirmed") is not True or not _is_idle(state):
        return None
    return _intake_of(request, state)


def _intake_of(request: HttpRequest, state: dict[str, object]) -> Intake | None:
    intake = selectors.intake_by_invitation_id(state.get("invitation"), now=timezone.now())
    if intake is None or not _current(state, intake.invitation):
        forget(request)
        return None
    return intake


def form_owner(invitation_id: int) -> str:
    """Whose form a page is, signed and dated, sent back with each of its forms (`whose`, read by `posted_tag`): a
    page left open in a tab is never taken into another form opened later in the same browser, and its red-flag
    answers still reach its own form when that form is no longer open here (intake.late_pages.form_closed_here)."""
    return signing.dumps(invitation_id, salt=_OWNER_SALT)


@dataclass(frozen=True)
class PostedTag:
    """Whose form a posted page is (`form_owner`). `fresh`: the page was shown within the time a browser stays
    trusted for the form (`device_days`), so its red-flag answers may still be taken when its form is closed here (a
    tab left open overnight, after the session ended); an older tag still says whose the page is, so it is never
    taken into another form."""

    invitation_id: int
    fresh: bool


def posted_tag(request: HttpRequest) -> PostedTag | None:
    """The tag of a posted page; None for a page without one (pages from before the tag) or one that does not
    verify."""
    whose = request.POST.get("whose") if request.method == "POST" else None
    if not whose:
        return None
    try:
        owner, fresh = signing.loads(str(whose), salt=_OWNER_SALT, max_age=device_days() * 24 * 3600), True
    except signing.SignatureExpired:  # raised only once the signature verifies
        owner, fresh = signing.loads(str(whose), salt=_OWNER_SALT), False
    except signing.BadSignature:
        return None
    return PostedTag(owner, fresh) if isinstance(owner, int) else None


def invitation_here(request: HttpRequest) -> int | None:
    """The invitation whose link was opened in this browser and not left (whatever its form's state: open, idle,
    waiting for the birth date or a code); None after "Exit", a locked link, or none opened."""
    invitation_id = _state(request).get("invitation")
    return invitation_id if isinstance(invitation_id, int) else None


def reconfirm(request: HttpRequest, invitation: Invitation) -> None:
    """After the idle limit: the date of birth again before the form opens (as when the link is opened), with a note
    for the birth-date page saying why (`after_idle`)."""
    begin(request, invitation)
    request.session[SESSION_KEY] = {**_state(request), "after_idle": {}}


def note_late_post(
    request: HttpRequest, *, question_page: bool, page: dict[str, object] | None, emergency: list[str] | None
) -> None:
    """Something was sent after the idle limit. For the birth-date page: whether it was a question page (by its
    address), that page's fields to open again once the birth date is typed ({"slug": ..., "post": {field:
    [values]}}), and the emergency advice what was sent calls for (shown once). Only what was sent: never anything
    stored, so the page says nothing about the patient to whoever holds the phone."""
    earlier = after_idle(request) or {}
    request.session[SESSION_KEY] = {
        **_state(request),
        "after_idle": {
            "sent": "page" if question_page else "other",
            # A later post without a page or advice of its own (an old tab's "Send") does not wipe the earlier's.
            "page": page or earlier.get("page"),
            "emergency": emergency or earlier.get("emergency"),
        },
    }


def after_idle(request: HttpRequest) -> dict[str, object] | None:
    """The note for the birth-date page while a form closed for being idle waits for its birth date:
    {} (nothing sent), or {"sent": "page" or "other", "page": ... or None, "emergency": the cauda equina questions
    answered yes or not sure (intake.late_pages.cauda_equina_sent), or None}."""
    note = _state(request).get("after_idle")
    return note if isinstance(note, dict) else None


# The advice the birth-date page gave comes back once if the language is switched this soon after (the same person,
# at the same moment, who could not read it): a reload, or someone later, still does not see it again.
ADVICE_AGAIN_SECONDS = 2 * 60


def emergency_shown(request: HttpRequest) -> None:
    """The birth-date page gave the emergency advice: once only (a reload, or someone else, does not see it again),
    but for a language switch right after it (`advice_again_in_new_language`)."""
    note = after_idle(request)
    if note is not None and note.get("emergency"):
        shown = {"emergency": note["emergency"], "at": int(timezone.now().timestamp())}
        request.session[SESSION_KEY] = {**_state(request), "after_idle": {**note, "emergency": None, "shown": shown}}


def advice_again_in_new_language(sender: object, *, request: HttpRequest, **kwargs: object) -> None:
    """Connected to the switcher's `language_chosen` (IntakeConfig): the emergency advice the birth-date page gave a
    moment ago is given once more, in the language just chosen (it was gone after the switch: the stop-34 audit)."""
    note = after_idle(request)
    shown = note.get("shown") if note is not None else None
    if not isinstance(shown, dict) or note is None:
        return
    if timezone.now().timestamp() - float(shown.get("at", 0)) <= ADVICE_AGAIN_SECONDS:
        request.session[SESSION_KEY] = {
            **_state(request),
            "after_idle": {**note, "emergency": shown.get("emergency"), "shown": None},
        }


def late_page(request: HttpRequest) -> dict[str, object] | None:
    """The page sent after the idle limit, once the birth date is typed again: {"slug": ..., "post": {...}}."""
    page = _state(request).get("late_page")
    return page if isinstance(page, dict) else None


def keep_page(request: HttpRequest, slug: str, post: dict[str, list[str]]) -> None:
    """A question page cut short by the emergency page (a red-flag answer beside a blank or wrong one): its fields,
    to open again as sent once that page is read, as a page sent after the idle limit does (`late_page`). The rest
    of the page was lost: back on the form, only the red-flag answer was there."""
    request.session[SESSION_KEY] = {**_state(request), "late_page": {"slug": slug, "post": post}}


def offer_late_page(request: HttpRequest) -> dict[str, object] | None:
    """The kept page, for `resume` to open once: the second time it is asked for (the page did not take it: it
    sent the patient elsewhere), it is forgotten, so no two pages can send the patient back and forth."""
    page = late_page(request)
    if page is None:
        return None
    if page.get("offered"):
        drop_late_page(request)
        return None
    request.session[SESSION_KEY] = {**_state(request), "late_page": {**page, "offered": True}}
    return page


def take_late_page(request: HttpRequest, slug: str) -> dict[str, list[str]] | None:
    """The fields of the page sent late, if it is `slug`'s, forgotten as they are given back (shown once)."""
    page = late_page(request)
    if page is None or page.get("slug") != slug:
        return None
    drop_late_page(request)
    post = page.get("post")
    return post if isinstance(post, dict) else None


def show_problems_on(request: HttpRequest, slug: str) -> None:
    """The patient pressed "Send" and page `slug` has problems: it shows them when it opens, until the review page
    is back (`back_at_review`); and so does each page with problems it leads to (`sending`)."""
    request.session[SESSION_KEY] = {**_state(request), "problems_on": slug, "sending": True}


def problems_shown_on(request: HttpRequest, slug: str) -> bool:
    """Whether page `slug` opens with the problems "Send" found on it: each time it opens, not only the first (it
    came back without them after a language switch or a reload: the question blank, nothing said)."""
    return _state(request).get("problems_on") == slug


def sending(request: HttpRequest) -> bool:
    """The patient pressed "Send" and is putting right what stopped it."""
    return _state(request).get("sending") is True


def pages_to_show(request: HttpRequest, slugs: list[str]) -> None:
    """A change made from the review page opened questions on these pages: each is shown in turn, then the review."""
    request.session[SESSION_KEY] = {**_state(request), "opened_pages": slugs}


def opened_page(request: HttpRequest) -> str | None:
    """The first page a change from the review page opened and not yet saved (None: none waits)."""
    pages = _state(request).get("opened_pages")
    return str(pages[0]) if isinstance(pages, list) and pages else None


def next_page_to_show(request: HttpRequest, *, saved: str) -> str | None:
    """The next page of those a change opened, now that page `saved` is saved (None: back to the review)."""
    state = _state(request)
    pages = state.get("opened_pages")
    if not isinstance(pages, list):
        return None
    left = [slug for slug in pages if slug != saved]
    request.session[SESSION_KEY] = {**state, "opened_pages": left}
    return left[0] if left else None


def back_at_review(request: HttpRequest) -> None:
    """The review page again: what "Send" found is put right (or left for the next "Send"), and the pages a change
    opened are shown or passed over."""
    state = _state(request)
    done = ("sending", "problems_on", "opened_pages")
    if any(key in state for key in done):
        request.session[SESSION_KEY] = {k: v for k, v in state.items() if k not in done}


def drop_late_page(request: HttpRequest) -> None:
    state = _state(request)
    if "late_page" in state:
        request.session[SESSION_KEY] = {key: value for key, value in state.items() if key != "late_page"}


def intake_after_idle(request: HttpRequest) -> Intake | None:
    """The intake whose form closed for being idle in this browser and now waits for the birth date (None
    otherwise): a red-flag answer sent from another of its tabs is still taken."""
    state = _state(request)
    if state.get("confirmed") is not False or after_idle(request) is None:
        return None
    return _intake_of(request, state)


# --- The language the patient picks -----------------------------------------------------------------------------


def remember_language(sender: object, *, request: HttpRequest, language: str, **kwargs: object) -> None:
    """Connected to the switcher's `clinic_portal.language_choice.language_chosen` (IntakeConfig): a language the
    patient picks on a page of their open form becomes their invitation's, so their link opens in it again and their
    e-mails are written in it (intake.patient_language). Before the birth date is typed it changes only this
    browser's cookie, and is noted for the invitation whose link was opened here (`picked_language`): whoever holds
    the link has not shown it is theirs yet."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        return
    invitation_id = confirmed_invitation_id(request)
    if invitation_id is not None:
        invitations.set_language(invitation_id, language)
    elif isinstance(pending := _state(request).get("invitation"), int):
        request.session[PICKED_LANGUAGE_KEY] = [pending, language]


def picked_language(request: HttpRequest, invitation: Invitation) -> str | None:
    """The language picked with the switcher for `invitation` before its birth date was typed (`remember_language`),
    if it is still the one this browser's pages are in. Not the cookie alone: a public library page whose address
    names a language (`?lang=`, which any page elsewhere can link to) sets it too, and is no choice of the patient's
    (clinic_portal.language_choice)."""
    noted = request.session.pop(PICKED_LANGUAGE_KEY, None)
    if isinstance(noted, list) and noted[:1] == [invitation.pk] and noted[1:] == [translation.get_language()]:
        return str(noted[1])
    return None


def owe_advice_before_consent(request: HttpRequest, advice: dict[str, object]) -> None:
    """A question page was sent before the patient agreed (`intake.before_consent`): the advice it called for, shown
    once on the consent page. Kept with the rest of this form's state, so "Exit" or another link drops it."""
    request.session[SESSION_KEY] = {**_state(request), "advice_before_consent": advice}


def take_advice_before_consent(request: HttpRequest) -> dict[str, object] | None:
    """The advice `owe_advice_before_consent` kept, forgotten as it is given (shown once), but for a language switch
    right after it (`advice_before_consent_again`), as the birth-date page's advice."""
    state = _state(request)
    advice = state.get("advice_before_consent")
    if advice is None:
        return None
    kept = {key: value for key, value in state.items() if key not in ("advice_before_consent", "advice_shown")}
    shown = {"advice": advice, "at": int(timezone.now().timestamp())}
    request.session[SESSION_KEY] = {**kept, "advice_shown": shown}
    return advice if isinstance(advice, dict) else None


def advice_before_consent_again(sender: object, *, request: HttpRequest, **kwargs: object) -> None:
    """Connected to the switcher's `language_chosen` (IntakeConfig): the advice the consent page gave a moment ago
    (`take_advice_before_consent`) is given once more, in the language just chosen."""
    _owe_again(
        request, shown_key="advice_shown", owed_key="advice_before_consent", owed=lambda shown: shown.get("advice")
    )


def _owe_again(
    request: HttpRequest, *, shown_key: str, owed_key: str, owed: Callable[[dict[str, Any]], object]
) -> None:
    """What a page kept under `shown_key` when it gave its advice (with the time, "at"), owed under `owed_key` once
    more when the switch comes within ADVICE_AGAIN_SECONDS of it; the note of the showing is dropped either way."""
    state = _state(request)
    shown = state.get(shown_key)
    if not isinstance(shown, dict):
        return
    kept = {key: value for key, value in state.items() if key != shown_key}
    if timezone.now().timestamp() - float(shown.get("at", 0)) <= ADVICE_AGAIN_SECONDS:
        kept[owed_key] = owed(shown)
    request.session[SESSION_KEY] = kept


def visit_page_shown(request: HttpRequest, page: dict[str, object]) -> None:
    """A visit's page sent during a follow-up got emergency advice (`late_pages.visit_page_answer`): what that page
    said ({"path", "taken", "advice"}), kept only for a language switch right after it (`visit_page_again`)."""
    request.session[SESSION_KEY] = {
        **_state(request),
        "visit_page_shown": {**page, "at": int(timezone.now().timestamp())},
    }


def visit_page_again(sender: object, *, request: HttpRequest, **kwargs: object) -> None:
    """Connected to the switcher's `language_chosen` (IntakeConfig): the page `visit_page_shown` kept a moment ago is
    given once more, in the language just chosen, when the switcher comes back to its address (`take_visit_page`)."""
    _owe_again(request, shown_key="visit_page_shown", owed_key="visit_page_again", owed=lambda shown: shown)


def take_visit_page(request: HttpRequest) -> dict[str, object] | None:
    """The page `visit_page_again` owes, if it was this address's, forgotten as it is given (once)."""
    state = _state(request)
    page = state.get("visit_page_again")
    if page is None:
        return None
    request.session[SESSION_KEY] = {key: value for key, value in state.items() if key != "visit_page_again"}
    return page if isinstance(page, dict) and page.get("path") == request.path else None
