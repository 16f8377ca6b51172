"""Addresses built without resolving the URL patterns for every link (issue 16).

`reverse()` walks the URL configuration for each call, and a public page links to several articles and topics; a
patient's step page links to the page before it and is sent on to the next. An address without arguments (`url`) is
found once by `reverse()` for each URL name, script prefix and URL configuration; so is the address around a slug
(`/articles/` and `/`, `/intake/step/` and `/`), and the slug is put between. A slug the pattern's converter would
not accept (never saved through the models' forms, but possible in old rows) goes through `reverse()` itself, which
then fails the same way as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What Django's `slug` path converter matches: such a slug is never quoted in an address.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_MARKER = "slug-marker-0f3a"


def url(name: str) -> str:
    """`reverse(name)` for a URL without arguments."""
    return _plain(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def slug_url(name: str, slug: str) -> str:
    """`reverse(name, kwargs={"slug": slug})` for a URL whose only argument is a slug."""
    if not _PLAIN_SLUG.match(slug):
        return reverse(name, kwargs={"slug": slug})
    before, after = _around_slug(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{before}{slug}{after}"


def slug_urls(name: str) -> Callable[[str], str]:
    """`slug_url` for the many links of one page to one URL name: the address around the slug is found once."""
    before, after = _around_slug(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)

    def url(slug: str) -> str:
        return f"{before}{slug}{after}" if _PLAIN_SLUG.match(slug) else reverse(name, kwargs={"slug": slug})

    return url


@lru_cache(maxsize=64)
def _around_slug(name: str, _prefix: str, _urlconf: object) -> tuple[str, str]:
    before, _, after = reverse(name, kwargs={"slug": _MARKER}).rpartition(_MARKER)
    return before, after


@lru_cache(maxsize=64)
def _plain(name: str, _prefix: str, _urlconf: object) -> str:
    return reverse(name)
