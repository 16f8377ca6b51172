"""A public page's own address and its versions in the other languages, for its head: `rel="canonical"` and
`rel="alternate" hreflang=...` (clinic_portal.languages: "The language in the address").

Absolute, as the sitemap writes its addresses (Django's sitemap view: the request's scheme and host) and as the
canonical links always were. English is the plain address, Spanish `?lang=es`; `x-default` is the plain address too,
which answers in the reader's own language (cookie, browser), English for one who says nothing.

A page names its other-language versions only where it has them, with something to read in that language: the home
page always (its own words are translated, the urgent-help box among them); an article only when patients may read
its translation (education.translation.is_shown), or its "Spanish" version would be the English with a notice, which
no search engine should list as Spanish; the article list and a topic's page only once patients may read one of
their articles in that language, and a topic only with its name there (a TopicTranslation), or its page would be the
English heading and cards under translated menus (education.selectors.list_languages). A page with no version in the
reader's language gives the English address as its canonical one. A later page of a list names none (its place is in
one language's order, not the other's: clinic_portal.languages.LIST_PLACE).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from clinic_portal.languages import ADDRESS_DEFAULT, address_in

X_DEFAULT = "x-default"


def every_language() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def page_addresses(
    request: HttpRequest, path: str, *, shown: str, languages: Sequence[str], query: str = ""
) -> dict[str, Any]:
    """The template's `canonical_url` (this page in the language it is `shown` in, with `query`, its place in a list)
    and `language_alternates` ((hreflang, url) pairs; none unless the page is in more than one of `languages`, and
    none for a later page of a list)."""
    origin = f"{request.scheme}://{request.get_host()}"
    alternates = [] if query else [(code, origin + address) for code, address in versions(path, languages)]
    return {"canonical_url": origin + address_in(path, shown, query), "language_alternates": alternates}


def versions(path: str, languages: Sequence[str]) -> list[tuple[str, str]]:
    """(hreflang, address) for the page at `path` in each of `languages`, then `x-default`; none unless it is in
    more than one. Relative addresses: a page's head and the sitemap (education/sitemaps.py) put the origin before."""
    if len(languages) < 2:
        return []
    return [*((code, address_in(path, code)) for code in languages), (X_DEFAULT, address_in(path, ADDRESS_DEFAULT))]
