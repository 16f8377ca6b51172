"""Which invitation this browser may see: kept in the session, never in the URL.

The link's token is checked once (intake:start) and only the invitation's id goes into the session, marked
confirmed after the date of birth matches. Opening another link in the same browser replaces it (with a new
session key), so one patient's session can never show another patient's answers.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from intake import selectors
from intake.models import Intake, Invitation

SESSION_KEY = "intake_patient"


def idle_seconds() -> int:
    # A phone left on a table should not stay open for hours; reopening the link resumes where the patient was.
    return int(getattr(settings, "INTAKE_SESSION_IDLE_SECONDS", 60 * 60))


def begin(request: HttpRequest, invitation: Invitation) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"invitation": invitation.pk, "confirmed": False}
    request.session.set_expiry(idle_seconds())


def confirm(request: HttpRequest, invitation: Invitation) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"invitation": invitation.pk, "confirmed": True}
    request.session.set_expiry(idle_seconds())


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def _state(request: HttpRequest) -> dict[str, object]:
    state = request.session.get(SESSION_KEY)
    return state if isinstance(state, dict) else {}


def is_confirmed_for(request: HttpRequest, invitation: Invitation) -> bool:
    state = _state(request)
    return state.get("invitation") == invitation.pk and state.get("confirmed") is True


def pending_invitation(request: HttpRequest) -> Invitation | None:
    """The invitation whose link was opened here but whose date of birth is not yet confirmed."""
    state = _state(request)
    if state.get("confirmed") is not False:
        return None
    return selectors.invitation_by_id(state.get("invitation"), now=timezone.now())


def confirmed_intake(request: HttpRequest) -> Intake | None:
    """The intake this browser has confirmed, while its link is still valid; None otherwise."""
    state = _state(request)
    if state.get("confirmed") is not True:
        return None
    intake = selectors.intake_by_invitation_id(state.get("invitation"), now=timezone.now())
    if intake is None:
        forget(request)
        return None
    request.session.set_expiry(idle_seconds())  # sliding: each page the patient opens extends it
    return intake
