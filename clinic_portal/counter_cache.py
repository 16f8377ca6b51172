"""The rate-limit counters' cache: Django's database cache, with a request counted in one statement (`hit`), and
`add` and `incr` as one statement each.

django-ratelimit counts a request with `cache.add(key, 1)` and, when the key exists, `cache.incr(key)`. On Django's
DatabaseCache each of those is a transaction of three to five statements (a `COUNT(*)` of the whole table to decide
whether to cull, a read, a write), and `incr` is a read then a write, so two requests at the same instant may count
once. Here, on PostgreSQL:

- `add` of a whole number is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE expired ... RETURNING`: it adds the key,
  or takes over an expired one, or leaves a live one alone, and says which;
- `incr` is one `UPDATE ... SET value = value + delta ... RETURNING value` on a live counter: atomic, so concurrent
  requests from every gunicorn worker and every machine sharing the database are all counted.

- `hit` counts one request against a counter in one prepared `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`: it
  starts the counter at 1 (when missing or expired) or adds one, and returns the count and the seconds left. The
  portal's rate limits count with it (clinic_portal.middleware): one statement per patient page instead of
  django-ratelimit's `add` then `incr`.

Counters are kept as plain digits in the `value` column (a pickled value is never all digits: it starts "gA"), so
`get` reads both; everything else (`set`, `delete`, `clear`, other databases) is Django's database cache unchanged.
Expired counters are swept now and then when a new one is added, instead of counting the table on every request.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils.timezone import now as tz_now

from clinic_portal.db_backend import prepared_cursor

# One new counter in this many sweeps the expired ones (an indexed range delete): a few per minute on a busy portal.
SWEEP_ONE_IN = 50


class CounterCache(DatabaseCache):
    """DatabaseCache whose whole-number `add` and `incr` are single atomic statements on PostgreSQL."""

    @property
    def _table_name(self) -> str:
        return str(self._table)  # type: ignore[attr-defined]  # set by BaseDatabaseCache (not in the stubs)

    def _connection(self) -> Any:
        return connections[router.db_for_write(self.cache_model_class)]

    def _expires(self, timeout: Any) -> datetime:
        seconds = self.get_backend_timeout(timeout)
        if seconds is None:
            return datetime.max.replace(tzinfo=UTC if settings.USE_TZ else None)
        return datetime.fromtimestamp(seconds, tz=UTC if settings.USE_TZ else None).replace(microsecond=0)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        connection = self._connection()
        if connection.vendor != "postgresql" or type(value) is not int:
            return bool(super().add(key, value, timeout, version))
        key = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table_name)
        now = tz_now().replace(microsecond=0)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - our table's name
                f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires "
                f"WHERE {table}.expires < %s RETURNING 1",
                [key, str(value), self._expires(timeout), now],
            )
            added = cursor.fetchone() is not None
            if added and random.randrange(SWEEP_ONE_IN) == 0:  # noqa: S311 - not for security
                cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608
        return added

    def hit(self, key: str, seconds: int) -> tuple[int, int]:
        """Count one request against `key`, a counter that lives `seconds` from its first count; returns the count
        so far and the seconds until the counter starts again. One statement on PostgreSQL, atomic under any number
        of workers; elsewhere `add` then `incr` (SQLite under `make run`: two requests at one instant may count
        once, and the seconds left are the whole period)."""
        connection = self._connection()
        if connection.vendor != "postgresql":
            return _add_or_count(self, key, seconds), seconds
        made = self.make_and_validate_key(key)
        table = connection.ops.quote_name(self._table_name)
        now = tz_now().replace(microsecond=0)
        # A counter that has expired, or a value put there by `set` (not digits), starts again at 1.
        stale = "c.expires < %(now)s OR c.value !~ '^-?[0-9]+$'"
        with prepared_cursor(connection) as cursor:
            cursor.execute(
                f"INSERT INTO {table} AS c (cache_key, value, expires) VALUES (%(key)s, '1', %(expires)s) "  # noqa: S608
                f"ON CONFLICT (cache_key) DO UPDATE SET "
                f"value = CASE WHEN {stale} THEN '1' ELSE (c.value::bigint + 1)::text END, "
                f"expires = CASE WHEN {stale} THEN EXCLUDED.expires ELSE c.expires END "
                "RETURNING c.value::bigint, c.expires, c.xmax = 0",
                {"key": made, "expires": self._expires(seconds), "now": now},
            )
            count, expires, inserted = cursor.fetchone()
            if inserted and random.randrange(SWEEP_ONE_IN) == 0:  # noqa: S311 - not for security
                cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608
        return int(count), max(0, int((expires - now).total_seconds()))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        connection = self._connection()
        if connection.vendor != "postgresql":
            return int(super().incr(key, delta, version))
        made = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table_name)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = (value::bigint + %s)::text "  # noqa: S608 - our table's name
                f"WHERE cache_key = %s AND expires >= %s AND value ~ '^-?[0-9]+$' RETURNING value",
                [delta, made, tz_now().replace(microsecond=0)],
            )
            row = cursor.fetchone()
        if row is None:
            # Missing, expired, or a pickled value put there by `set`: Django's way (ValueError when missing).
            return int(super().incr(key, delta, version))
        return int(row[0])

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        if not keys:
            return {}
        connection = self._connection()
        if connection.vendor != "postgresql":
            return dict(super().get_many(keys, version))
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        table = connection.ops.quote_name(self._table_name)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key, value FROM {table} WHERE cache_key = ANY(%s) AND value ~ '^-?[0-9]+$' "  # noqa: S608
                "AND expires >= %s",
                [list(key_map), tz_now()],
            )
            counters = {key_map[key]: int(value) for key, value in cursor.fetchall()}
        others = [key for key in keys if key not in counters]
        return {**counters, **(dict(super().get_many(others, version)) if others else {})}


def count_request(cache: Any, key: str, seconds: int) -> tuple[int, int]:
    """One request counted against `key` in `cache` (see `CounterCache.hit`); any other Django cache (Redis, say,
    set as RATELIMIT_USE_CACHE) counts with `add` then `incr`, and its seconds left are the whole period."""
    if isinstance(cache, CounterCache):
        return cache.hit(key, seconds)
    return _add_or_count(cache, key, seconds), seconds


def _add_or_count(cache: Any, key: str, seconds: int) -> int:
    if cache.add(key, 1, seconds):
        return 1
    try:
        return int(cache.incr(key))
    except (ValueError, TypeError):  # expired since `add` looked, or not a count: it starts again
        cache.set(key, 1, seconds)
        return 1
