"""intake/migrations/0013: reviews made before reviewed_flags existed keep the red flags they saw, so a rules upgrade
or a later answer does not open them again for flags a clinician already dealt with."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from intake.models import Intake, Level
from intake.services import mark_reviewed
from intake.services.assessment import actionable_flags
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

migration = importlib.import_module("intake.migrations.0013_reviewed_flags_of_earlier_reviews")


def test_an_old_review_takes_the_red_flags_its_intake_has_and_a_rules_rerun_leaves_it_reviewed(clinician):
    """Found in review: with `[]`, `retriage --apply` opened every reviewed urgent intake still in play and paged the
    on-call about flags it had been reviewed with."""
    intake = make_intake("urgent_saddle_bladder")  # CE1, CE3
    mark_reviewed(intake, by=clinician, outcome="emergency_care")
    untouched = make_intake("routine_plain")
    Intake.objects.filter(pk=intake.pk).update(reviewed_flags=[], rules_version="2026.1", level=Level.URGENT)
    migration.seen_flags(apps, None)
    intake.refresh_from_db()
    assert intake.reviewed_flags == sorted(actionable_flags(set(intake.flags.values_list("code", flat=True))))
    assert {"CE1", "CE3"} <= set(intake.reviewed_flags)
    assert Intake.objects.get(pk=untouched.pk).reviewed_flags == []
    out = io.StringIO()
    call_command("retriage", "--apply", stdout=out)
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.review_round) == (True, 0)
    assert "opened again" not in out.getvalue()
