"""The device cookie: the browsers that may show an invitation's answers without a one-time code, and the browsers
that opened its form at all.

A signed cookie, set when a browser first opens the form (before any answer exists) or after a right code
(intake.patient_link_views), holding for each of up to five invitations two tags: one bound to where the
invitation's codes go (`is_trusted_device`: a browser trusted while codes went to one address is not trusted once
they go to another), one not (`opened_form_here`: enough to take a red-flag answer sent from one of its old tabs,
intake.late_pages.form_closed_here, which shows nothing). The session itself is intake.patient_session's.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

from intake.models import Invitation

DEVICE_COOKIE = "intake_device"
# The salt names the module these tags were first made in; changing it would forget every browser trusted so far.
_DEVICE_SALT = "intake.patient_session.device"
_DEVICE_LIMIT = 5  # invitations one browser remembers (a family sharing a tablet)


def device_days() -> int:
    """How long a browser stays trusted for an invitation's answers without a code (each use renews it)."""
    return int(getattr(settings, "INTAKE_DEVICE_DAYS", 90))


def _device_tag(invitation: Invitation) -> str:
    # Bound to where codes go: a browser trusted while codes went to one address is not trusted once they go to
    # another (an address changed before any answer was given), so trust cannot be carried over by staff.
    message = f"{invitation.pk}:{int(invitation.created_at.timestamp())}:{invitation.code_address.lower()}"
    return salted_hmac(_DEVICE_SALT, message, algorithm="sha256").hexdigest()[:32]


def _opened_tag(invitation: Invitation) -> str:
    # Not bound to an address: that this browser opened the form, whatever address codes go to since.
    message = f"opened:{invitation.pk}:{int(invitation.created_at.timestamp())}"
    return salted_hmac(_DEVICE_SALT, message, algorithm="sha256").hexdigest()[:32]


def _device_entries(request: HttpRequest) -> list[tuple[int, str, str]]:
    """(invitation id, trust tag, opened tag) per form opened here; the opened tag is "" in cookies set before
    stop 30, which kept only the first two."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        value = signing.loads(raw, salt=_DEVICE_SALT, max_age=device_days() * 24 * 3600)
    except signing.BadSignature:  # also an expired one
        return []
    if not isinstance(value, list):
        return []
    return [
        (entry[0], entry[1], entry[2] if len(entry) == 3 and isinstance(entry[2], str) else "")
        for entry in value
        if isinstance(entry, list) and len(entry) in (2, 3) and isinstance(entry[0], int) and isinstance(entry[1], str)
    ]


def is_trusted_device(request: HttpRequest, invitation: Invitation) -> bool:
    """This browser may show the invitation's answers without a code (bound to where codes go: `_device_tag`)."""
    tag = _device_tag(invitation)
    return any(pk == invitation.pk and constant_time_compare(kept, tag) for pk, kept, _ in _device_entries(request))


def opened_form_here(request: HttpRequest, invitation: Invitation) -> bool:
    """This browser opened the invitation's form, whatever address its codes go to now: enough to take a red-flag
    answer sent from one of its tabs (`late_pages.form_closed_here`), which shows nothing. Trust to *show* answers
    is lost when staff give the link a new address; that also refused a red flag from the patient's own old tab (the
    stop-30 audit)."""
    tag = _opened_tag(invitation)
    return is_trusted_device(request, invitation) or any(
        pk == invitation.pk and opened and constant_time_compare(opened, tag)
        for pk, _, opened in _device_entries(request)
    )


def trust_device(request: HttpRequest, response: HttpResponse, invitation: Invitation) -> None:
    """Remember on this browser that it may show this invitation's answers without a code, and that it opened it."""
    entries = [[pk, tag, opened] for pk, tag, opened in _device_entries(request) if pk != invitation.pk]
    entries.append([invitation.pk, _device_tag(invitation), _opened_tag(invitation)])
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(entries[-_DEVICE_LIMIT:], salt=_DEVICE_SALT),
        max_age=device_days() * 24 * 3600,
        path="/intake/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
