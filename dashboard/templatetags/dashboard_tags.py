from __future__ import annotations

from django import template
from django.contrib.auth.models import User

from dashboard import flag_reasons
from dashboard.presenters import flag_style

register = template.Library()


@register.filter
def staff_name(user: User | None) -> str:
    """How a staff member is named on screen; accounts removed since keep their place in the record."""
    if user is None:
        return "a former staff member"
    return user.get_full_name() or user.username


@register.filter
def flag_class(code: str) -> str:
    """The chip class of a flag code, from the flag's group in the triage rules (`flag-urgent`, `flag-serious`...)."""
    return f"flag-{flag_style(code)}"


@register.filter
def staff_reason(reason: str) -> str:
    """A flag's stored reason with its times on the staff clock ("10:02 AM"; dashboard.flag_reasons)."""
    return flag_reasons.staff_reason(reason)
