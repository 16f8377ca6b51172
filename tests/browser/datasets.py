"""Data that several browser tests start from, built once per test process and copied back for each later test.

A browser test runs with `transaction=True` (the live server reads what the test thread committed), and each one ends
with the tables emptied, so data cannot be built once for a module as tests/module_data.py does. What a build leaves
(every row of every table) is copied instead into tables of a schema of its own (`test_datasets`, in this process's
test database), which the emptying does not touch, and the next test that asks for the same data gets those rows put
back with one INSERT per table: the same rows, ids and times included, as the build made them, in about a tenth of
the time. A copy is used only by the process that took it (a copy left by an earlier run is replaced).

The copy is used only when the database is as the first build found it: the tables empty but for the four that
post_migrate fills (content types, permissions, groups), whose rows (ids included) must be the same; the build must
not have changed those four; it must be the same day (rows say "reviewed today"); and a copy may be no older than
`fresh_for`, when given. Otherwise, or when the copy cannot be put back, the data is built again as the first time (and
copied again).

Data whose times are counted back from the moment it was built ("submitted 12 minutes ago") is put back with
`times_from_now`: every date-and-time column of every row moves forward by the time since the build, so the rows read
as if the build had just run (its dates, days without a time, stay as they are: the copy is of the same day). It was
built again each minute instead: 3-7 s a build on this machine, three or four times in tests/browser/test_dashboard.py
alone on a slow day, more often the slower the machine.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

# Filled by post_migrate after each emptying (tests/conftest.py); everything else starts empty.
_REFILLED = ("django_content_type", "auth_permission", "auth_group", "auth_group_permissions")


SCHEMA = "test_datasets"


@dataclass(frozen=True)
class _Copy:
    taken: float  # time.monotonic() when the build finished
    taken_at: datetime.datetime  # and by the clock, for the columns `times_from_now` moves
    day: datetime.date  # the day the build began: its rows' "today"
    refilled: str  # the four tables' rows when the build started
    tables: tuple[tuple[str, str], ...]  # (table, the table in SCHEMA holding its rows)
    columns: dict[str, tuple[tuple[str, bool], ...]]  # table: its columns in order, each with whether it holds a time
    sequences: tuple[tuple[str, str, str], ...]  # (sequence, table, column): moved past the ids put back


_copies: dict[str, _Copy] = {}


def built_once(
    name: str,
    build: Callable[[], object],
    *,
    after_restore: Callable[[], object] | None = None,
    fresh_for: datetime.timedelta | None = None,
    times_from_now: bool = False,
) -> None:
    """Run `build`, or put back the rows its first run in this process left (see the module's docstring).

    `after_restore` does what the build's signals and on-commit hooks did outside the database (a cache told that
    the library changed, say), since rows put back with SQL send none. `fresh_for`: how old a copy may be.
    `times_from_now`: the copy's date-and-time columns are moved forward by its age as they are put back."""
    if connection.vendor != "postgresql":
        build()
        return
    copy = _copies.get(name)
    refilled, others_empty = _state()
    young = copy is not None and (fresh_for is None or time.monotonic() - copy.taken < fresh_for.total_seconds())
    if copy is not None and young and others_empty and _usable(copy, refilled):
        put_back = _put_back(copy, times_from_now=times_from_now)
    else:
        put_back = False
    if put_back:
        if after_restore is not None:
            after_restore()
        return
    day = timezone.localdate()  # the rows' day ("reviewed today") is the one the build began on, not the one it ended
    build()
    if others_empty and _state()[0] == refilled:
        _copies[name] = _take(name, refilled, day)


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _state() -> tuple[str, bool]:
    """The refilled tables' rows (as one digest each) and whether every other table is empty."""
    others = [table for table in _tables() if table not in _REFILLED]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {table} t"  # noqa: S608 - Django's own names
                for table in _REFILLED
            )
        )
        refilled = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {connection.ops.quote_name(t)})" for t in others)  # noqa: S608
        )
        any_rows = bool(cursor.fetchone()[0])
    return refilled, not any_rows


def _usable(copy: _Copy, refilled: str) -> bool:
    return copy.day == timezone.localdate() and copy.refilled == refilled


def _take(name: str, refilled: str, day: datetime.date) -> _Copy:
    quote = connection.ops.quote_name
    tables: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if not _copies:  # this process's first copy: none of an earlier run's is kept
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for number, table in enumerate(t for t in _tables() if t not in _REFILLED):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if not cursor.fetchone()[0]:
                continue
            kept = f"{SCHEMA}.{quote(f'{name}_{number}')}"
            cursor.execute(f"DROP TABLE IF EXISTS {kept}")
            cursor.execute(f"CREATE UNLOGGED TABLE {kept} AS SELECT * FROM {quote(table)} ORDER BY ctid")  # noqa: S608
            tables.append((table, kept))
        cursor.execute(
            """
            SELECT s.relname, t.relname, a.attname FROM pg_class s
            JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
            JOIN pg_class t ON t.oid = d.refobjid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE s.relkind = 'S' AND t.relname = ANY(%s)
            """,
            [[table for table, _kept in tables]],
        )
        sequences = tuple(sorted(cursor.fetchall()))
        cursor.execute(
            """
            SELECT table_name, column_name, data_type LIKE 'timestamp%%' FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY(%s) ORDER BY table_name, ordinal_position
            """,
            [[table for table, _kept in tables]],
        )
        columns: dict[str, list[tuple[str, bool]]] = {}
        for table, column, is_time in cursor.fetchall():
            columns.setdefault(table, []).append((column, is_time))
    return _Copy(
        time.monotonic(),
        timezone.now(),
        day,
        refilled,
        tuple(tables),
        {table: tuple(names) for table, names in columns.items()},
        sequences,
    )


def _put_back(copy: _Copy, *, times_from_now: bool = False) -> bool:
    quote = connection.ops.quote_name
    age = timezone.now() - copy.taken_at
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, kept in copy.tables:
                columns = copy.columns[table]
                if not (times_from_now and any(is_time for _column, is_time in columns)):
                    cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {kept}")  # noqa: S608
                    continue
                names = ", ".join(quote(column) for column, _is_time in columns)
                values = ", ".join(
                    f"{quote(column)} + %(age)s::interval" if is_time else quote(column) for column, is_time in columns
                )
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({names}) SELECT {values} FROM {kept}",  # noqa: S608
                    {"age": str(age.total_seconds()) + " seconds"},
                )
            for sequence, table, column in copy.sequences:
                # An emptying that restarted the ids must not hand out one of those just put back.
                cursor.execute(
                    f"SELECT setval(%s, m) FROM (SELECT max({quote(column)}) AS m FROM {quote(table)}) AS top "  # noqa: S608
                    f"WHERE m >= (SELECT last_value FROM {quote(sequence)})",
                    [quote(sequence)],
                )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except DatabaseError:  # a copy that no longer fits (a table gone, a key taken): build again, as the first time
        return False
    return True
