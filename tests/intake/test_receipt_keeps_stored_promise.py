"""The receipt page and the confirmation e-mail say the call-back time stored when the form was sent
(`Intake.call_back_by`), the one staff see and the lead's escalation counts from, not one worked out again from the
clinic's hours in the settings of the day (found in the review of the stop-31 commits: a receipt opened again, or an
e-mail retried, after CLINIC_HOURS or CLINIC_CALLBACK_HOURS changed named another time than the one staff work to)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from intake import tasks
from intake.models import Intake, Level
from messaging.models import OutboundMessage
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db

CLINIC = zoneinfo.ZoneInfo("America/New_York")
FRIDAY_20 = datetime.datetime(2027, 3, 5, 20, 0, tzinfo=CLINIC)  # default hours: "by 10:00 AM on Monday, March 8"
MONDAY_10 = datetime.datetime(2027, 3, 8, 10, 0, tzinfo=CLINIC)


def _sent_serious_on_friday_evening(patient) -> Intake:
    patient.save_all(routine_answers(weight_loss="yes", night_rest_pain="yes"))
    assert patient.client.post("/intake/review/").status_code == 302
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level == Level.SERIOUS
    # As if sent on Friday at 8 pm under the default hours (Mon-Fri 08:00-17:00, calls within 2 hours).
    Intake.objects.filter(pk=intake.pk).update(submitted_at=FRIDAY_20, call_back_by=MONDAY_10)
    intake.refresh_from_db()
    return intake


def test_a_receipt_opened_after_the_clinic_hours_changed_names_the_time_staff_work_to(patient, settings):
    _sent_serious_on_friday_evening(patient)
    settings.CLINIC_HOURS = "Mon-Fri 08:00-17:00; Sat 09:00-12:00"  # Saturday mornings added since

    body = patient.client.get("/intake/done/").content.decode()

    assert "11:00 AM on Saturday" not in body  # a time nobody tracks or escalates
    assert "10:00 AM on Monday, March 8" in body


def test_a_confirmation_e_mail_sent_after_the_call_back_hours_changed_names_the_stored_time(patient, settings):
    intake = _sent_serious_on_friday_evening(patient)
    settings.CLINIC_CALLBACK_HOURS = 4  # a retry after a deploy that changed the setting
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION, about_id=intake.pk)

    rendered = tasks.render_confirmation(message)

    assert rendered is not None
    assert "10:00 AM on Monday, March 8" in rendered.body
    # What the 4-hour setting would give from Monday's opening; the appointment line's own time may be anything (it
    # is set from the clock: the bare "12:00 PM" failed this test when the suite ran at noon in New York).
    assert "12:00 PM on Monday" not in rendered.body


def test_a_spanish_confirmation_e_mail_says_the_call_back_time_as_spanish_times_are_written(patient):
    """The call-back time was formatted "10:00 AM" in every language, beside the appointment's Spanish "p.m." in the
    same e-mail (the stop-32 audit of the notifications)."""
    from intake.models import Invitation

    intake = _sent_serious_on_friday_evening(patient)
    Invitation.objects.filter(pk=intake.invitation_id).update(language="es")
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION, about_id=intake.pk)

    rendered = tasks.render_confirmation(message)

    assert rendered is not None
    [line] = [line for line in rendered.body.splitlines() if "le llamará" in line]
    assert "10:00 AM" not in line
    assert "10:00 a.m." in line
