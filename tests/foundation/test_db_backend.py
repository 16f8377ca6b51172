"""The portal's PostgreSQL backend (clinic_portal/db_backend): the health check before a request's first query costs
no round trip on a quiet kept connection, yet a connection its server ended (a restart, a crash,
`pg_terminate_backend`) is still replaced before it is used; and the statements every request sends are prepared
once per connection, without changing what pages show.

The health-check tests open their own connections (Django's wrapper, as a request's would be) beside the test's own.
"""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from clinic_portal.db_backend import prepared_cursor
from tests.education.factories import ArticleFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="the portal's PostgreSQL backend"),
]


@pytest.fixture
def kept() -> Iterator[Any]:
    """A kept connection as a request finds it: open, idle, health checks on and not yet done this request."""
    wrapper: Any = connections.create_connection("default")  # (the health-check flags are not in Django's stubs)
    wrapper.ensure_connection()
    wrapper.health_check_enabled = True
    wrapper.health_check_done = False
    yield wrapper
    wrapper.close()


@pytest.fixture
def observer() -> Iterator[BaseDatabaseWrapper]:
    """A second connection that looks at the first from the server's side (outside the test's transaction)."""
    wrapper = connections.create_connection("default")
    yield wrapper
    wrapper.close()


def last_statement(observer: BaseDatabaseWrapper, pid: int) -> str:
    with observer.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return str(cursor.fetchone()[0])


def test_a_quiet_kept_connection_is_used_without_a_select_1_first(kept, observer):
    with kept.cursor() as cursor:
        cursor.execute("SELECT 'the request before'")
    kept.health_check_done = False  # the next request begins

    kept.close_if_health_check_failed()

    assert kept.connection is not None
    assert last_statement(observer, kept.connection.info.backend_pid) == "SELECT 'the request before'"
    with kept.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def test_a_connection_after_an_error_is_checked_by_a_select_1(kept, observer):
    kept.errors_occurred = True

    kept.close_if_unusable_or_obsolete()

    assert kept.connection is not None
    assert last_statement(observer, kept.connection.info.backend_pid) == "SELECT 1"


def test_a_connection_its_server_ended_is_replaced_before_the_requests_first_query(kept, observer):
    ended = kept.connection
    pid = ended.info.backend_pid
    with observer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    # The server's notice and the end of the stream reach the socket (at once here; waited for, not timed).
    deadline = time.monotonic() + 10
    while not select.select([ended.fileno()], [], [], 0.05)[0] and time.monotonic() < deadline:
        pass

    kept.close_if_health_check_failed()

    assert kept.connection is None  # dropped, so the query below opens a new one instead of failing the page
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def prepared_statements() -> list[str]:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_article_page_and_the_session_are_read_by_statements_prepared_once(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    article = ArticleFactory.create(title="Sciatica basics", slug="sciatica-basics", body="Walk a little every day.")
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"  # read on every page that looks at it
    pages = [client.get(f"/articles/{article.slug}/").content.decode() for _ in range(3)]

    assert all("Walk a little every day." in page for page in pages)
    assert pages[0] == pages[2]
    prepared = prepared_statements()
    assert sum("education_article" in statement and "slug = $" in statement for statement in prepared) == 1
    assert sum("django_session" in statement for statement in prepared) == 1


def test_no_statement_is_prepared_when_the_deployment_says_so(settings):
    settings.DB_PREPARED_STATEMENTS = False  # e.g. behind a pooler that cannot keep them
    wrapper = connections.create_connection("default")
    try:
        for _ in range(3):
            with prepared_cursor(wrapper) as cursor:
                cursor.execute("SELECT session_data FROM django_session WHERE session_key = %s", ["no-such-session"])
                assert cursor.fetchall() == []
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone() == (0,)
    finally:
        wrapper.close()
