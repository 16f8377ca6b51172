"""How the staff queue scales: 50,000 intakes, then the queue's render time and SQL query count.

Run on the database you deploy on (PostgreSQL):
    DATABASE_URL=postgres://.../<scratch db> DEBUG=1 .venv/bin/python bench/queue_bench.py
It creates its rows in a transaction that is rolled back at the end, so the database is left as it was.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file's name shadows the standard library's `queue` (used by threads): put the project root first instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import datetime  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from intake.models import Intake, IntakeFlag, Invitation  # noqa: E402

TOTAL = int(os.environ.get("BENCH_INTAKES", "50000"))
FLAGS = [("CE1", "Saddle numbness"), ("SP1", "Cancer history"), ("SC1", "Below knee"), ("R3", "Mileage jump")]


class Rollback(Exception):
    pass


def populate() -> None:
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                patient_name=f"Bench Patient {n}",
                date_of_birth=datetime.date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                appointment_at=now + datetime.timedelta(minutes=7 * (n % 20000) - 60000),
                token_hash=f"bench{n:059d}",
                expires_at=now + datetime.timedelta(days=30),
            )
            for n in range(TOTAL)
        ],
        batch_size=5000,
    )
    intakes = Intake.objects.bulk_create(
        [
            Intake(
                invitation=inv,
                appointment_at=inv.appointment_at,
                level=(1 if n % 97 == 0 else 2 + n % 3),
                is_reviewed=n % 10 != 0,
                status="submitted",
                submitted_at=now - datetime.timedelta(minutes=n % (12 * 7 * 24 * 60)),
                answers={"pain_now": n % 11},
            )
            for n, inv in enumerate(invitations)
        ],
        batch_size=5000,
    )
    IntakeFlag.objects.bulk_create(
        [
            IntakeFlag(intake=i, code=FLAGS[n % 4][0], short=FLAGS[n % 4][1], reason="bench")
            for n, i in enumerate(intakes)
        ],
        batch_size=5000,
    )


def measure(client: Client, label: str, params: dict[str, str]) -> None:
    timings, queries = [], 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get("/staff/queue/", params)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
        queries = len(captured)
    if os.environ.get("BENCH_VERBOSE"):
        for query in captured.captured_queries:
            print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:110]}")
    print(f"{label:<34} median {statistics.median(timings):7.1f} ms   max {max(timings):7.1f} ms   {queries} queries")


def main() -> None:
    try:
        with transaction.atomic():
            start = time.perf_counter()
            populate()
            print(f"{connection.vendor}: created {TOTAL:,} intakes in {time.perf_counter() - start:.1f} s")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE intake_intake; ANALYZE intake_intakeflag; ANALYZE intake_invitation")
            user = User.objects.create_user("bench-clinician")
            user.groups.add(Group.objects.get(name="Clinicians"))
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            measure(client, "queue, first page", {})
            measure(client, "queue, page 200", {"page": "200"})
            measure(client, "queue, level=urgent", {"level": "urgent"})
            measure(client, "queue, flag=SP1, not reviewed", {"flag": "SP1", "reviewed": "no"})
            today = timezone.localdate()
            measure(
                client,
                "queue, appointments next 7 days",
                {"appointment_from": str(today), "appointment_to": str(today + datetime.timedelta(days=7))},
            )
            client.post("/staff/queue/search/", {"name": "patient 4999"})
            measure(client, "queue, name search", {})
            raise Rollback
    except Rollback:
        print("(rolled back: the database is as it was)")


if __name__ == "__main__":
    main()
