"""Which language a page speaks: the patient's choice on the patient's side, English on the staff side.

Django's LocaleMiddleware picks the language from the language cookie (set from the invitation when a patient link
is opened, `intake.patient_language`, or by the switcher on every page, Django's `set_language` view at
/i18n/setlang/), else from the browser's Accept-Language. `StaffInEnglishMiddleware` comes right after it and puts
staff and admin pages back in English whatever the cookie or the browser says: the staff read a patient's answers
in English, whichever language the patient answered in (answers are stored as codes, never as words).

Public API
----------
- ``StaffInEnglishMiddleware``; ``STAFF_LANGUAGE`` ("en"); ``STAFF_PREFIXES``; ``is_staff_path(path)``.
- ``return_path(request)``: where the switcher sends the visitor back to, never a path that carries a patient
  link's token; empty where no switcher is shown (staff pages, pages rendered without a request).
- ``language_in_address`` (a view decorator, the public library's pages only), ``LANGUAGE_PARAM`` ("lang"),
  ``address_language(request)``, ``address_in(path, language)``, ``cookie_to_set(request)``.

The language in the address (public library pages only)
-------------------------------------------------------
A page of the library opened with ``?lang=es`` (or ``?lang=en``) is in that language whatever the cookie or the
browser says: a search engine, which keeps no cookie, can read and list the Spanish pages, and staff can send a patient
an article that opens in Spanish. English keeps the address it always had (no ``lang``: what crawlers, which send
neither cookie nor Accept-Language, are shown in English); ``?lang=es`` is Spanish's; the pages name both in their head
(``hreflang``: education.alternates). An unknown value is ignored. The address also stores the choice in the language
cookie when it differs from the language the request would otherwise have had, so the next click (a plain link) stays
in it: a reader who came from a Spanish search result is not dropped back into English. A response that sets the
cookie is that reader's own: the public-page cache neither serves nor keeps it (education.cache.may_share asks
``cookie_to_set``), and it is marked private for every other cache. Patient and staff pages never read ``lang``
(they carry no language in their addresses: a patient's pages carry nothing in theirs).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Concatenate, Literal, ParamSpec, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.http import urlencode

Handler = Callable[[HttpRequest], HttpResponse]

STAFF_LANGUAGE = "en"
STAFF_PREFIXES = ("/staff/", "/admin/")
# The one patient path with a token in it (intake:start answers with a redirect, or with the bad-link page).
TOKEN_PATH_PREFIX = "/intake/start/"  # noqa: S105 - a path, not a secret
RESUME_PATH = "/intake/"
# A place in a list or a search (education.views): a place in one language's order, which the other does not share.
LIST_PLACE = ("after", "before", "page")
# The public library's pages name their language in this query parameter (`language_in_address`).
LANGUAGE_PARAM = "lang"
ADDRESS_DEFAULT = "en"  # the language of an address without `lang` for a visitor who says nothing (a crawler)
# Set on the request by `language_in_address` when its answer sets the language cookie (read by `cookie_to_set`).
_COOKIE_ATTR = "language_cookie_to_set"

P = ParamSpec("P")


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIXES)


class StaffInEnglishMiddleware:
    """Staff and admin pages in English; elsewhere, a cacheable page says that the language cookie changes it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        staff = is_staff_path(request.path_info)
        if staff:
            translation.activate(STAFF_LANGUAGE)
            request.LANGUAGE_CODE = STAFF_LANGUAGE
        response = self.get_response(request)
        if not staff and "public" in response.headers.get("Cache-Control", ""):
            # The public library pages may be kept by shared caches for a few minutes: a reader who chose Spanish
            # must not be handed the English copy (LocaleMiddleware only adds Accept-Language).
            patch_vary_headers(response, ("Cookie",))
        return response


def return_path(request: HttpRequest | None) -> str:
    """The page to come back to after switching language: this one, with its query (a step opened from the review
    keeps `?return=review`) but without a place in a list (`LIST_PLACE`), except a patient link's own address, whose
    token must not travel any further. Empty where there is no switcher: staff pages, and error pages rendered
    without a request."""
    if request is None or is_staff_path(request.path_info):
        return ""
    if request.path_info.startswith(TOKEN_PATH_PREFIX):
        # Under a URL prefix (SCRIPT_NAME) the path is the prefix, then the path inside the portal.
        return request.path.removesuffix(request.path_info) + RESUME_PATH
    if not any(key in request.GET for key in (*LIST_PLACE, LANGUAGE_PARAM)):
        return request.get_full_path()
    # A later page of a list starts again in the new language (page 2 of the English order is not page 2 of the
    # Spanish one: it read "Page 2 of 3" with no Next link); the topic, the search words stay. A language named in
    # the address goes too: it would overrule the choice just made.
    kept = request.GET.copy()
    for key in (*LIST_PLACE, LANGUAGE_PARAM):
        kept.pop(key, None)
    query = kept.urlencode()
    return escape_uri_path(request.path) + (f"?{query}" if query else "")


# --- The language in the address (public library pages) -----------------------------------------------------------


def address_language(request: HttpRequest) -> str | None:
    """The language `?lang=` names, when it is one the portal speaks; None for anything else (ignored)."""
    named = request.GET.get(LANGUAGE_PARAM)
    return named if named in {code for code, _name in settings.LANGUAGES} else None


def cookie_to_set(request: HttpRequest) -> str | None:
    """The language this request's answer stores in the language cookie (`language_in_address`), or None."""
    return getattr(request, _COOKIE_ATTR, None)


def _base(language: str | None) -> str:
    return (language or "").split("-")[0].lower()


def language_in_address(
    view: Callable[Concatenate[HttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """A public library page in the language its address names (`?lang=`), kept for the next click in the cookie.

    Outermost, around the page cache (education.cache.shared_page): the cache's key reads the language active here,
    and `may_share` the cookie this answer will set (such an answer is rendered each time, and never kept)."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        language = address_language(request)
        if language is None:
            return view(request, *args, **kwargs)
        if _base(getattr(request, "LANGUAGE_CODE", None)) != language:
            # Not what this reader's next page would be in without the address (cookie, browser, default): store it.
            setattr(request, _COOKIE_ATTR, language)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = view(request, *args, **kwargs)
        if cookie_to_set(request):
            set_language_cookie(response, language)
            # Redirects too (the view marks them public): an answer with a Set-Cookie is no shared cache's to keep.
            patch_cache_control(response, private=True)
        return response

    return wrapped


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    """The language cookie LocaleMiddleware reads, with the attributes Django's set_language view gives it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Literal["Lax", "Strict", "None"] | None, settings.LANGUAGE_COOKIE_SAMESITE),
    )


@lru_cache(maxsize=16)
def _language_query(language: str) -> str:
    """`lang=<language>`, encoded once per language (the sitemap asks three times for each of 25,000 articles)."""
    return "" if language == ADDRESS_DEFAULT else urlencode({LANGUAGE_PARAM: language})


def address_in(path: str, language: str, query: str = "") -> str:
    """`path` (with `query`, already encoded, if any) as the address of its `language` version: English keeps the
    plain address, another language adds `?lang=`."""
    extra = _language_query(language)
    joined = "&".join(part for part in (query, extra) if part)
    return f"{path}?{joined}" if joined else path
