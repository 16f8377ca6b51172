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
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.encoding import escape_uri_path

Handler = Callable[[HttpRequest], HttpResponse]

STAFF_LANGUAGE = "en"
STAFF_PREFIXES = ("/staff/", "/admin/")
# The one patient path with a token in it (intake:start answers with a redirect, or with the bad-link page).
TOKEN_PATH_PREFIX = "/intake/start/"  # noqa: S105 - a path, not a secret
RESUME_PATH = "/intake/"
# A place in a list or a search (education.views): a place in one language's order, which the other does not share.
LIST_PLACE = ("after", "before", "page")


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
    if not any(key in request.GET for key in LIST_PLACE):
        return request.get_full_path()
    # A later page of a list starts again in the new language (page 2 of the English order is not page 2 of the
    # Spanish one: it read "Page 2 of 3" with no Next link); the topic, the search words stay.
    kept = request.GET.copy()
    for key in LIST_PLACE:
        kept.pop(key, None)
    query = kept.urlencode()
    return escape_uri_path(request.path) + (f"?{query}" if query else "")
