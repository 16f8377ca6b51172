"""The rate-limit counters' table, unlogged on PostgreSQL (issue 16).

Every patient page counts one request in it (clinic_portal.counter_cache), an UPDATE that on an ordinary table writes
to the write-ahead log and waits for it to reach the disk before the page goes on: about a quarter of a millisecond of
the server's CPU on each step page under load. An unlogged table writes no log. What it gives up is only counts: after
a crash of the database server the table starts empty, and a standby has none, so after a failover every limit starts
again. Nothing else lives in it.

`manage.py createcachetable` makes the table when it is missing and leaves it alone when it exists; on PostgreSQL it is
made here first, with the columns and index createcachetable gives it, and an existing one is altered. SQLite keeps
createcachetable's table (it has no unlogged tables).
"""

from django.conf import settings
from django.db import migrations


def _table(schema_editor) -> str:
    return schema_editor.quote_name(settings.CACHES[settings.RATELIMIT_USE_CACHE]["LOCATION"])


def unlogged(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = _table(schema_editor)
    index = schema_editor.quote_name(f"{settings.CACHES[settings.RATELIMIT_USE_CACHE]['LOCATION']}_expires")
    schema_editor.execute(
        f"CREATE UNLOGGED TABLE IF NOT EXISTS {table} (cache_key varchar(255) NOT NULL PRIMARY KEY, value text NOT NULL,"
        " expires timestamp with time zone NOT NULL)"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} (expires)")
    schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


def logged(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE IF EXISTS {_table(schema_editor)} SET LOGGED")


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [migrations.RunPython(unlogged, logged, elidable=False)]
