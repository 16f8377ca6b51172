"""The rate-limit counters (clinic_portal/counter_cache.py): one statement per count, in their shared table."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic_portal.counter_cache import count_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters():
    cache = caches["ratelimit"]
    cache.clear()
    yield cache
    cache.clear()


def test_a_new_counter_is_added_once_then_counted_up(counters):
    assert counters.add("tries", 1, 60) is True
    assert counters.add("tries", 1, 60) is False  # a live counter is left alone
    assert counters.incr("tries") == 2
    assert counters.incr("tries", 3) == 5
    assert counters.get("tries") == 5
    assert counters.decr("tries") == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL; SQLite keeps Django's own")
def test_each_count_is_one_statement_and_never_counts_the_table(counters):
    counters.add("tries", 1, 60)
    with CaptureQueriesContext(connection) as queries:
        assert counters.add("tries", 1, 60) is False
        assert counters.incr("tries") == 2
    assert len(queries) == 2
    assert not [query for query in queries if "COUNT(" in query["sql"].upper()]


def test_an_expired_counter_starts_again_from_its_first_value(counters):
    assert counters.add("tries", 7, 0) is True  # a timeout of 0 has expired already
    assert counters.get("tries") is None
    assert counters.add("tries", 1, 60) is True
    assert counters.incr("tries") == 2


def test_counting_a_missing_counter_is_an_error_as_in_every_django_cache(counters):
    with pytest.raises(ValueError, match="not found"):
        counters.incr("never-added")


def test_other_values_are_kept_as_by_the_database_cache(counters):
    counters.set("settings", {"limit": 20}, 60)
    assert counters.get("settings") == {"limit": 20}
    assert counters.add("settings", {"limit": 30}, 60) is False
    counters.set("plain", 4, 60)  # a number put there by set() (pickled) still counts up
    assert counters.incr("plain") == 5
    assert counters.get_many(["plain", "settings", "missing"]) == {"plain": 5, "settings": {"limit": 20}}
    counters.delete("plain")
    assert counters.get("plain") is None


def test_a_request_is_counted_by_hit_starting_at_one_and_saying_the_seconds_left(counters):
    assert counters.hit("page", 600) == (1, 600)
    count, seconds_left = counters.hit("page", 600)
    assert count == 2
    assert 595 <= seconds_left <= 600  # the counter's own expiry, not a new one
    assert counters.get("page") == 2


def test_hit_starts_an_expired_counter_again(counters):
    assert counters.add("page", 41, 0) is True  # expired already
    assert counters.hit("page", 60)[0] == 1
    counters.set("page", {"not": "a count"}, 60)  # a value that is not a count is replaced by one
    assert counters.hit("page", 60)[0] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL; SQLite adds then counts")
def test_a_patient_page_counts_its_request_in_one_statement(counters, client, settings):
    """The rate limit's share of a patient page: one statement (django-ratelimit's add then incr took two)."""
    settings.RATELIMIT_ENABLE = True
    client.get("/intake/start/not-a-real-token/")  # the counter exists from here on
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/intake/start/not-a-real-token/").status_code != 429
    counts = [query for query in queries if "portal_ratelimit_cache" in query["sql"]]
    assert len(counts) == 1
    assert "ON CONFLICT" in counts[0]["sql"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time and counts in two steps")
def test_requests_counted_at_the_same_instant_on_many_connections_are_each_counted_once():
    """Six workers' connections start one counter at once and count on it: every request gets a count of its own."""
    caches["ratelimit"].clear()
    barrier = threading.Barrier(6)
    counts: list[int] = []
    errors: list[Exception] = []

    def count_twenty() -> None:
        try:
            barrier.wait()
            counts.extend(count_request(caches["ratelimit"], "busy", 600)[0] for _ in range(20))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=count_twenty) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(counts) == list(range(1, 121))
    caches["ratelimit"].clear()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no unlogged tables")
def test_the_counters_table_writes_no_log(counters):
    """Each patient page counts one request: on an unlogged table that is no write-ahead log to write and wait for
    (clinic_portal/migrations/0001). The counts are all it holds, and starting them again after a crash is safe."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'portal_ratelimit_cache'")
        assert cursor.fetchone() == ("u",)
