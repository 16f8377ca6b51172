"""A patient who replied STOP to the clinic's texts gets no more (messaging.sms.RecipientOptedOut, TextOptOut): the
provider refuses a text to them for that reason, the refusal is not retried (twelve tries over hours, each refused,
shown as a failure nobody could explain), no later reminder or follow-up link is queued to them by text, and the
clinician sees it beside the phone number. Until stop 32 there was no STOP handling at all."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.utils import timezone

from intake.models import Reminder
from intake.services import follow_ups
from messaging import sms
from messaging.models import OutboundMessage, TextOptOut
from messaging.sms.backends.base import BaseSmsBackend
from tests.intake.factories import make_invitation
from tests.messaging.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db

PHONE = "+15550100123"
DAY = datetime.timedelta(days=1)
VISIT = timezone.make_aware(datetime.datetime(2027, 5, 20, 10, 0))


class OptedOutBackend(BaseSmsBackend):
    """A provider that refuses every number: its owner replied STOP (Twilio's error 21610)."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise sms.RecipientOptedOut([message.to for message in messages])


@pytest.fixture(autouse=True)
def _texts(settings, monkeypatch):
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])


def _reminder_due(time_machine) -> None:
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, email="", phone=PHONE)
    time_machine.move_to(VISIT - 7 * DAY, tick=False)


def test_a_text_refused_because_the_patient_replied_stop_is_not_retried_and_the_number_is_kept(
    settings, time_machine, caplog
):
    settings.SMS_BACKEND = f"{__name__}.OptedOutBackend"
    caplog.set_level(logging.INFO)
    _reminder_due(time_machine)

    follow_ups.send_due_messages()
    run_queued_tasks()

    [message] = OutboundMessage.objects.filter(channel="sms")
    assert (message.status, message.attempts, message.last_error) == ("failed", 1, "RecipientOptedOut")
    assert list(TextOptOut.objects.values_list("number", flat=True)) == [PHONE]
    run_queued_tasks()  # nothing was queued to try again
    assert OutboundMessage.objects.get(pk=message.pk).attempts == 1
    assert PHONE not in caplog.text


def test_no_later_text_is_queued_to_a_number_that_asked_for_none(time_machine):
    TextOptOut.objects.create(number=PHONE, at=timezone.now())
    _reminder_due(time_machine)

    follow_ups.send_due_messages()
    run_queued_tasks()

    assert sms.outbox == []
    assert not OutboundMessage.objects.filter(channel="sms").exists()
    assert Reminder.objects.count() == 0  # as for a patient with no phone: nothing to send it by


def test_a_text_queued_before_the_number_was_known_to_refuse_is_not_sent(time_machine):
    _reminder_due(time_machine)
    follow_ups.send_due_messages()  # queued, not sent yet
    TextOptOut.objects.create(number=PHONE, at=timezone.now())

    run_queued_tasks()

    assert sms.outbox == []
    [message] = OutboundMessage.objects.filter(channel="sms")
    assert (message.status, message.last_error) == ("failed", "RecipientOptedOut")


def test_the_clinician_sees_beside_the_phone_that_the_patient_asked_for_no_texts(client, clinician):
    from tests.dashboard.factories import make_intake

    intake = make_intake("routine_plain", name="Stop Texting")
    intake.patient.phone = PHONE
    intake.patient.save(update_fields=["phone"])
    TextOptOut.objects.create(number=PHONE, at=timezone.make_aware(datetime.datetime(2027, 3, 4, 9, 0)))
    client.force_login(clinician)

    page = client.get(f"/staff/intakes/{intake.pk}/").content.decode()

    assert "No text messages: the patient asked for none (Mar 4, 2027)." in page


def test_a_follow_up_for_a_patient_with_only_a_phone_that_asked_for_no_texts_is_cancelled_not_shown_sent(
    time_machine,
):
    """As for a patient with no phone: it was stamped sent, nothing went, and the list then showed it overdue
    (review of the stop-32 commits)."""
    from intake import services
    from intake.models import FollowUp, Patient
    from intake.services import follow_ups as due
    from tests.intake.factories import routine_answers

    services.create_submitted_intake_for_demo(
        answers=routine_answers(), email="", patient_name="Pat Stop", appointment_at=VISIT
    )
    Patient.objects.update(phone=PHONE, email="")
    TextOptOut.objects.create(number=PHONE, at=timezone.now())
    due.send_due_messages(now=VISIT)
    time_machine.move_to(VISIT + 42 * DAY, tick=False)

    due.send_due_messages()

    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.FOLLOW_UP).exists()
    six_weeks = FollowUp.objects.order_by("due_at").first()
    assert six_weeks is not None
    assert (six_weeks.sent_at, six_weeks.cancelled_at is not None) == (None, True)


def test_a_text_to_two_numbers_still_reaches_the_one_that_did_not_ask_for_none(monkeypatch, settings):
    from messaging import registry
    from messaging import services as messages
    from messaging.sms.texts import TextSlots

    other = "+15550100124"
    monkeypatch.setitem(
        registry._text_renderers, "invitation", lambda message: TextSlots(link=f"{settings.SITE_URL}/intake/start/x/")
    )
    TextOptOut.objects.create(number=PHONE, at=timezone.now())
    messages.queue("invitation", 1, [PHONE, other], channel="sms")

    run_queued_tasks()

    assert [text.to for text in sms.outbox] == [other]


def test_a_queued_text_no_longer_needed_is_cancelled_whatever_its_number(time_machine):
    """The intake was sent before the reminder went: "not needed any more", not a failure (review of the stop-32
    commits: the opt-out was checked before whether the text was still needed)."""
    from intake import services
    from intake.models import Intake

    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    invitation, _ = make_invitation(appointment_at=VISIT, email="", phone=PHONE)
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    intake = services.start_intake(invitation)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SUBMITTED, submitted_at=timezone.now())
    TextOptOut.objects.create(number=PHONE, at=timezone.now())

    run_queued_tasks()

    [message] = OutboundMessage.objects.filter(channel="sms")
    assert message.status == OutboundMessage.Status.CANCELLED
