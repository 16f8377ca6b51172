"""Django's database sessions, read with one plain statement instead of a query built per request.

Every page that looks at the session (each patient page, each staff page) loads it first; the ORM spends about
0.4 ms building `Session.objects.get(...)` on each request, several times what the database spends answering it
(issue 16, measured with bench/). The statement is prepared on the server once per connection (PostgreSQL planned it
in 0.1 ms and ran it in 0.01). Writing, creating and deleting stay Django's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from clinic_portal.db_backend import prepared_cursor


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        table = connection.ops.quote_name(model._meta.db_table)
        with prepared_cursor(connection) as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608 - the table name is the model's
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key or "", session_data=row[0], expire_date=row[1])
