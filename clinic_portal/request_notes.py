"""Notes a view or middleware leaves on the request for the audit receivers in accounts.signals.

Django's auth signals (user_logged_in, user_login_failed, user_logged_out) hand their receivers the request and
nothing of ours, so how someone signed in, why a sign-in failed and why a session ended travel on the request itself,
as attributes (the way django-axes marks `axes_locked_out`). HttpRequest declares no such attributes, so they are
written and read here, with setattr and getattr, in one typed place, instead of a type-checker exception at every
writer. The names are a closed list: a typo in a note's name is a type error, not a silently empty audit detail.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

Note = Literal["sign_in_method", "sign_in_failure", "sign_out_reason"]


def leave_note(request: HttpRequest, note: Note, text: str) -> None:
    """Attach `text` to `request` under `note`, for the receiver of the auth signal sent next."""
    setattr(request, note, text)


def read_note(request: HttpRequest | None, note: Note) -> str | None:
    """The text left under `note`, or None when nothing was left (or there is no request)."""
    text = getattr(request, note, None)
    return text if isinstance(text, str) else None
