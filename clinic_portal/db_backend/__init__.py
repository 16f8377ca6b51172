"""The portal's database backend: Django's PostgreSQL backend, watched for a frozen server (see `base`)."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


def prepared_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor whose statements the server keeps prepared, on the portal's PostgreSQL backend; elsewhere (SQLite
    under `make run`, Django's own backend) an ordinary cursor."""
    make = getattr(connection, "prepared_cursor", None)
    return make() if make is not None else connection.cursor()
