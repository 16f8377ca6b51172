"""The language switcher: `{% language_switcher "d-flex" %}` (the form's extra classes), or
`{% language_switcher "d-flex" return_to="/" %}` to come back to that path instead of this page (error pages never
repeat their address).

A plain form (works without JavaScript) posting to Django's set_language view, which keeps the choice in the language
cookie and comes back to this page, without a language its URL named (`?lang=`, public library pages: it would
overrule the choice). No CSRF token: the view checks where a request comes
from instead (clinic_portal.language_choice), so a public page that holds the switcher is the same for every reader.
Each language is named in itself and marked with its `lang` ("English", "Español" whatever the page's language:
Django's `get_available_languages` would translate them, "Inglés"), so a screen reader says "Español" in Spanish. Left
out where `clinic_portal.languages.return_path` is empty: staff pages (always in English) and error pages rendered
without a request (the 500 and 503 pages do not know which page to come back to).

A page that gives emergency advice and has no address to come back to (a refused question page: intake.refused_posts)
puts `language_switch_fields` in its context, (name, value) pairs the form carries as hidden fields, and may name
`language_switch_next`: set_language then answers with that page again in the language chosen (intake.advice_switch)
instead of a question page without the advice.

A tag rather than an include: it is on every public and patient page, and built in Python it costs a tenth of the
template's include, loop and `{% url %}` (issue 16); each form is built once per process for a page's address and
language and then reused.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.context import Context
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from clinic_portal.languages import return_path

register = template.Library()


def _choices(current: str) -> SafeString:
    return format_html_join(
        "\n",
        '<li class="list-inline-item">{}</li>',
        (
            (
                format_html(
                    '<span class="d-inline-block px-2 py-1 fw-semibold" lang="{}" aria-current="true">{}</span>',
                    code,
                    name,
                )
                if code == current
                else format_html(
                    '<button type="submit" class="btn btn-link btn-sm text-decoration-underline" name="language" '
                    'value="{}" lang="{}">{}</button>',
                    code,
                    code,
                    name,
                ),
            )
            for code, name in settings.LANGUAGES
        ),
    )


@register.simple_tag(takes_context=True)
def language_switcher(context: Context, switcher_class: str = "", return_to: str = "") -> SafeString:
    next_path = return_path(context.get("request"))
    if not next_path:
        return mark_safe("")
    back = return_to or context.get("language_switch_next") or next_path
    fields = tuple(context.get("language_switch_fields") or ())
    return _switcher(switcher_class, get_script_prefix(), back, get_language() or "", fields)


# The same few forms over and over (a page's address, its language): each built once per process, the most recent
# thousand kept. Everything the HTML depends on is in the arguments (the label follows the language, which is one).
# A page that gives emergency advice is rare (a refused question page) and its fields say which advice: not kept.
def _switcher(
    switcher_class: str, script_prefix: str, next_path: str, language: str, fields: tuple[tuple[str, str], ...]
) -> SafeString:
    if not fields:
        return _kept_switcher(switcher_class, script_prefix, next_path, language)
    return _form(switcher_class, next_path, language, fields)


@lru_cache(maxsize=1024)
def _kept_switcher(switcher_class: str, script_prefix: str, next_path: str, language: str) -> SafeString:
    # The script prefix is in the key for reverse(), whose address starts with it.
    return _form(switcher_class, next_path, language, ())


def _form(switcher_class: str, next_path: str, language: str, fields: tuple[tuple[str, str], ...]) -> SafeString:
    return format_html(
        '<form class="language-switcher small {}" method="post" action="{}" aria-label="{}">\n'
        '  <input type="hidden" name="next" value="{}">\n{}  <ul class="list-inline mb-0">\n{}\n  </ul>\n</form>',
        switcher_class,
        reverse("set_language"),
        gettext("Language"),
        next_path,
        format_html_join("", '  <input type="hidden" name="{}" value="{}">\n', fields),
        _choices(language or settings.LANGUAGE_CODE),
    )


def _forget(**_kwargs: Any) -> None:
    _kept_switcher.cache_clear()  # LANGUAGES, LANGUAGE_CODE changed (tests)


setting_changed.connect(_forget)
