"""Cross-cutting protections that apply to every URL, whoever wrote its view.

- TrustedProxyMiddleware: the client's address, as our own proxy saw it, for lockouts, rate limits and the audit trail.
- NoStoreMiddleware: nothing from the intake, staff or admin pages is kept by a browser or a shared cache.
- StaffSessionTimeoutMiddleware: staff are signed out after 30 idle minutes and 12 hours in all.
- RejectNulBytesMiddleware: a NUL byte in a query string gets a 400 page, not a database error.
- RateLimitMiddleware: too many requests from one address to the patient or sign-in pages (from one patient link,
  once its birth date is confirmed) get a 429 page.
- TooLargePatientPageMiddleware: a patient's question page too large for Django to read still has its red-flag
  answers taken (intake.refused_posts).

The database-down page (503 with Retry-After) is `clinic_portal.errors.server_error`, Django's handler500: an
exception raised in any middleware or view reaches it, which a middleware's process_exception would not see.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from clinic_portal.clinic import clinic_details
from clinic_portal.counter_cache import count_request
from clinic_portal.languages import is_staff_path
from clinic_portal.request_notes import leave_note

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]

# Session keys (seconds since the epoch). Set at sign-in by accounts.signals; the idle stamp is refreshed here.
SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN_AT = "portal_last_seen_at"
# Refreshing the idle stamp writes the session; once a minute is precise enough and spares a write per request.
LAST_SEEN_RESOLUTION_SECONDS = 60

NO_STORE_PREFIXES = ("/intake/", "/staff/", "/admin/")


class TrustedProxyMiddleware:
    """Use the address our TLS proxy saw (X-Forwarded-For) when settings.TRUSTED_PROXY_COUNT proxies stand in front.

    Only the entries our own proxies appended are trusted: the client can put anything at the left of the header.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = settings.TRUSTED_PROXY_COUNT
        if count > 0:
            forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            forwarded = [part for part in forwarded if part]
            if len(forwarded) >= count:
                request.META["REMOTE_ADDR"] = forwarded[-count]
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """400 for a query string carrying a NUL byte: no link of ours has one, and PostgreSQL refuses it in any text
    lookup (a 500 from whichever view passes it to a query). Posted forms keep their own validation messages."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(render_to_string("400.html", clinic_details()))
        return self.get_response(request)


@functools.cache
def _never_cache_control() -> str:
    response = HttpResponse()
    add_never_cache_headers(response)
    return str(response.headers["Cache-Control"])


def _never_cached(response: HttpResponse) -> bool:
    """The headers `add_never_cache_headers` gives are there already (`@never_cache` on the view): adding them again
    changes nothing but costs a parse of the header."""
    return response.headers.get("Cache-Control") == _never_cache_control() and "Expires" in response.headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every intake, staff and admin answer, error pages included."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(NO_STORE_PREFIXES) and not _never_cached(response):
            add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def _page_sent_from(request: HttpRequest) -> str:
    """The path (and query) of the page a form was sent from, when the browser says and it is this site's; else ""."""
    referer = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class StaffSessionTimeoutMiddleware:
    """End a signed-in session after STAFF_SESSION_IDLE_MINUTES without a request or STAFF_SESSION_MAX_HOURS in all.

    Done here rather than by cookie age alone so both limits hold whatever the browser does with its cookies.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._expired_reason(request)
            if expired:
                leave_note(request, "sign_out_reason", expired)
                logout(request)
                if request.method == "GET" and not is_staff_path(request.path_info):
                    # The library and the patient pages need no sign-in: the page, signed out (a member of staff
                    # reading an article after a break got the staff sign-in page instead).
                    return self.get_response(request)
                if request.method == "GET":
                    messages.info(request, expired)
                    return redirect_to_login(request.get_full_path())
                # A form sent after the limit: nothing of it is saved. After signing in, back to the page it was
                # sent from (a POST-only address would answer 405), with a word that it needs sending again.
                messages.info(request, f"{expired} What you sent was not saved: please enter it again.")
                return redirect_to_login(_page_sent_from(request) or settings.LOGIN_REDIRECT_URL)
        return self.get_response(request)

    @staticmethod
    def _expired_reason(request: HttpRequest) -> str | None:
        now = time.time()
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:
            # A session from before these limits existed: start its clocks now.
            session[SIGNED_IN_AT] = signed_in_at or now
            session[LAST_SEEN_AT] = now
            return None
        if now - signed_in_at > settings.STAFF_SESSION_MAX_HOURS * 3600:
            return f"You were signed out after {settings.STAFF_SESSION_MAX_HOURS} hours. Please sign in again."
        if now - last_seen_at > settings.STAFF_SESSION_IDLE_MINUTES * 60:
            return (
                f"You were signed out after {settings.STAFF_SESSION_IDLE_MINUTES} minutes without activity. "
                "Please sign in again."
            )
        if now - last_seen_at >= LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_AT] = now
        return None


def staff_seconds_left(session: Any, *, now: float | None = None) -> int | None:
    """How long a signed-in session has before StaffSessionTimeoutMiddleware ends it with no further request: the
    idle limit from the last request it noted, or the limit in all, whichever comes first (None before the clocks
    start)."""
    now = time.time() if now is None else now
    signed_in_at, last_seen_at = session.get(SIGNED_IN_AT), session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        return None
    idle_end = last_seen_at + settings.STAFF_SESSION_IDLE_MINUTES * 60
    hard_end = signed_in_at + settings.STAFF_SESSION_MAX_HOURS * 3600
    return max(0, int(min(idle_end, hard_end) - now))


def mark_seen(session: Any) -> None:
    """The person is here (they said so): the idle clock starts again now, not at the next minute's stamp."""
    session[LAST_SEEN_AT] = time.time()


def rate_limit_rule(path: str, method: str) -> dict[str, Any] | None:
    for rule in settings.RATE_LIMITS:
        if path.startswith(rule["prefix"]) and method in rule["methods"]:
            return rule
    return None


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, -(-retry_after // 60))
    context = {"minutes": minutes, **clinic_details()}
    response = HttpResponse(render_to_string("429.html", context, request=request), status=429)
    response["Retry-After"] = str(retry_after)
    return response


RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.cache
def parse_rate(rate: str) -> tuple[int, int]:
    """django-ratelimit's rate notation: "300/10m" is 300 requests per 600 seconds (units s, m, h, d)."""
    count, _, period = rate.partition("/")
    multiple, unit = period[:-1] or "1", period[-1]
    return int(count), int(multiple) * RATE_UNITS[unit]


def requester(request: HttpRequest) -> str:
    """Who is counted before a patient link is confirmed: django-ratelimit's "user_or_ip" (the signed-in account,
    else the client's address, IPv6 by its /64)."""
    from django_ratelimit.core import user_or_ip

    return f"who:{user_or_ip(request)}"


def counter_key(group: str, who: str) -> str:
    """The counter's name in its table: a digest, so no address or link is stored there."""
    return "rl:" + hashlib.sha256(f"{group}|{who}".encode()).hexdigest()


def confirmed_patient_link(request: HttpRequest) -> str | None:
    """The invitation whose birth date this browser has confirmed (intake.patient_session), as a counter key."""
    from intake.patient_session import SESSION_KEY

    session = getattr(request, "session", None)
    state = session.get(SESSION_KEY) if session is not None else None
    if isinstance(state, dict) and state.get("confirmed") is True and state.get("invitation") is not None:
        return str(state["invitation"])
    return None


def database_unreachable(error: Exception) -> bool:
    """A database error that left no usable connection (refused, timed out, cut), as opposed to a missing table."""
    from clinic_portal.errors import DATABASE_ERRORS, connection_gone

    return isinstance(error, DATABASE_ERRORS) and connection_gone()


class RateLimitMiddleware:
    """Count requests per address (per account once signed in) on the paths in settings.RATE_LIMITS.

    A middleware keyed on path prefixes, so the limits cover every intake and sign-in view without touching them. A
    rule with a `patient_rate` counts a patient who has passed the birth-date check per link instead of per address,
    so many patients behind one address (clinic Wi-Fi, a mobile carrier) do not use up each other's allowance, and
    only on the rule's `patient_methods` when it names some (the intake rule: their posts, what they store and the
    alerts it can send).

    Each request is counted in one statement (`CounterCache.hit`: start the counter or add one, and say how long it
    has left), where django-ratelimit's `get_usage` asks its cache to add and then to increment: two on every
    patient page (issue 16). Rates are written as django-ratelimit's, and who is counted is its "user_or_ip".
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rule = rate_limit_rule(request.path_info, request.method or "GET")
        if rule is not None and settings.RATELIMIT_ENABLE:
            limited, retry_after = self._check(request, rule)
            if limited:
                logger.warning("Rate limit reached on %s", rule["prefix"])
                from clinic_portal.errors import refused_patient_page

                # A patient's page with a red-flag answer still has it taken (intake.refused_posts).
                answer = refused_patient_page(request, refusal="rate_limit", retry_after=retry_after)
                return answer or too_many_requests(request, retry_after)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest, rule: dict[str, Any]) -> tuple[bool, int]:
        try:
            link = confirmed_patient_link(request) if "patient_rate" in rule else None
            if link is not None and request.method not in rule.get("patient_methods", rule["methods"]):
                return False, 0  # a confirmed patient opening their own pages (settings.RATE_LIMITS)
            if link is not None:
                # Past the birth-date check: this patient's own count, whoever else shares their address.
                group, who, rate = f"portal:{rule['prefix']}:link", f"link:{link}", rule["patient_rate"]
            else:
                group, who, rate = f"portal:{rule['prefix']}", requester(request), rule["rate"]
            limit, seconds = parse_rate(rate)
            count, seconds_left = count_request(caches[settings.RATELIMIT_USE_CACHE], counter_key(group, who), seconds)
        except Exception as error:
            if database_unreachable(error):
                # No page works without the database: the 503 page now (clinic_portal.errors), rather than a second
                # wait for a connection in the view, or a 429 on the sign-in page.
                raise
            # The counter's table cannot be read. Which way to fail is decided per rule (see settings).
            logger.exception("Rate-limit counter unavailable on %s", rule["prefix"])
            return (not rule["fail_open"]), 60
        return count > limit, max(1, seconds_left)


class TooLargePatientPageMiddleware:
    """A patient's question page whose form Django refuses to read (over DATA_UPLOAD_MAX_MEMORY_SIZE or
    DATA_UPLOAD_MAX_NUMBER_FIELDS) with a red-flag answer on it: the answer is taken and the advice given
    (intake.refused_posts.answer_too_large); any other such request goes on to its plain 400.

    Why a middleware: the first to read request.POST is CsrfViewMiddleware.process_view, which runs after every
    middleware's __call__ and turns the error into the 400 before any view or CSRF failure view is reached; a
    middleware sees the request first and only has to look at intake POSTs. A request class of our own (a custom
    WSGIHandler) would change how every request of the project is read, for one page's sake. It sits after
    RateLimitMiddleware so such a post is counted (and refused there first when over the limit, where the same
    red-flag answers are taken), and before CsrfViewMiddleware.process_view: the refused page checks the token
    itself, read from the body with the answers.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path_info.startswith("/intake/"):
            from intake.refused_posts import answer_too_large  # the project's shell imports the apps, not the reverse

            answer = answer_too_large(request)
            if answer is not None:
                return answer
        return self.get_response(request)
