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
from django.core.cache.backends.db import DatabaseCache
from django.db import migrations
from django.utils.module_loading import import_string


def _counters_table() -> str | None:
    """The counters' table, when the rate limits count in a database table (they may be pointed at another cache)."""
    cache = settings.CACHES.get(settings.RATELIMIT_USE_CACHE, {})
    backend = import_string(cache.get("BACKEND", "django.core.cache.backends.dummy.DummyCache"))
    return str(cache["LOCATION"]) if issubclass(backend, DatabaseCache) else None


def unlogged(apps, schema_editor) -> None:
    name = _counters_table()
    if schema_editor.connection.vendor != "postgresql" or name is None:
        return
    table, index = schema_editor.quote_name(name), schema_editor.quote_name(f"{name}_expires")
    schema_editor.execute(
        f"CREATE UNLOGGED TABLE IF NOT EXISTS {table} (cache_key varchar(255) NOT NULL PRIMARY KEY, value text NOT NULL,"
        " expires timestamp with time zone NOT NULL)"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} (expires)")
    schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


def logged(apps, schema_editor) -> None:
    name = _counters_table()
    if schema_editor.connection.vendor == "postgresql" and name is not None:
        schema_editor.execute(f"ALTER TABLE IF EXISTS {schema_editor.quote_name(name)} SET LOGGED")


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [migrations.RunPython(unlogged, logged, elidable=False)]
