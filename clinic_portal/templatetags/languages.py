"""Tags of the language switcher (templates/includes/language_switcher.html).

- `{% language_return_path as next_path %}`: where it comes back to; empty where the page shows no switcher
  (clinic_portal.languages.return_path).
- `{% language_choices as languages %}`: (code, name) of settings.LANGUAGES, each name in its own language ("English",
  "Español") whatever the page's language. Django's `get_available_languages` would translate them ("Inglés").
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.context import Context

from clinic_portal.languages import return_path

register = template.Library()


@register.simple_tag(takes_context=True)
def language_return_path(context: Context) -> str:
    return return_path(context.get("request"))


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES]
