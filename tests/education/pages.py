"""What tests of the public article pages read off them, and the reader who reads them in Spanish."""

from __future__ import annotations

import re

from django.test import Client


def spanish_reader() -> Client:
    """A visitor whose language cookie says Spanish."""
    reader = Client()
    reader.cookies["django_language"] = "es"
    return reader


def review_lines(page: str) -> list[str]:
    """The review part of the page's header, as text: one entry per line a reader sees."""
    found = re.search(r'<dl class="review-meta">(.*?)</dl>', page, re.DOTALL)
    assert found, "the page has its review lines"
    return [" ".join(re.sub(r"<[^>]+>", "", dd).split()) for dd in re.findall(r"<dd[^>]*>(.*?)</dd>", found[1], re.S)]
