"""Search snippets: turning matched text into safe HTML with the hits marked. Pure functions."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from education.rendering import HIT_END, HIT_START

SNIPPET_WORDS = 30
QUERY_MAX_LENGTH = 200


def clean_query(raw: str | None) -> str:
    """The visitor's search text, trimmed and bounded; empty when there is nothing to search for."""
    return " ".join((raw or "").split())[:QUERY_MAX_LENGTH]


def query_terms(query: str) -> list[str]:
    return [term for term in re.findall(r"\w+", query.lower()) if len(term) > 1]


def highlighted(raw: str) -> SafeString:
    """A snippet whose hits are wrapped in HIT_START/HIT_END: escape everything, then turn the marks into <mark>."""
    # Article text keeps one block (paragraph, heading, list item) a line; in a snippet a dot separates them.
    flat = " · ".join(line.strip() for line in raw.splitlines() if line.strip())
    return mark_safe(escape(flat).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>"))  # noqa: S308


def plain_snippet(text: str, terms: list[str], *, words: int = SNIPPET_WORDS) -> SafeString:
    """The stretch of `text` around the first hit, hits marked (the SQLite fallback for PostgreSQL's ts_headline)."""
    tokens = " · ".join(line.strip() for line in text.splitlines() if line.strip()).split()
    if not tokens:
        return mark_safe("")
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE) if terms else None
    first = next((i for i, token in enumerate(tokens) if pattern and pattern.search(token)), 0)
    start = max(first - words // 3, 0)
    window = tokens[start : start + words]
    joined = " ".join(window)
    if pattern:
        joined = pattern.sub(lambda m: f"{HIT_START}{m.group(0)}{HIT_END}", joined)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return highlighted(f"{prefix}{joined}{suffix}")
