"""Error pages that give nothing away, and a 503 instead of a 500 while the database is unreachable.

`server_error` is the project's handler500. Django calls it for any exception raised in a view or middleware, still
inside the `except` block, so it can tell a lost database (OperationalError, InterfaceError: refused, timed out, a
statement past `statement_timeout`, a connection cut by clinic_portal.db_backend.watchdog) from a bug.

Nothing here touches the database: the pages are rendered without the request, so no context processor, session or
user lookup can fail a second time. A patient's question page that failed with a cauda equina answer on it gets that
advice first, read from what was sent (`failed_page_advice`): docs/clinical/TRIAGE.md, a red-flag answer is answered
with its advice whatever else goes wrong.

Hook for the intake steps: when a patient's POST could not be saved because the database was down, the 503 page
carries their posted fields back as hidden inputs with a "Try again" button that re-sends the same POST to the same
address (the CSRF token included). Nothing they typed on that page is lost, and nothing was half-saved. A view that
prefers to re-render its own bound form can catch `DATABASE_ERRORS` itself and use `database_unavailable_response`.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template.loader import render_to_string

from clinic_portal.clinic import clinic_details

logger = logging.getLogger(__name__)

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
    """The emergency advice for a patient's question page that failed with a cauda equina answer on it (the intake
    app's `refused_posts.advice_for_failed_post`, read from what was sent), else None. Never raises: an error page
    must not fail in turn."""
    if request.method != "POST" or not request.path_info.startswith("/intake/"):
        return None
    try:
        from intake.refused_posts import advice_for_failed_post  # the project's shell imports the apps lazily

        return advice_for_failed_post(request)
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


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        logger.error("Database unavailable: answered 503 (%s)", type(exc).__name__)
        return database_unavailable_response(request)
    context = {**clinic_details(), "advice": failed_page_advice(request)}
    return HttpResponseServerError(render_to_string("500.html", context))


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
