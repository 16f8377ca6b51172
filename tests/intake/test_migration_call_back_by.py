"""intake/migrations/0015: serious intakes sent before `call_back_by` existed get the time their receipt promised,
so staff see it (intake/call_backs.py); others get none."""

from __future__ import annotations

import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Intake
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

migration = importlib.import_module("intake.migrations.0015_call_back_by_of_sent_intakes")
CLINIC = zoneinfo.ZoneInfo("America/New_York")
TUESDAY_9 = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=CLINIC)


def test_sent_serious_intakes_get_the_promise_their_receipt_made():
    serious = make_intake("serious_fracture", submitted_at=TUESDAY_9)
    urgent = make_intake("urgent_bowel", submitted_at=TUESDAY_9)
    unsent = make_intake("serious_fracture", safety_only=True)
    Intake.objects.update(call_back_by=None)  # as they were before the migration

    migration.promises_of_sent_intakes(apps, None)

    assert Intake.objects.get(pk=serious.pk).call_back_by == datetime.datetime(2027, 3, 2, 11, 0, tzinfo=CLINIC)
    assert Intake.objects.get(pk=urgent.pk).call_back_by is None
    assert Intake.objects.get(pk=unsent.pk).call_back_by is None


def test_the_times_are_stored_in_batches_not_one_intake_at_a_time():
    """Two queries per intake (its flags, its time), in the migration that added the column, held the intake table
    locked on PostgreSQL for the whole loop (found in the review of the stop-31 commits): a batch is a query for its
    intakes, one for their flags and one update."""
    for seed in range(40):
        make_intake("serious_fracture", submitted_at=TUESDAY_9, seed=seed)
    Intake.objects.update(call_back_by=None)

    with CaptureQueriesContext(connection) as queries:
        migration.promises_of_sent_intakes(apps, None)

    assert Intake.objects.filter(call_back_by=datetime.datetime(2027, 3, 2, 11, 0, tzinfo=CLINIC)).count() == 40
    assert len(queries.captured_queries) <= 6


def test_hours_the_portal_starts_with_under_a_shorter_last_call_time_do_not_stop_the_migration(settings):
    """A Saturday open 20 minutes is accepted at start-up with CLINIC_LAST_CALL_MINUTES=10, but this migration read
    the hours with the default 30 and refused them: `migrate` failed on a new database (and so did the test run's)."""
    settings.CLINIC_HOURS = "Mon-Fri 08:00-17:00; Sat 09:00-09:20"
    settings.CLINIC_LAST_CALL_MINUTES = 10
    serious = make_intake("serious_fracture", submitted_at=TUESDAY_9)
    Intake.objects.update(call_back_by=None)

    migration.promises_of_sent_intakes(apps, None)

    assert Intake.objects.get(pk=serious.pk).call_back_by == datetime.datetime(2027, 3, 2, 11, 0, tzinfo=CLINIC)
