"""alerts/migrations/0010: notes saved before notes recorded their review round are placed in it from the rounds'
alerts, so undoing a review after new red flags reopened the intake leaves that new round's failed calls counted."""

from __future__ import annotations

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from alerts import services as alerts
from intake.models import Intake, ReviewNote
from intake.services import mark_reviewed, record_red_flags, review_token, undo_review
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

migration = importlib.import_module("alerts.migrations.0010_review_note_rounds")


def test_notes_from_before_the_field_are_placed_in_their_rounds_and_an_undo_then_keeps_the_new_rounds_call(clinician):
    start = timezone.now()
    intake = make_intake("urgent_bowel", safety_only=True)
    alerts.intake_level_changed(intake, previous_level=None)
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment", note="Called Mrs Other: fine.")
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="could_not_reach", note="No answer.")
    ReviewNote.objects.update(review_round=None)  # as saved before intake 0022

    migration.rounds_of_earlier_notes(apps, None)

    rounds = dict(ReviewNote.objects.values_list("text", "review_round"))
    assert rounds == {"Called Mrs Other: fine.": 0, "No answer.": 1}
    intake.refresh_from_db()
    undo_review(intake, by=clinician, review=review_token(intake))
    assert ReviewNote.objects.get(text="No answer.").undone_at is None
    assert ReviewNote.objects.get(text="Called Mrs Other: fine.").undone_at is not None
