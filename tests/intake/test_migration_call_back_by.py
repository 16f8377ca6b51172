"""intake/migrations/0014: serious intakes sent before `call_back_by` existed get the time their receipt promised,
so staff see it (intake/call_backs.py); others get none."""

from __future__ import annotations

import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps

from intake.models import Intake
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

migration = importlib.import_module("intake.migrations.0014_call_back_by")
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
