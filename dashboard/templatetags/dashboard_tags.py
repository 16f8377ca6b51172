from __future__ import annotations

from django import template
from django.contrib.auth.models import User

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
