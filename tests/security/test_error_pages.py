"""Error pages in the portal's style that give nothing away; a lost database answers 503 with Retry-After."""

from __future__ import annotations

import logging
from unittest import mock

import psycopg
import pytest
from django.core.cache import caches
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponseRedirect
from django.test import Client
from django.urls import path

from clinic_portal.middleware import database_unreachable
from clinic_portal.urls import handler500
from clinic_portal.urls import urlpatterns as project_urlpatterns
from tests.security.conftest import sign_in_with_password, totp_code
from tests.security.failing_urls import MARKER_IN_ERROR

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(settings):
    settings.ROOT_URLCONF = "tests.security.failing_urls"
    return Client(raise_request_exception=False)


def test_a_crash_shows_a_plain_500_page_without_details(failing):
    response = failing.post("/staff/test-crash/", {"answer": "private words"})
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "private words" not in html
    assert "Traceback" not in html
    assert "ValueError" not in html
    assert "tel:911" in html


def test_a_crash_on_a_patient_page_logs_the_error_type_and_place_but_not_the_message(failing, caplog):
    caplog.set_level(logging.DEBUG)
    failing.post("/intake/test-crash/", {"answer": MARKER_IN_ERROR})
    assert "ValueError" in caplog.text
    assert "failing_urls.py" in caplog.text
    assert MARKER_IN_ERROR not in caplog.text


def test_the_database_being_down_gives_503_with_retry_after_and_a_clear_message(failing, settings):
    response = failing.get("/test-database-gone/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(settings.DATABASE_DOWN_RETRY_AFTER)
    html = response.content.decode()
    assert "busy for a moment" in html
    assert "steps you already finished are saved" in html
    assert "Connection refused" not in html


def test_a_patient_step_posted_while_the_database_is_down_keeps_the_answers_for_a_retry(failing):
    response = failing.post(
        "/intake/test-database-gone/", {"csrfmiddlewaretoken": "tok", "pain_now": "7", "notes": "left leg <b>"}
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "Your answers on this page were not lost" in html
    assert '<form method="post" action="/intake/test-database-gone/">' in html
    assert '<input type="hidden" name="pain_now" value="7">' in html
    # Escaped, never injected.
    assert '<input type="hidden" name="notes" value="left leg &lt;b&gt;">' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok">' in html


def test_an_unknown_page_gets_a_friendly_404_that_does_not_repeat_the_address(client):
    response = client.get("/no-such-page-ZZTOKEN/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert "ZZTOKEN" not in html


def test_intake_link_tokens_are_kept_out_of_the_not_found_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/intake/start/SECRET-TOKEN-abc123/")
    assert "SECRET-TOKEN-abc123" not in caplog.text


def test_a_forbidden_page_explains_itself(client, editor):
    client.force_login(editor)
    response = client.get("/staff/queue/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


@pytest.mark.parametrize(
    "template", ["400.html", "403.html", "404.html", "429.html", "500.html", "503.html", "errors/staff/busy.html"]
)
def test_error_pages_have_no_inline_script_or_style(template):
    from django.template.loader import render_to_string

    html = render_to_string(template, {"clinic_phone": "1", "emergency_number": "911", "minutes": 5})
    assert "<style" not in html
    assert " style=" not in html
    assert "<script>" not in html
    assert "{{" not in html


# The driver's own errors, as they come from a connection cut by clinic_portal.db_backend.watchdog, a statement past
# statement_timeout, or a connect timeout; whether Django re-raised them as its own or not.
DRIVER_ERRORS = [
    (psycopg.OperationalError, "consuming input failed: server closed the connection unexpectedly"),
    (psycopg.errors.QueryCanceled, "canceling statement due to statement timeout"),
    (psycopg.errors.ConnectionTimeout, "connection timeout expired"),
    (psycopg.errors.DeadlockDetected, "deadlock detected"),  # a patient's page: the same 503, answers kept
]
_to_raise: list[BaseException] = []


def _raises(request):
    raise _to_raise[-1]


def _saves_then_times_out(request):
    # A staff change on a database that is there but busy: a real statement cut by statement_timeout, after a row
    # was written in the same transaction.
    from education.models import Topic

    with transaction.atomic():
        Topic.objects.create(name="Written before the timeout", slug="written-before-the-timeout")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")


def _views_then_times_out(request):
    # A staff page that only reads, as the intake page does: it writes its audit row (autocommit, kept), then a later
    # statement is cut by statement_timeout before the page is made.
    from audit import services as audit

    audit.record("viewed_outcome_report", request=request, detail="read before the timeout")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")


def _saves_then_notes_the_session(request):
    # A staff change committed by the view; the session changed too (as StaffSessionTimeoutMiddleware notes the last
    # request), so SessionMiddleware writes it after the view has returned.
    from education.models import Topic

    Topic.objects.create(name="Saved by the view", slug="saved-by-the-view")
    request.session["noted"] = True
    return HttpResponseRedirect("/staff/queue/")


# This module is also the URL conf of the tests below: the project's URLs plus a patient step and staff pages that
# raise.
urlpatterns = [
    path("intake/test-raises/", _raises),
    path("staff/test-raises/", _raises),
    path("staff/test-times-out/", _saves_then_times_out),
    path("staff/test-saves-then-session-times-out/", _saves_then_notes_the_session),
    path("staff/test-views-then-times-out/", _views_then_times_out),
    *project_urlpatterns,
]
__all__ = ["handler500", "urlpatterns"]


@pytest.mark.parametrize(("error_class", "message"), DRIVER_ERRORS)
@pytest.mark.parametrize("wrapped_by_django", [True, False])
def test_a_cut_or_timed_out_database_connection_answers_503_with_the_answers_kept(
    settings, error_class, message, wrapped_by_django
):
    settings.ROOT_URLCONF = __name__
    error: BaseException = error_class(message)
    if wrapped_by_django:
        error = OperationalError(message)
        error.__cause__ = error_class(message)
    _to_raise.append(error)
    response = Client(raise_request_exception=False).post(
        "/intake/test-raises/", {"csrfmiddlewaretoken": "tok", "pain_now": "7"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(settings.DATABASE_DOWN_RETRY_AFTER)
    html = response.content.decode()
    assert '<input type="hidden" name="pain_now" value="7">' in html
    assert message not in html


def test_a_database_that_cannot_be_reached_is_not_mistaken_for_a_broken_rate_limit_counter():
    class Closed:
        closed = True

    with mock.patch.object(connection, "connection", None):
        assert database_unreachable(OperationalError("connection refused"))
    with mock.patch.object(connection, "connection", Closed()):
        assert database_unreachable(OperationalError("server closed the connection unexpectedly"))
    # A connection still open: a statement timed out, or the counter's table is missing. The rule decides.
    connection.ensure_connection()
    assert not database_unreachable(OperationalError("canceling statement due to statement timeout"))
    assert not database_unreachable(DatabaseError("cache table missing"))
    assert not database_unreachable(ValueError("not a database error"))


def test_with_rate_limits_on_an_unreachable_database_answers_503_at_once_not_429(rate_limits_on):
    # The counter is the first to find the database gone. Before, patient pages went on to the view (a second wait
    # for a connection when the server is frozen) and the sign-in page, a fail-closed rule, answered 429 to everyone.
    counter = mock.patch.object(type(caches["ratelimit"]), "hit", side_effect=OperationalError("timeout expired"))
    client = Client(raise_request_exception=False)
    with counter, mock.patch("clinic_portal.middleware.database_unreachable", return_value=True):
        step = client.post("/intake/step/safety/", {"csrfmiddlewaretoken": "tok", "pain_now": "7"})
        sign_in = client.post("/staff/sign-in/", {"username": "frontdesk", "password": "correct-horse-battery"})
    assert step.status_code == 503
    assert '<input type="hidden" name="pain_now" value="7">' in step.content.decode()
    assert sign_in.status_code == 503


# --- A staff page's database error says what happened --------------------------------------------------------------


def _staff_page_raising(settings, error: BaseException, *, method: str = "post"):
    settings.ROOT_URLCONF = __name__
    _to_raise.append(error)
    client = Client(raise_request_exception=False)
    return getattr(client, method)("/staff/test-raises/")


def _wrapped(error: BaseException) -> OperationalError:
    """As Django raises the driver's error from its cursor."""
    wrapper = OperationalError(*error.args)
    wrapper.__cause__ = error
    return wrapper


def test_a_staff_change_whose_statement_times_out_says_the_portal_was_busy_and_to_check_before_sending_again(settings):
    from education.models import Topic

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).post("/staff/test-times-out/")
    html = response.content.decode()
    assert response.status_code == 503
    assert "Your change may not have been saved" in html
    assert "busy" in html
    assert "check whether your change is there" in html
    # Not the words for a database that cannot be reached, nor the patient's visit form.
    assert "cannot reach our records" not in html
    assert "visit form" not in html
    assert not Topic.objects.filter(slug="written-before-the-timeout").exists()


BUSY = [
    psycopg.errors.DeadlockDetected("deadlock detected"),
    psycopg.errors.SerializationFailure("could not serialize access due to concurrent update"),
    psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
    psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
]


@pytest.mark.parametrize("error", BUSY, ids=lambda error: type(error).__name__)
@pytest.mark.parametrize("wrapped_by_django", [True, False])
def test_a_deadlock_or_a_timeout_on_a_staff_page_says_busy_not_unreachable(settings, error, wrapped_by_django):
    response = _staff_page_raising(settings, _wrapped(error) if wrapped_by_django else error)
    html = response.content.decode()
    assert response.status_code == 503
    assert "Your change may not have been saved" in html
    assert "cannot reach our records" not in html
    assert error.args[0] not in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_busy_page_asks_to_come_back_in_a_few_seconds_and_is_not_kept(settings, method):
    """The page says to try again in a few seconds: a deadlock or a lock passes in seconds (a statement is cut after
    4 s), so Retry-After is a few seconds, where an unreachable database asks for DATABASE_DOWN_RETRY_AFTER."""
    response = _staff_page_raising(settings, _wrapped(psycopg.errors.DeadlockDetected("deadlock")), method=method)
    assert response.status_code == 503
    assert 0 < int(response.headers["Retry-After"]) <= 10
    assert "no-store" in response.headers["Cache-Control"]


def test_a_locked_sqlite_database_on_a_staff_page_says_busy(settings):
    """`make run`'s SQLite: a writer that waited out the busy timeout ("database is locked"), no SQLSTATE to read."""
    response = _staff_page_raising(settings, OperationalError("database is locked"))
    assert response.status_code == 503
    assert "Your change may not have been saved" in response.content.decode()


def test_a_staff_change_saved_before_the_portal_was_busy_is_not_said_to_be_unsaved(settings, clinician):
    """The database can be busy after the view's change was committed: here the session's write, which Django makes
    after the view returned. Told "Nothing was saved, send it again", staff would do it twice (a second new link
    ends the first, a second call attempt is recorded)."""
    from education.models import Topic

    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    timeout = _wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    with mock.patch("clinic_portal.session_store.SessionStore.save", side_effect=timeout):
        response = client.post("/staff/test-saves-then-session-times-out/")
    html = response.content.decode()
    assert Topic.objects.filter(slug="saved-by-the-view").exists()
    assert response.status_code == 503
    assert "Nothing was saved" not in html
    assert "was not saved" not in html
    assert "check" in html.lower()  # whether the change is there, before sending it again


def test_a_staff_page_that_only_reads_and_meets_a_deadlock_says_busy_without_speaking_of_a_change(settings):
    response = _staff_page_raising(settings, _wrapped(psycopg.errors.DeadlockDetected("deadlock")), method="get")
    html = response.content.decode()
    assert response.status_code == 503
    assert "busy" in html
    assert "Your change" not in html
    assert "cannot reach our records" not in html


def test_a_staff_page_that_times_out_while_loading_says_it_did_not_load_and_to_try_again_in_a_few_seconds(
    settings, clinician
):
    """Opening a page changes nothing the person asked for, so "Nothing was changed" only puzzled them; and the page's
    audit row, written before the timeout, stays: the trail shows the attempt."""
    from audit.models import AuditEvent

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    response = client.get("/staff/test-views-then-times-out/")
    html = response.content.decode()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "no-store" in response.headers["Cache-Control"]
    assert "This page did not load" in html
    assert "could not load this page" in html
    assert "try again in a few seconds" in html
    assert "Nothing was changed" not in html
    assert "saved" not in html
    assert AuditEvent.objects.filter(detail="read before the timeout").exists()


# Staff POSTs that change nothing to check before sending them again (a search, a sign-in): the busy page asks to try
# again, as for a page opened. Each with what in it meets the busy database.
SENT_AGAIN_WITHOUT_HARM = [
    ("/staff/queue/search/", {"name": "delga"}, "clinician", "dashboard.views.audit.record"),
    ("/staff/invitations/", {"find": "Quill"}, "front_desk", "intake.staff_views.selectors.recent_invitations"),
    ("/staff/sign-in/", {"username": "frontdesk", "password": "wrong"}, None, "accounts.views.SignInForm.is_valid"),
]


@pytest.mark.parametrize(
    ("url", "data", "persona", "busy_part"), SENT_AGAIN_WITHOUT_HARM, ids=["queue-search", "find", "sign-in"]
)
def test_a_search_or_a_sign_in_met_by_a_busy_database_asks_to_try_again_without_speaking_of_a_change(
    request, url, data, persona, busy_part
):
    """ "Your change may not have been saved ... check whether your change is there" made no sense for a search or a
    sign-in: nothing to check, and sending it again does no harm."""
    client = Client(raise_request_exception=False)
    if persona:
        client.force_login(request.getfixturevalue(persona))
    timeout = _wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    with mock.patch(busy_part, side_effect=timeout):
        response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again in a few seconds" in html
    assert "Your change" not in html
    assert "check whether" not in html


def _timeout() -> OperationalError:
    return _wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))


def _first_sign_in_code(client) -> str:
    """The password step of someone with no authenticator yet, and the code their newly scanned app shows."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in_with_password(client, "clinician")
    assert client.get("/staff/sign-in/set-up/").status_code == 200
    return totp_code(TOTPDevice.objects.get(confirmed=False))


@pytest.mark.parametrize("step", ["code", "set-up"])
def test_a_sign_in_code_met_by_a_busy_database_says_the_sign_in_did_not_finish_not_your_change(
    request, clinician, step
):
    """The code step (and the first one, at set-up) met a busy database after the code was checked: the page said
    "Your change may not have been saved ... check whether your change is there", words for a form that changes
    something. The person is not signed in, and the code they typed has been taken: typed again, it is refused as
    wrong (and counts towards the lockout)."""
    client = Client(raise_request_exception=False)
    if step == "code":
        sign_in_with_password(client, "clinician")
        code = totp_code(request.getfixturevalue("authenticator"))
    else:
        code = _first_sign_in_code(client)
    with mock.patch("accounts.views.auth_login", side_effect=_timeout()):
        response = client.post(f"/staff/sign-in/{step}/", {"code": code})
    html = response.content.decode()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "We could not sign you in just now" in html
    assert "with the next code your app shows" in html
    if step == "code":
        assert "A recovery code you typed may have been used up" in html
    assert "your change" not in html.lower()
    assert "check whether" not in html
    assert "did not load" not in html
    assert "_auth_user_id" not in client.session
    if step == "code":  # as the page says: the code typed is not taken a second time
        again = client.post("/staff/sign-in/code/", {"code": code})
        assert "That code did not work" in again.content.decode()


def test_the_first_sign_in_code_met_by_a_busy_database_says_the_app_may_be_set_up_and_the_codes_come_after(clinician):
    """At set-up the code was checked, the app confirmed and the recovery codes made before signing in met the busy
    database. The page spoke of "a recovery code you typed" (set-up has none) and not of the app being set up
    already: sent again, the set-up page sends the person to the code step. The recovery codes are shown after that
    sign-in (accounts.models.UnsavedRecoveryCodes), and the page says so."""
    client = Client(raise_request_exception=False)
    code = _first_sign_in_code(client)
    with mock.patch("accounts.views.auth_login", side_effect=_timeout()):
        response = client.post("/staff/sign-in/set-up/", {"code": code})
    html = response.content.decode()
    assert response.status_code == 503
    assert "We could not sign you in just now" in html
    assert "recovery code you typed" not in html
    assert "Your authenticator app may be set up already" in html
    assert "your recovery codes are shown once you are signed in" in html

    again = client.post("/staff/sign-in/set-up/", {"code": code})  # as the page says: it is set up already
    assert again["Location"] == "/staff/sign-in/code/"


def test_the_password_step_met_by_a_busy_database_says_the_sign_in_did_not_finish(clinician):
    """It said "This page did not load": the sign-in page had loaded; it was the sign-in that did not finish."""
    client = Client(raise_request_exception=False)
    with mock.patch("accounts.views.SignInForm.is_valid", side_effect=_timeout()):
        response = sign_in_with_password(client, "clinician")
    html = response.content.decode()
    assert response.status_code == 503
    assert "We could not sign you in just now" in html
    assert "try again in a few seconds" in html
    assert "did not load" not in html
    assert "your change" not in html.lower()
    assert "next code" not in html  # no code was typed


def test_signing_out_met_by_a_busy_database_says_the_person_may_still_be_signed_in(client, front_desk):
    """Signing out is not a change to check for on a page: on a shared computer, the person must not walk away
    believing they are signed out."""
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    with mock.patch("django.contrib.auth.views.auth_logout", side_effect=_timeout()):
        response = client.post("/staff/sign-out/")
    html = response.content.decode()
    assert response.status_code == 503
    assert "You may still be signed in" in html
    assert "sign out again" in html
    assert "your change" not in html.lower()
    assert client.get("/staff/queue/").status_code == 200  # as the page says: still signed in


def test_signing_out_of_the_admin_met_by_a_busy_database_says_the_person_may_still_be_signed_in(administrator):
    """The admin's "Log out", as the staff pages' "Sign out"."""
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    with mock.patch("django.contrib.auth.views.auth_logout", side_effect=_timeout()):
        response = client.post("/admin/logout/")
    html = response.content.decode()
    assert response.status_code == 503
    assert "You may still be signed in" in html
    assert "your change" not in html.lower()


@pytest.mark.parametrize(
    ("url", "data", "persona", "busy_part"), SENT_AGAIN_WITHOUT_HARM[:2], ids=["queue-search", "find"]
)
def test_a_search_met_by_a_busy_database_says_the_search_did_not_finish(request, url, data, persona, busy_part):
    """It said "This page did not load ... could not load this page", of a page already there with its search box."""
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(persona))
    with mock.patch(busy_part, side_effect=_timeout()):
        response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 503
    assert "Your search did not finish" in html
    assert "try again in a few seconds" in html
    assert "did not load" not in html
    assert "your change" not in html.lower()


def test_asking_for_an_unlock_link_met_by_a_busy_database_says_the_email_may_not_have_been_sent(front_desk):
    """A locked-out person asking for the e-mailed link has no page to check for a change: they wait for the e-mail."""
    client = Client(raise_request_exception=False)
    with mock.patch("accounts.views.unlock.ask_for_link", side_effect=_timeout()):
        response = client.post("/staff/sign-in/unlock/", {"username": "frontdesk"})
    html = response.content.decode()
    assert response.status_code == 503
    assert "The unlock e-mail may not have been sent" in html
    assert "ask for it again" in html
    assert "your change" not in html.lower()


def test_unlocking_with_the_link_met_by_a_busy_database_says_sign_in_may_still_be_locked(front_desk):
    """The database was busy before the failed sign-ins were cleared: the person is still locked out, and the link is
    not spent (one transaction with the lock lifted), so the page says to press it again. "Check whether your change
    is there" left them to find out; "ask for a new unlock link" sent them for a link they did not need."""
    from django.conf import settings

    from accounts import unlock

    client = Client(raise_request_exception=False)
    path = unlock.link_for(front_desk).removeprefix(settings.SITE_URL)
    with mock.patch("accounts.unlock.reset_failures", side_effect=_timeout()):
        response = client.post(path)
    html = response.content.decode()
    assert response.status_code == 503
    assert "Sign-in may not be unlocked yet" in html
    assert "open the link in the e-mail again and press its button" in html
    assert "your change" not in html.lower()
    assert unlock.user_for_link(*path.strip("/").split("/")[-2:]) == front_desk  # as the page says: it still works


@pytest.mark.parametrize(
    ("url", "busy_part"),
    [
        ("/staff/queue/export.csv", "dashboard.views.audit.record"),
        ("/staff/intakes/1/fhir/", "outcomes.views.exports.intake_for_export"),
    ],
    ids=["queue-csv", "fhir-bundle"],
)
def test_a_download_met_by_a_busy_database_says_the_download_did_not_start(clinician, url, busy_part):
    """A download's link leaves the page where it is; the busy page said "This page did not load" of the file."""
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    with mock.patch(busy_part, side_effect=_timeout()):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 503
    assert "The download did not start" in html
    assert "try again in a few seconds" in html
    assert "did not load" not in html
    assert "your change" not in html.lower()


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(psycopg.OperationalError("connection to server at 127.0.0.1 failed: Connection refused")),
        _wrapped(psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")),
        _wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")),
        OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
    ],
    ids=["refused", "cut", "shut-down", "no-driver-error"],
)
def test_a_staff_page_whose_database_cannot_be_reached_still_says_so(settings, error):
    response = _staff_page_raising(settings, error)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(settings.DATABASE_DOWN_RETRY_AFTER)
    assert "cannot reach our records" in response.content.decode()


def test_a_deadlock_reported_on_a_connection_that_is_gone_is_an_unreachable_database(settings):
    with mock.patch.object(connection, "connection", None):
        response = _staff_page_raising(settings, _wrapped(psycopg.errors.DeadlockDetected("deadlock")))
    assert response.status_code == 503
    assert "cannot reach our records" in response.content.decode()


@pytest.mark.parametrize(
    "error",
    [IntegrityError("duplicate key value"), _wrapped(psycopg.errors.DiskFull("could not extend file"))],
    ids=["integrity", "disk-full"],
)
def test_any_other_database_error_on_a_staff_page_is_the_plain_500(settings, error):
    response = _staff_page_raising(settings, error)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "cannot reach our records" not in html
