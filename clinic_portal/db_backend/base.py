"""Django's PostgreSQL backend (psycopg 3), with every connection watched for a frozen server.

settings.DATABASES uses it (ENGINE "clinic_portal.db_backend") whenever DATABASE_URL is a PostgreSQL URL; it behaves
as Django's own in every other respect (vendor "postgresql"). What the watchdog does and why: `watchdog`.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base
from psycopg.errors import ConnectionTimeout

from clinic_portal.db_backend import watchdog


class DatabaseWrapper(base.DatabaseWrapper):
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
        return connection
