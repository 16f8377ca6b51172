"""Every staff sign-in, failed sign-in and sign-out goes to the audit trail (never the password tried)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.services import record
from clinic_portal.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from clinic_portal.request_notes import read_note


def _is_http_request(request: HttpRequest | None) -> bool:
    # The test client's force_login() and logout() build a bare HttpRequest with no path: nobody signed in over
    # HTTP, so there is nothing to audit (and other tests' audit counts stay about what they test).
    return request is not None and bool(request.path)


@receiver(user_logged_in, dispatch_uid="accounts.audit_signed_in")
def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now
    if _is_http_request(request):
        method = read_note(request, "sign_in_method") or "password"
        record("signed_in", actor=user, request=request, detail=f"with {method}")


@receiver(user_login_failed, dispatch_uid="accounts.audit_sign_in_failed")
def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if not _is_http_request(request):
        return
    # Django has already replaced the password in `credentials` with stars; we keep only the username typed.
    username = str(credentials.get("username", ""))[:150]
    # The sign-in page notes a try made while locked (accounts.views.sign_in), as the code and password pages note
    # theirs; `axes_locked_out` is already set on the very try that reaches the limit, so it cannot tell.
    reason = read_note(request, "sign_in_failure") or "wrong username or password"
    # The username tried is the event's "who" too: the trail filtered by a username shows its failed sign-ins (it
    # showed none: the stop-34 audit).
    record("sign_in_failed", request=request, detail=f"{reason}; username tried: {username}", username=username)


@receiver(user_logged_out, dispatch_uid="accounts.audit_signed_out")
def on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not _is_http_request(request):
        return
    reason = read_note(request, "sign_out_reason")
    record("signed_out", actor=user, request=request, detail="session timed out" if reason else "")
