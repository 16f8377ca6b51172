"""Django's PostgreSQL backend (psycopg 3), with every connection watched for a frozen server, and a health check
that costs no round trip.

settings.DATABASES uses it (ENGINE "clinic_portal.db_backend") whenever DATABASE_URL is a PostgreSQL URL; it behaves
as Django's own in every other respect (vendor "postgresql"). What the watchdog does and why: `watchdog`.

The health check (CONN_HEALTH_CHECKS, before a kept connection's first query in a request): Django's sends
`SELECT 1` and waits for the answer, a round trip and a statement for the server on every request that touches the
database (issue 16: about a tenth of an article page's time). A kept connection that sits idle receives nothing
unless its server ends it: a restart, a crash, an administrator's `pg_terminate_backend` all send a notice or close
the socket, which then has something to read. So an idle connection with nothing waiting on its socket is usable
as it stands; anything else (something to read, a transaction left open, an error earlier in the request) gets
Django's `SELECT 1`, which decides. A server that vanished without a word (its host gone) is caught by neither
check before the query: the query fails and the page answers 503, as it did after a failed `SELECT 1` and a
reconnection that cannot connect.

Prepared statements (`prepared_cursor`): the few statements every request sends (the session's read, the article
page's read) are prepared on the server once per connection and then only executed, skipping the parse and plan
each time (the article page's statement plans in about 0.16 ms and runs in 0.07). Everything else, and every other
query the ORM builds, is sent as Django sends it. A deployment behind a pooler that cannot keep prepared statements
(PgBouncer in transaction mode before 1.21) sets DB_PREPARED_STATEMENTS=0.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base, operations
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorWrapper
from django.utils.asyncio import async_unsafe
from psycopg import adapters, pq
from psycopg.errors import ConnectionTimeout

from clinic_portal.db_backend import watchdog

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
# psycopg prepares a statement sent this many times by itself: never, in effect; `prepared_cursor` asks for it.
ONLY_WHEN_ASKED = 2**31


def _has_input(connection: Any) -> bool:
    """Something (a termination notice, the end of the stream) waits to be read on the connection's socket."""
    try:
        poller = select.poll()  # not select(): that fails on a descriptor past 1023
        poller.register(connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))  # POLLIN, or POLLHUP / POLLERR, which poll reports unasked
    except (OSError, ValueError):  # a closed socket
        return True


class PreparedCursor(psycopg.Cursor[Any]):
    """Binds parameters on the server and prepares each statement there (psycopg names and keeps them per
    connection, the most recent hundred)."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> str:
        """A prepared statement's text as Django shows every other (parameters in place) in its query log and
        `CaptureQueriesContext`, instead of None."""
        if isinstance(cursor, PreparedCursor):
            try:
                return str(self.compose_sql(sql, params))
            except psycopg.errors.DataError:
                return str(sql)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params: Any) -> Any:
        server = watchdog.server_of(conn_params)
        # A server just found not answering: fail now (a 503) instead of waiting out connect_timeout again.
        watchdog.refuse_if_not_answering(server)
        try:
            connection = super().get_new_connection(conn_params)
        except ConnectionTimeout:
            watchdog.not_answering(server)
            raise
        watchdog.answering(server)
        watchdog.watch(connection, server)
        if connection.prepare_threshold is None and getattr(settings, "DB_PREPARED_STATEMENTS", True):
            # Django turns psycopg's preparing off (None) for poolers' sake; on, but never of psycopg's own accord:
            # only statements sent through `prepared_cursor` are prepared.
            connection.prepare_threshold = ONLY_WHEN_ASKED
        return connection

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        quiet_and_idle = (
            not self.errors_occurred
            and connection.info.status == pq.ConnStatus.OK
            and connection.info.transaction_status == pq.TransactionStatus.IDLE
            and not _has_input(connection)
        )
        return quiet_and_idle or bool(super().is_usable())

    @async_unsafe
    def prepared_cursor(self) -> CursorWrapper:
        """A cursor like `cursor()` (the same wrappers: query logging, counting, error translation) whose statements
        are prepared; for plain SQL with %s parameters that the server can type (no DDL, no SET)."""
        if not getattr(settings, "DB_PREPARED_STATEMENTS", True):
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparedCursor(self.connection)
            # As Django's own cursors: the connection's time zone for timestamps, if the connection has another.
            loader = self.connection.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
            if self.timezone != loader.timezone:
                register_tzloader(self.timezone, cursor)
            self.validate_thread_sharing()
            # (django-stubs type these as taking Django's wrapper; they take the driver's cursor, as in `_cursor()`.)
            if self.queries_logged:
                return self.make_debug_cursor(cursor)  # type: ignore[arg-type]
            return self.make_cursor(cursor)  # type: ignore[arg-type]
