"""The patient's form: the warning before it closes for being idle (clinic_portal.templatetags.session_timer)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from clinic_portal.templatetags.session_timer import timer
from intake import patient_session

register = template.Library()


@register.inclusion_tag("includes/session_timer.html", takes_context=True)
def patient_session_timer(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None or context.get("no_session_timer"):
        return {"timer": None}
    return timer(
        kind="patient",
        seconds_left=patient_session.seconds_left(request),
        still_here_url=reverse("intake:still-here"),
    )
