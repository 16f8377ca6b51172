"""The warning before a session ends for being idle, with a button to keep it (WCAG 2.2.1, Timing Adjustable).

`{% staff_session_timer %}` on every page a signed-in person sees (the portal's and the admin's);
intake.templatetags.intake_session_timer gives the patient's form the same. Both render includes/session_timer.html,
which static/js/session-timer.js brings to life: it opens the warning WARN_SECONDS before the end, and its button
posts to the "still here" address, which starts the idle clock again.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from clinic_portal.middleware import staff_seconds_left

register = template.Library()

WARN_SECONDS = 120  # two minutes to answer; WCAG 2.2.1 asks for at least 20 seconds


def timer(
    *, kind: str, seconds_left: int | None, still_here_url: str, sign_in_url: str = "", next_path: str = ""
) -> dict[str, Any]:
    """The include's context: `timer` is None when no session with an idle limit is open. `next_path`: where
    "Sign in again" leads back to (this page)."""
    if seconds_left is None:
        return {"timer": None}
    return {
        "timer": {
            "kind": kind,
            "seconds_left": seconds_left,
            "warn_seconds": WARN_SECONDS,
            "still_here_url": still_here_url,
            "sign_in_url": sign_in_url,
            "next_path": next_path,
            "max_hours": settings.STAFF_SESSION_MAX_HOURS,
        }
    }


@register.inclusion_tag("includes/session_timer.html", takes_context=True)
def staff_session_timer(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"timer": None}
    return timer(
        kind="staff",
        seconds_left=staff_seconds_left(request.session),
        still_here_url=reverse("accounts:still-here"),
        sign_in_url=reverse("accounts:sign-in"),
        next_path=request.get_full_path(),
    )
