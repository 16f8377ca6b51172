"""EXPLAIN ANALYZE of the queries behind the search and the queue, as the pages send them (bench/run_all.py).

    DATABASE_URL=postgres://.../clinic_portal_bench DJANGO_SETTINGS_MODULE=bench.settings \
        .venv/bin/python -m bench.explain

Each page is requested in process (Django's test client, the public-page cache off); every query it sends that reads
the articles or the intakes is run again under `EXPLAIN (ANALYZE, BUFFERS)` and its plan printed.
"""

# ruff: noqa: E402 - Django is set up (below) before the portal's modules are imported

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["PUBLIC_PAGE_CACHE_SECONDS"] = "0"

import django

django.setup()

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

TABLES = ("education_article", "intake_intake")


def explain(label: str, client: Client, path: str) -> None:
    client.get(path)  # warm: the first request of a process loads templates and URL patterns
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    for query in captured.captured_queries:
        sql = query["sql"]
        if not any(f'"{table}"' in sql for table in TABLES):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\n-- {label}: {path}\n{sql[:600]}{' ...' if len(sql) > 600 else ''}")
        for line in plan:
            print(f"   {line}")


def main() -> None:
    anonymous = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    for words in ("sciatica", "back pain", "running shoes"):
        explain(f"search {words!r}", anonymous, f"/search/?q={words.replace(' ', '+')}")
    staff = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    staff.force_login(User.objects.get(username="bench-clinician"))
    explain("queue", staff, "/staff/queue/")
    explain("queue, flag and review state", staff, "/staff/queue/?flag=SC1&reviewed=no")
    searched = staff.post("/staff/queue/search/", {"name": "delgado"})["Location"]
    explain("queue, name search", staff, searched)


if __name__ == "__main__":
    main()
