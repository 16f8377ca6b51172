"""The receipt's call-back time is the one promised when the form was sent (`Intake.call_back_by`): a form that
becomes serious after it was sent (a red flag from another tab) was promised no time, and its receipt, opened again,
does not show one worked out from the time it was sent (by then perhaps long past)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from intake import services
from intake.call_backs import clinic_hours
from intake.models import Intake, Level
from intake.rules.patient_messages import promised_call_back
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db


def test_a_form_sent_serious_keeps_the_time_its_receipt_promised(patient):
    patient.save_all(routine_answers(weight_loss="yes", night_rest_pain="yes"))
    assert patient.client.post("/intake/review/").status_code == 302
    intake = Intake.objects.get(invitation=patient.invitation)
    body = patient.client.get("/intake/done/").content.decode()

    assert intake.level == Level.SERIOUS
    expected = promised_call_back(
        level="serious",
        flag_codes=intake.flags.values_list("code", flat=True),
        sent_at_local=timezone.localtime(intake.submitted_at),
        hours=clinic_hours(),
        within_hours=settings.CLINIC_CALLBACK_HOURS,
    )
    assert expected is not None
    assert intake.call_back_by == expected
    shown = timezone.localtime(intake.call_back_by)
    assert f"{shown.hour % 12 or 12}:{shown.minute:02d}" in body


def test_a_form_that_became_serious_after_sending_shows_no_promised_time(patient):
    patient.save_all(routine_answers())
    assert patient.client.post("/intake/review/").status_code == 302
    intake = Intake.objects.get(invitation=patient.invitation)
    services.record_red_flags(intake, {"cancer_history": "yes"}, now=timezone.now())
    intake.refresh_from_db()
    body = patient.client.get("/intake/done/").content.decode()

    assert intake.level == Level.SERIOUS
    assert intake.call_back_by is None
    assert "A clinician will call you soon." in body
