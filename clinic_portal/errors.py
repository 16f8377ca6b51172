"""Error pages that give nothing away, and a 503 instead of a 500 while the database is unreachable.

`server_error` is the project's handler500. Django calls it for any exception raised in a view or middleware, still
inside the `except` block, so it can tell a lost database (OperationalError, InterfaceError: refused, timed out, a
statement past `statement_timeout`, a connection cut by clinic_portal.db_backend.watchdog) from a bug.

Staff pages (clinic_portal.languages.STAFF_PREFIXES) are told which database error it was (`database_failure`):
"we cannot reach our records" only when the database cannot be reached (refused, cut, timed out, shut down); a
deadlock, a lock or statement timeout, a serialization failure on a database that is there says the portal was busy
and that the change sent may not have been saved, to be checked before sending it again (the failed transaction was
rolled back, but a change committed before it, or before the session's write after the view, stays saved: "nothing
was saved" would have staff do it twice); any other database error is the plain 500.
Patient pages keep the one 503 for all of them, with their answers kept and the red-flag advice.

Nothing here touches the database: the pages are rendered without the request, so no context processor, session or
user lookup can fail a second time. A patient's question page that failed with a cauda equina answer on it gets that
advice first, read from what was sent (`failed_page_advice`): docs/clinical/TRIAGE.md, a red-flag answer is answered
with its advice whatever else goes wrong. So does the emergency page itself when its own request fails just after the
red-flag page was saved (the advice owed to the browser, from the session as the request had read it).

Hook for the intake steps: when a patient's POST could not be saved because the database was down, the 503 page
carries their posted fields back as hidden inputs with a "Try again" button that re-sends the same POST to the same
address (the CSRF token included). Nothing they typed on that page is lost, and nothing was half-saved. A view that
prefers to re-render its own bound form can catch `DATABASE_ERRORS` itself and use `database_unavailable_response`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Literal, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template.loader import render_to_string

from clinic_portal.clinic import clinic_details
from clinic_portal.languages import is_staff_path

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., object])

DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:
    import psycopg
except ImportError:  # pragma: no cover - SQLite-only installs
    pass
else:
    # Django re-raises the driver's errors as its own inside its cursor and connection calls; the driver's own may
    # still escape from a call outside them. A statement past statement_timeout (QueryCanceled), a connection cut by
    # clinic_portal.db_backend.watchdog or a connect_timeout (ConnectionTimeout) are all psycopg OperationalErrors.
    DATABASE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)

# SQLSTATEs of a database that is there but could not finish this transaction now: serialization failure, deadlock,
# lock timeout (lock_timeout, NOWAIT), statement cancelled (statement_timeout). Rolled back; trying again may work.
BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})
# The server ending or refusing connections (shut down, crashed, starting up, too many connections); class 08 too.
UNREACHABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})

# Retry-After of the busy page, which says to try again in a few seconds: the database is there, and a deadlock or a
# lock passes in seconds (a statement is cut after DB_STATEMENT_TIMEOUT_MS, 4 s), not the down page's 30.
BUSY_RETRY_AFTER = 5

# Posted fields worth carrying back; the CSRF token must go back too or the retry is refused.
MAX_KEPT_FIELDS = 200


def kept_answers(request: HttpRequest) -> list[tuple[str, str]]:
    """The POSTed fields, as (name, value) pairs, to put back in the retry form. Empty for anything but a POST."""
    # Patients' answers only: a staff form (the sign-in, with its password) is simply typed again.
    if request.method != "POST" or not request.path_info.startswith("/intake/"):
        return []
    try:
        return [(name, value) for name, values in request.POST.lists() for value in values][:MAX_KEPT_FIELDS]
    except Exception:  # a body we cannot parse is not worth keeping
        return []


def failed_page_advice(request: HttpRequest) -> object | None:
    """The emergency advice for a patient's page that failed: a question page with a cauda equina answer on it, or
    any patient page (the emergency page itself) while this browser is owed one (the intake app's
    `refused_posts.advice_for_failed_page`, read from what was sent and from the session as already read), else None.
    Never raises: an error page must not fail in turn."""
    if not request.path_info.startswith("/intake/"):
        return None
    try:
        from intake.refused_posts import advice_for_failed_page  # the project's shell imports the apps lazily

        return advice_for_failed_page(request)
    except Exception as error:
        logger.warning("No advice for a failed patient page: %s", type(error).__name__)
        return None


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    context = {
        **clinic_details(),
        "kept_answers": kept_answers(request),
        "retry_path": request.path,
        "advice": failed_page_advice(request),
    }
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(settings.DATABASE_DOWN_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def connection_gone() -> bool:
    """The request's connection is closed or was never made (no round trip: the database may be down)."""
    from django.db import connection

    raw = connection.connection
    return raw is None or bool(getattr(raw, "closed", False))


def database_failure(error: BaseException) -> Literal["unreachable", "busy"] | None:
    """What a database error means for the person who met it: the database cannot be reached; it is there but busy
    (the transaction was rolled back, trying again may work); or None, an error like any other."""
    if not isinstance(error, DATABASE_ERRORS):
        return None
    if connection_gone():
        return "unreachable"
    # The driver's error, raised as it is or as the cause of Django's: its SQLSTATE, None for one of the client's
    # own (refused, cut, timed out).
    cause: BaseException | None = error
    while cause is not None and not hasattr(cause, "sqlstate"):
        cause = cause.__cause__
    if cause is None:  # no driver error to read (SQLite's carry no SQLSTATE): as before, unreachable but for a lock
        return "busy" if "database is locked" in str(error) else "unreachable"
    state = getattr(cause, "sqlstate", None)
    if state is None or state.startswith("08") or state in UNREACHABLE_SQLSTATES:
        return "unreachable"
    return "busy" if state in BUSY_SQLSTATES else None


BUSY_WORDS = "busy_page_says"  # the attribute `busy_page_says` sets on a view

# What a staff view's busy page says it could not do, when "Your change may not have been saved" (a form that changes
# something) and "This page did not load" (a page opened) would be wrong: the person's sign-in did not finish (at the
# code step, the code typed may have been taken: `sign_in_code`; at set-up, the app may be confirmed and its recovery
# codes kept, to be shown after the next sign-in: `sign_in_setup`), nor their signing out, their search, their download;
# the unlock e-mail asked for may not have been sent (`unlock_email`); the lock may not have been lifted (`unlock`: then
# the link pressed is not spent either, accounts.unlock.lift_lock, and works again).
BusyWords = Literal[
    "sign_in", "sign_in_code", "sign_in_setup", "sign_out", "search", "download", "unlock_email", "unlock"
]


def busy_page_says(words: BusyWords) -> Callable[[View], View]:
    """Marks a staff view whose busy page, once the view is posted to (a download's: opened too), says what did not
    finish in the words for what it does (`BusyWords`) rather than to check whether a change was saved. The outermost
    decorator, as the mark is read from the view the URL names."""

    def mark(view: View) -> View:
        setattr(view, BUSY_WORDS, words)
        return view

    return mark


def _busy_words(request: HttpRequest) -> str:
    """What the busy page says could not be done: "change" (a POST to an unmarked view), "load" (a page opened), or
    the view's `BusyWords` (`busy_page_says`): once posted (a sign-in step opened: its page did not load), or a
    download's, opened."""
    match = getattr(request, "resolver_match", None)
    mark = getattr(match.func, BUSY_WORDS, None) if match is not None else None
    posted = request.method == "POST"
    if mark is not None and (posted or mark == "download"):
        return str(mark)
    return "change" if posted else "load"


def database_busy_response(request: HttpRequest) -> HttpResponse:
    """A staff page whose transaction met a deadlock or a timeout: that transaction was rolled back; a change sent may
    have been saved all the same (see the module docstring), so staff check before sending it again. A page opened
    (not posted) is said only not to have loaded, a POST to a view marked `busy_page_says` says what did not finish,
    never to have changed nothing: its audit row (a search's place in the session) may have
    been kept."""
    context = {**clinic_details(), "words": _busy_words(request)}
    response = HttpResponse(render_to_string("errors/staff/busy.html", context), status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        failure = database_failure(exc) if is_staff_path(request.path_info) else "unreachable"
        if failure == "busy":
            logger.warning("Database busy on a staff page: answered 503 (%s)", _error_names(exc))
            return database_busy_response(request)
        if failure == "unreachable":
            logger.error("Database unavailable: answered 503 (%s)", type(exc).__name__)
            return database_unavailable_response(request)
    context = {**clinic_details(), "advice": failed_page_advice(request)}
    response = HttpResponseServerError(render_to_string("500.html", context))
    # As the 503's: it may name the signs a patient ticked, and a failure in a middleware outside
    # clinic_portal.middleware.NoStoreMiddleware (the session's save) never passes through it.
    response["Cache-Control"] = "no-store"
    return response


def _error_names(error: BaseException) -> str:
    """The error's class and its cause's (DeadlockDetected, QueryCanceled), never its message."""
    cause = error.__cause__
    return type(error).__name__ + (f" from {type(cause).__name__}" if cause is not None else "")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a plain explanation in the portal's style; the technical reason stays out. A
    patient's question page with a red-flag answer gets the emergency advice for it (`refused_patient_page`)."""
    try:
        answer = refused_patient_page(request, refusal="csrf")
    except Exception as error:  # the plain page, rather than an error page, for a page refused anyway
        logger.warning("Refused patient page not answered: %s", type(error).__name__)
        answer = None
    return answer or HttpResponseForbidden(render_to_string("403_csrf.html", clinic_details()))


def refused_patient_page(
    request: HttpRequest, *, refusal: Literal["rate_limit", "csrf"], retry_after: int = 0
) -> HttpResponse | None:
    """A patient's question page refused before its view (a CSRF token refused, the rate limit reached): the intake
    app's answer when the page has a red-flag answer (intake.refused_posts), else None for the plain refusal."""
    if request.method != "POST" or not request.path_info.startswith("/intake/"):
        return None
    from intake.refused_posts import answer_refused_post  # the project's shell imports the apps, not the reverse

    return answer_refused_post(request, refusal=refusal, retry_after=retry_after)
