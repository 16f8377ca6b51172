"""The language switcher's view: Django's `set_language`, guarded by where the request comes from, not by a token.

Why not a CSRF token: the switcher is on every public page, and a token in it made each of those pages personal
(a new CSRF secret and cookie for every visitor without one), so the public-page cache had to splice every reader's
token into a kept page, and each first visit paid for a new secret (issue 16). What the token guarded is small:
a page elsewhere making a visitor's browser choose a language for them. That is still refused, by what a browser
says of the request itself: `Sec-Fetch-Site` (every current browser) must be `same-origin` or `none` (typed or
bookmarked); without it, an `Origin` or a `Referer` must be this site's (or one of CSRF_TRUSTED_ORIGINS). A request
that carries none of the three comes from no browser page anyone else controls and is let through. A refusal is the
portal's CSRF page ("That form could not be sent"), and nothing changes.

Since the public library's pages may name their language in their address (`?lang=es`,
clinic_portal.languages.language_in_address), a link from anywhere to such a page sets the cookie too, as opening it
from a search result must: a page elsewhere can again choose the visitor's language, by a link they follow. What it
can change is small and shown: the words of the pages (a patient's form as well; the switcher on every page changes
it back), never an answer or the language of the invitation's messages. This view's guard still stops a choice made
without the visitor opening one of our pages.

Every other form keeps Django's CSRF token; this view is the only one exempted. On a refused question page that gave
emergency advice, the switcher also names the page and its advice, and this view answers with that page again in the
language chosen instead of the redirect (`_advice_again`, intake.advice_switch).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import check_for_language
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt

from clinic_portal.errors import csrf_failure

ALLOWED_FETCH_SITES = ("same-origin", "none")

# Sent with: request, language (as posted; the view has already checked it and set the cookie when it is one).
language_chosen = Signal()


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def from_this_site(request: HttpRequest) -> bool:
    """What the browser says of where the request was made: this site, or no other page."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.lower() in ALLOWED_FETCH_SITES
    ours = {f"{request.scheme}://{request.get_host()}".lower()}
    ours.update(origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS)
    origin = request.headers.get("Origin")
    if origin is not None:
        return _origin_of(origin) in ours  # "null" (a sandboxed frame, a hidden origin) is never ours
    referer = request.headers.get("Referer")
    return not referer or _origin_of(referer) in ours


@csrf_exempt
def set_language(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST" and not from_this_site(request):
        return csrf_failure(request, reason="language change from another site")
    response: HttpResponseBase = i18n.set_language(request)
    if request.method == "POST":
        # An app may keep the choice too (intake keeps a patient's with their invitation: intake.patient_session).
        language_chosen.send(sender=set_language, request=request, language=str(request.POST.get("language", "")))
        response = _advice_again(request, response)
    return response


def _advice_again(request: HttpRequest, redirect: HttpResponseBase) -> HttpResponseBase:
    """A switch pressed on a refused question page that gave emergency advice: that page again, in the language
    chosen, with the language cookie Django's view set (intake.advice_switch), instead of the redirect to a question
    page without the advice.

    Here, not behind a second address: this is the one view without a CSRF token, and it must stay one. The refused
    page may be refused *because* its browser keeps no CSRF cookie, so the switch cannot carry a token either; what it
    changes is what this view changes anyway (the language cookie, and a confirmed patient's invitation's language,
    `language_chosen`), under the same check of where the request comes from. The page it answers with is rendered
    from the switch's own fields and stores nothing: a request from another site that got past the check could only
    show a visitor emergency advice, and cannot make the page say anything was added to a form (advice_switch)."""
    if not request.POST.get("advice_page"):
        return redirect
    language = str(request.POST.get("language", ""))
    if not check_for_language(language):
        return redirect
    from intake.advice_switch import page_in_new_language  # the project's shell imports the apps, not the reverse

    page = page_in_new_language(request, language)
    if page is None:
        return redirect
    for cookie in redirect.cookies.values():
        page.cookies[cookie.key] = cookie
    return page
