"""A POST without a CSRF token is refused on every URL whose POST changes data; no GET changes data, and every page
sends the security headers (the checks of tests/security/test_headers.py, made on the same GETs).

Each sweep is one test over every row of url_table.py (which test_access_matrix.py holds to every URL of the project),
listing every URL that goes wrong; the world they open is built once for the module (tests/security/conftest.py).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from tests.conftest import vacuum_test_database
from tests.security.test_headers import header_problems
from tests.security.url_table import PERSONAS, ROWS, R, Row, rows_by_key, walk
from tests.security.world import Browsers, client_for

pytestmark = pytest.mark.django_db

# Tables that a page view may legitimately write: who signed in or out and from where, the audit trail of who looked
# at what, and sessions. Everything else must be exactly as it was after any GET.
LOG_TABLES = {
    "sessions.session",
    "audit.auditevent",
    "audit.eventintake",
    "axes.accesslog",
    "axes.accessattempt",
    "axes.accessfailurelog",
}


@pytest.fixture(scope="module", autouse=True)
def _no_dead_rows_under_the_snapshots(django_db_setup, django_db_blocker):
    """Each snapshot reads every table whole, dead rows too: the tests run before these in the same process (the
    starter library's loads, rolled back, leave tens of MB) are vacuumed away first (tests/conftest.py)."""
    with django_db_blocker.unblock():
        vacuum_test_database()


def poster(row: Row) -> str:
    if row.post_as:
        return row.post_as
    for persona in reversed(PERSONAS):
        if row.answer_for(persona) in (200, R, 405):
            return persona
    return "anonymous"


def snapshot() -> dict[str, object]:
    """Every row of every table (many-to-many ones too) but the log tables, as something to compare: on PostgreSQL a
    digest of each table's rows, all columns, in one query; elsewhere the rows themselves."""
    models = {
        model._meta.label_lower: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in LOG_TABLES
    }
    if connection.vendor == "postgresql":
        digest = "SELECT %s::text, count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
        query = " UNION ALL ".join(
            f"{digest} FROM {connection.ops.quote_name(model._meta.db_table)} t" for model in models.values()
        )
        with connection.cursor() as cursor:
            cursor.execute(query, list(models))
            return dict(cursor.fetchall())
    return {label: sorted(map(repr, model._base_manager.values())) for label, model in models.items()}


def changed_tables(before: dict[str, object], after: dict[str, object]) -> str:
    return ", ".join(sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label)))


STATE_CHANGING = [row for row in ROWS if row.post == "changes"]


def test_the_sweeps_cover_every_url_of_the_project():
    table = rows_by_key()
    missing = sorted(key for key, _route in walk() if key not in table)
    assert not missing, "Add a row to tests/security/url_table.py for: " + ", ".join(missing)


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing_on_every_state_changing_url(world):
    assert len(STATE_CHANGING) > 20
    wrong = []
    browsers = Browsers(world, enforce_csrf_checks=True)
    for row in STATE_CHANGING:
        url, persona = row.url(world), poster(row)
        client = browsers[persona]
        client.get(url)  # as a browser would: the page first, so a CSRF cookie exists
        before = snapshot()
        response = client.post(url, {"username": "frontdesk", "password": "correct-horse-battery"})
        refused = response.status_code == 403 and "That form could not be sent" in response.content.decode()
        changed = changed_tables(before, snapshot())
        if not refused or changed:
            wrong.append(f"{row.key} {url} as {persona}: {response.status_code}, changed: {changed or 'nothing'}")
    assert not wrong, (
        f"{len(wrong)} of {len(STATE_CHANGING)} state-changing URLs took a POST without a CSRF token:\n"
        + "\n".join(wrong)
    )


def test_the_same_post_with_its_token_goes_through(world):
    client = client_for("front_desk", world, enforce_csrf_checks=True)
    page = client.get("/staff/queue/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    response = client.post("/staff/sign-out/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_no_get_changes_data_and_every_page_sends_the_security_headers_and_private_pages_are_never_stored(world):
    """One sweep for two checks of every GET: the data it leaves, and the headers it answers with
    (tests/security/test_headers.py's header_problems). Each sweep of every URL takes seconds; this one used to be
    made twice, once for each check."""
    browsers = Browsers(world)
    for persona in {poster(row) for row in ROWS}:
        browsers[persona]  # signed in first: signing in records the sign-in time, which no GET did
    changed, bad_headers = [], []
    before = snapshot()
    for row in ROWS:
        url, persona = row.url(world), poster(row)
        problems = header_problems(url, browsers[persona].get(url))
        if problems:
            bad_headers.append(f"{row.key} {url}: {', '.join(problems)}")
        after = snapshot()  # one snapshot a URL: each one is the next URL's "before"
        if after != before:
            changed.append(f"{row.key} {url} as {persona}: changed {changed_tables(before, after)}")
            before = after
    report = (
        f"{len(changed)} of {len(ROWS)} URLs changed data on a GET:\n"
        + "\n".join(changed)
        + f"\n{len(bad_headers)} of {len(ROWS)} URLs lack security headers:\n"
        + "\n".join(bad_headers)
    )
    assert not changed + bad_headers, report
