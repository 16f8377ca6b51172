"""A public page's own address and its versions in the other languages, for its head: `rel="canonical"` and
`rel="alternate" hreflang=...` (clinic_portal.languages: "The language in the address").

Absolute, as the sitemap writes its addresses (Django's sitemap view: the request's scheme and host) and as the
canonical links always were. English is the plain address, Spanish `?lang=es`; `x-default` is the plain address too,
which answers in the reader's own language (cookie, browser), English for one who says nothing.

A page names its other-language versions only where it has them: the home page, the article list and a topic's page
exist in both languages (their words are translated, and their cards are in Spanish where an article is); an article
only when patients may read its translation (education.translation.is_shown), or its "Spanish" version would be the
English with a notice, which no search engine should list as Spanish. A later page of a list names none (its place is
in one language's order, not the other's: clinic_portal.languages.LIST_PLACE).
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
    alternates: list[tuple[str, str]] = []
    if len(languages) > 1 and not query:
        alternates = [(code, origin + address_in(path, code)) for code in languages]
        alternates.append((X_DEFAULT, origin + address_in(path, ADDRESS_DEFAULT)))
    return {"canonical_url": origin + address_in(path, shown, query), "language_alternates": alternates}
