"""How long the retention purge takes, and how many statements it sends: 1,000 old visits with three follow-ups each.

Run: `.venv/bin/python bench/purge_bench.py [--visits 1000]`. Uses a throw-away test database (`bench_<name>` on
PostgreSQL when DATABASE_URL is set, SQLite in memory otherwise), fills it in bulk (every visit and follow-up with
its flag, review note, invitation e-mail and confirmation; each visit with an alert, a one-time code and its e-mail,
each follow-up with a reminder and its e-mail), and prints figures; it asserts nothing about speed. Filled and purged
twice; each purge timed and its statements counted (by verb and table).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")  # dropping the filled database takes longer than a request

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from alerts.models import Alert  # noqa: E402
from intake.models import (  # noqa: E402
    DeviceCode,
    FollowUp,
    Intake,
    IntakeFlag,
    Invitation,
    Level,
    Patient,
    Questionnaire,
    Reminder,
    ReviewNote,
)
from intake.retention import purge_old_intakes  # noqa: E402
from messaging.models import OutboundMessage  # noqa: E402

POINTS = (("6w", 42), ("3m", 91), ("12m", 365))
MONTHS = 84


def fill(visits: int) -> None:
    now = timezone.now()
    appointment = now - datetime.timedelta(days=365 * 9)
    patients = Patient.objects.bulk_create(
        [
            Patient(name=f"Pat Bench {n}", date_of_birth=datetime.date(1970, 1, 1), email=f"p{n}@example.org")
            for n in range(visits)
        ]
    )
    seq = iter(range(10**9))

    def invitation(patient: Patient, kind: str, at: datetime.datetime) -> Invitation:
        return Invitation(
            patient=patient,
            kind=kind,
            patient_name=patient.name,
            email=patient.email,
            date_of_birth=patient.date_of_birth,
            appointment_at=appointment,
            token_hash=f"{os.getpid():08x}{next(seq):056x}",
            expires_at=at,
        )

    visit_invitations = Invitation.objects.bulk_create(
        [invitation(patient, Questionnaire.INTAKE, appointment) for patient in patients]
    )

    def intake(inv: Invitation, kind: str) -> Intake:
        return Intake(
            invitation=inv,
            patient_id=inv.patient_id,
            kind=kind,
            appointment_at=appointment,
            answers={"notes": "private words"},
            status=Intake.Status.SUBMITTED,
            level=Level.ROUTINE,
            is_reviewed=True,
            submitted_at=appointment,
            reviewed_at=appointment,
        )

    visit_intakes = Intake.objects.bulk_create([intake(inv, Questionnaire.INTAKE) for inv in visit_invitations])
    follow_up_invitations = Invitation.objects.bulk_create(
        [
            invitation(patient, Questionnaire.FOLLOW_UP, appointment + datetime.timedelta(days=days + 14))
            for patient in patients
            for _, days in POINTS
        ]
    )
    follow_up_intakes = Intake.objects.bulk_create(
        [intake(inv, Questionnaire.FOLLOW_UP) for inv in follow_up_invitations]
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                patient_id=visit.patient_id,
                visit=visit,
                time_point=point,
                due_at=appointment + datetime.timedelta(days=days),
                invitation=follow_up_invitations[n * len(POINTS) + i],
                sent_at=appointment + datetime.timedelta(days=days),
            )
            for n, visit in enumerate(visit_intakes)
            for i, (point, days) in enumerate(POINTS)
        ]
    )
    all_intakes = visit_intakes + follow_up_intakes
    IntakeFlag.objects.bulk_create(
        [IntakeFlag(intake=item, code="SC1", short="Below knee", reason="answered yes") for item in all_intakes]
    )
    ReviewNote.objects.bulk_create([ReviewNote(intake=item, text="seen") for item in all_intakes])
    Alert.objects.bulk_create(
        [Alert(intake=item, kind=Alert.Kind.SERIOUS, next_attempt_at=appointment) for item in visit_intakes]
    )
    codes = DeviceCode.objects.bulk_create(
        [
            DeviceCode(invitation=inv, link_version=1, code_hash="x", created_at=appointment, expires_at=appointment)
            for inv in visit_invitations
        ]
    )
    reminders = Reminder.objects.bulk_create(
        [Reminder(invitation=inv, which="1", created_at=appointment) for inv in follow_up_invitations]
    )

    def message(kind: str, about_id: int, address: str) -> OutboundMessage:
        return OutboundMessage(
            kind=kind, about_id=about_id, recipients=[address], next_attempt_at=appointment, status="sent"
        )

    Kind = OutboundMessage.Kind
    OutboundMessage.objects.bulk_create(
        [message(Kind.INVITATION, inv.pk, inv.email) for inv in visit_invitations]
        + [message(Kind.FOLLOW_UP, inv.pk, inv.email) for inv in follow_up_invitations]
        + [message(Kind.CONFIRMATION, item.pk, "p@example.org") for item in all_intakes]
        + [message(Kind.DEVICE_CODE, code.pk, "p@example.org") for code in codes]
        + [message(Kind.FOLLOW_UP_REMINDER, reminder.pk, "p@example.org") for reminder in reminders]
    )


def patient_rows() -> dict[str, int]:
    """Rows in the tables of the apps the purge empties here (intake, messaging, alerts; not their one-row
    heartbeats): what was filled, and then what was left."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"intake", "messaging", "alerts"} and not model.__name__.endswith("Heartbeat")
    ]
    counts = {model._meta.label: model._base_manager.count() for model in models}
    return {label: count for label, count in counts.items() if count}


def statement_kind(sql: str) -> str:
    match = re.match(r'\s*(SAVEPOINT|RELEASE|ROLLBACK|SELECT|INSERT INTO|UPDATE|DELETE FROM)\s*("?[\w.]+"?)?', sql)
    if not match:
        return sql[:40]
    verb, table = match.groups()
    if verb in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
        return verb
    return f"{verb} {table.strip(chr(34)) if table else ''}"


class Statements(collections.Counter[str]):
    """An execute wrapper counting the statements sent, by verb and table (no cap, unlike CaptureQueriesContext),
    and the time spent in them (`seconds`, the same keys)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = collections.defaultdict(float)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        kind = statement_kind(sql)
        self[kind] += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[kind] += time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1000)
    args = parser.parse_args()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    setup_test_environment()
    database = settings.DATABASES["default"]
    if connection.vendor != "sqlite":
        database.setdefault("TEST", {})["NAME"] = f"bench_{database['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{args.visits} visits with {len(POINTS)} follow-ups each ({connection.vendor}):")
        for run in (1, 2):
            start = time.perf_counter()
            fill(args.visits)
            filled = time.perf_counter() - start
            rows = patient_rows()
            kinds = Statements()
            with connection.execute_wrapper(kinds):
                start = time.perf_counter()
                result = purge_old_intakes(months=MONTHS)
                took = time.perf_counter() - start
            print(
                f"  run {run}: {took:.2f} s, {sum(kinds.values())} statements, for {result.intakes} intakes and "
                f"{result.invitations} invitations (filled {sum(rows.values())} rows in {filled:.1f} s)"
            )
            print(f"    {sum(kinds.seconds.values()):.2f} s of it waiting for statements; the slowest kinds:")
            for kind, seconds in sorted(kinds.seconds.items(), key=lambda item: -item[1])[:8]:
                print(f"    {kinds[kind]:10d}  {seconds:7.2f}  {kind}")
            left = patient_rows()
            print(f"  rows left in intake, messaging and alerts tables: {left or 'none'}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
