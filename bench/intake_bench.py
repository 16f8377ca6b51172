"""How long the intake takes the server: the pure triage rules, and a patient's whole path through the views.

Run: `.venv/bin/python bench/intake_bench.py` (or `make bench`). Uses a throw-away test database (SQLite in memory,
or `test_<name>` on PostgreSQL when DATABASE_URL is set) and prints its figures; it asserts nothing about speed.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from intake.forms import as_post_data  # noqa: E402
from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug  # noqa: E402
from intake.rules.recommendations import recommend  # noqa: E402
from intake.rules.triage import assess  # noqa: E402
from tests.intake.factories import BIRTH_DATE, make_invitation, routine_answers  # noqa: E402


def bench_rules(rounds: int = 20_000) -> None:
    answers = routine_answers(
        leg_symptoms="yes",
        leg_side="left",
        leg_pain_lowest_point="foot",
        worse_back_or_leg="leg",
        leg_numbness_tingling="yes",
        leg_weakness="no",
        sitting_eases="yes",
        worse_with=["walking"],
    )
    today = timezone.localdate()
    start = time.perf_counter()
    for _ in range(rounds):
        recommend(answers, assess(answers, today=today))
    per_call = (time.perf_counter() - start) / rounds
    print(f"triage.assess + recommend: {per_call * 1e6:.1f} µs per intake ({rounds} rounds)")


def bench_patient_path(patients: int = 30) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    timings: dict[str, list[float]] = {}
    queries: dict[str, int] = {}

    def timed(name: str, call):  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = call()
            timings.setdefault(name, []).append(time.perf_counter() - start)
        queries[name] = max(queries.get(name, 0), len(captured.captured_queries))
        assert response.status_code in (200, 302), (name, response.status_code)

    answers = routine_answers()
    client = Client()  # one handler for all (a new Client loads the middleware again: whitenoise scans every file)
    client.get("/")
    for _ in range(patients):
        _, token = make_invitation(send_email=False)
        client.cookies.clear()  # a new patient's browser
        timed("open link", lambda token=token: client.get(f"/intake/start/{token}/"))
        timed("confirm birth date", lambda: client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()}))
        for slug in PAGE_SLUGS:  # the consent page first, then every page of the form
            data = as_post_data(page_by_slug(slug), answers)
            timed("show a step", lambda slug=slug: client.get(f"/intake/step/{slug}/"))
            timed("save a step", lambda slug=slug, data=data: client.post(f"/intake/step/{slug}/", data))
        timed("review page", lambda: client.get("/intake/review/"))
        timed("submit", lambda: client.post("/intake/review/"))
        timed("receipt", lambda: client.get("/intake/done/"))
    print(f"patient path through the views ({patients} patients, {connection.vendor}):")
    for name, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(
            f"  {name:<20} median {statistics.median(values) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   "
            f"queries <= {queries[name]}"
        )


def main() -> None:
    bench_rules()
    setup_test_environment()
    # Its own database name, so a bench run never drops the test suite's reusable database.
    database = settings.DATABASES["default"]
    if connection.vendor != "sqlite":
        database.setdefault("TEST", {})["NAME"] = f"bench_{database['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bench_patient_path()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
