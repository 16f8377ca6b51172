"""The header's search box shows what the visitor searched for, in a header rendered once for every visitor.

templates/base.html keeps the header of visitors who are not signed in ({% cache %}, per language) with
SEARCH_QUERY_PLACEHOLDER as the search box's value, and `with_search_query` puts the visitor's own words there (or
nothing) each time it is shown, HTML-escaped exactly as `{{ request.GET.q }}` would be. Search pages used to render
the whole header, both menus, on every request for the sake of those words (issue 16).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Letters and hyphens only: escaping leaves it as it is, and nothing else in the header reads like it.
SEARCH_QUERY_PLACEHOLDER = "portal-search-query-placeholder"


@register.simple_tag
def search_query_placeholder() -> str:
    return SEARCH_QUERY_PLACEHOLDER


@register.simple_tag(takes_context=True)
def visitor_search(context: Any) -> str:
    """What the visitor searched for (`?q=`), as `{{ request.GET.q }}` reads it; empty without a request."""
    request = context.get("request")
    return str(request.GET.get("q", "")) if request is not None else ""


@register.filter(is_safe=True)
def with_search_query(header: str, query: str | None) -> SafeString:
    """`header` (rendered, safe HTML) with the placeholder replaced by `query`, escaped; empty for no query."""
    return mark_safe(str(header).replace(SEARCH_QUERY_PLACEHOLDER, escape(query or "")))  # noqa: S308
