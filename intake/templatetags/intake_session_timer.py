"""The patient's form: the warning before it closes for being idle (clinic_portal.templatetags.session_timer).

The dialog is the same on every patient page in a language but for two values: the seconds left and the page's CSRF
token. It is rendered once per process for each language and address of the "still here" view, from the template
staff pages render each time (includes/session_timer.html), with markers where those two go; each page fills them in
(issue 16: as an inclusion tag, it was a fourteenth of a step page's time).
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from clinic_portal import links
from clinic_portal.templatetags import fragments
from clinic_portal.templatetags.session_timer import timer
from intake import patient_session

register = template.Library()

# Letters, digits and hyphens: the same once escaped, and in no page of the portal.
_SECONDS_LEFT = "session-timer-seconds-left-7c1e"
_CSRF_TOKEN = "session-timer-csrf-token-7c1e"  # noqa: S105 - a marker, replaced by the page's token


@register.simple_tag(takes_context=True)
def patient_session_timer(context: template.Context) -> SafeString:
    request = context.get("request")
    if request is None or context.get("no_session_timer"):
        return SafeString()
    seconds_left = patient_session.seconds_left(request)
    if seconds_left is None:
        return SafeString()
    dialog = _dialog(links.url("intake:still-here"))
    token = conditional_escape(str(context.get("csrf_token", "")))
    return mark_safe(dialog.replace(_SECONDS_LEFT, str(seconds_left)).replace(_CSRF_TOKEN, token))  # noqa: S308 - escaped


def _dialog(still_here_url: str) -> SafeString:
    """The dialog with markers for the seconds left and the CSRF token, in the language now active."""

    def render() -> str:
        context = timer(kind="patient", seconds_left=0, still_here_url=still_here_url)
        context["timer"]["seconds_left"] = _SECONDS_LEFT
        return render_to_string("includes/session_timer.html", {**context, "csrf_token": _CSRF_TOKEN})

    return fragments.kept_render(("patient-session-timer", get_language(), still_here_url), render)
