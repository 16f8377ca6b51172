"""Line-by-line differences between two texts, as escaped HTML lists, for reviewers and translators."""

from __future__ import annotations

import difflib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def line_changes(old: str, new: str, *, context: int = 1) -> SafeString:
    """The lines of `new` that differ from `old` (with `context` lines around them), each marked added or removed.

    Every line is escaped: what editors typed is shown as text, never as markup.
    """
    lines = [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
        if not line.startswith(("---", "+++"))
    ]
    items = "".join(f'<li class="{_kind(line)}">{escape(_shown(line))}</li>' for line in lines)
    return mark_safe(f'<ul class="line-changes">{items}</ul>')  # noqa: S308 - every line above is escaped


def _kind(line: str) -> str:
    if line.startswith("@@"):
        return "gap"
    if line.startswith("+"):
        return "added"
    if line.startswith("-"):
        return "removed"
    return "context"


def _shown(line: str) -> str:
    if line.startswith("@@"):
        return "…"
    return f"{line[:1]} {line[1:]}" if line[:1] in "+-" else f"  {line[1:]}"
