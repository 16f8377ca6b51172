"""Text messages (SMS) as a second channel beside e-mail: one row each, chosen per message, sent once by the worker
through a pluggable backend, retried through a provider outage like e-mail, and worded so they never carry clinical
details."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from intake.rules.patient_messages import CE_SIGN_PHRASES, MSCC_SIGN_PHRASES
from intake.rules.triage import FLAGS_BY_CODE
from messaging import channels, delivery, registry, selectors, sms
from messaging import services as messages
from messaging.models import OutboundMessage
from messaging.sms import texts
from messaging.sms.backends.base import BaseSmsBackend
from messaging.sms.backends.console import SmsBackend as ConsoleBackend
from messaging.sms.backends.file import SmsBackend as FileBackend
from messaging.sms.backends.unconfigured import SmsBackend as UnconfiguredBackend
from messaging.sms.backends.unconfigured import SmsNotConfigured
from messaging.sms.segments import segments
from messaging.sms.texts import TextSlots
from tests.messaging.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db

PHONE = "+15550100123"
LOCMEM = "messaging.sms.backends.locmem.SmsBackend"
LINK = "https://portal.clinic.example/intake/start/Zq-opaque-token/"


class RefusingSmsBackend(BaseSmsBackend):
    """A provider that cannot be reached."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError


class SilentlyDroppingSmsBackend(BaseSmsBackend):
    """A provider that accepts the call but takes none of the messages."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        return 0


@pytest.fixture(autouse=True)
def _texts(settings, monkeypatch):
    settings.SMS_BACKEND = LOCMEM
    settings.CLINIC_NAME = "Riverside Spine Clinic"
    settings.CLINIC_PHONE = "(555) 010-0100"
    monkeypatch.setattr(sms, "outbox", [])
    # The intake's real renderers come with the phone field (issue 12); these stand in for them.
    monkeypatch.setitem(registry._text_renderers, "invitation", lambda message: TextSlots(link=LINK))
    monkeypatch.setitem(registry._text_renderers, "device_code", lambda message: TextSlots(code="123456", minutes=10))


def queue_text(kind: str = "invitation", about_id: int = 1, **kwargs: object) -> OutboundMessage:
    with transaction.atomic():
        return messages.queue(kind, about_id, [PHONE], channel=channels.SMS, **kwargs)  # type: ignore[arg-type]


def time_passes() -> None:
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_a_text_message_is_a_row_on_the_sms_channel_that_the_worker_sends_once():
    message = queue_text()
    assert (message.channel, message.recipients, message.state) == ("sms", [PHONE], "queued")
    run_queued_tasks()
    run_queued_tasks()
    assert sms.outbox == [
        sms.TextMessage(PHONE, f"Riverside Spine Clinic: please answer a few questions before your visit. "
                               f"Your private link: {LINK}")
    ]  # fmt: skip
    assert mail.outbox == []
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert str(message) == f"Invitation link, to the patient text #{message.pk}"
    messages.send(message.pk)  # a duplicated task
    assert len(sms.outbox) == 1


def test_the_channel_is_chosen_per_message_and_email_stays_the_default():
    with transaction.atomic():
        email = messages.queue("invitation", 1, ["jo@example.org"])
    text = queue_text(replace_pending=True)
    email.refresh_from_db()
    assert (email.channel, email.status) == ("email", "pending")  # a new text does not cancel the e-mail
    assert selectors.latest("invitation", 1) == email
    assert selectors.latest("invitation", 1, channel=channels.SMS) == text
    assert queue_text(replace_pending=True).channel == "sms"
    text.refresh_from_db()
    assert text.status == "cancelled"  # ... but it does cancel the older unsent text


def test_a_provider_outage_delays_a_text_but_loses_none_and_sends_it_once(settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    message = queue_text()
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.state, message.last_error) == (
        "pending", 1, "retrying", "ConnectionRefusedError"
    )  # fmt: skip
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)
    assert not DBTaskResult.objects.ready().exists()  # the retry waits
    settings.SMS_BACKEND = LOCMEM  # the provider is back
    time_passes()
    run_queued_tasks()
    run_queued_tasks()
    assert [text.to for text in sms.outbox] == [PHONE]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_a_provider_that_silently_takes_nothing_is_a_failure_that_is_retried(settings):
    settings.SMS_BACKEND = f"{__name__}.SilentlyDroppingSmsBackend"
    message = queue_text()
    run_queued_tasks()
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("pending", "SmsNotSent")


def test_a_text_gives_up_after_the_maximum_attempts_like_an_email(settings):
    settings.SMS_BACKEND = "messaging.sms.backends.unconfigured.SmsBackend"
    message = queue_text()
    for _ in range(delivery.max_attempts()):
        messages.send(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("failed", 12, "SmsNotConfigured")
    assert sms.outbox == []


def test_the_sweeper_requeues_a_text_whose_task_was_lost():
    queue_text()
    DBTaskResult.objects.all().delete()
    assert messages.sweep(now=timezone.now() + datetime.timedelta(minutes=5))["requeued"] == 1
    run_queued_tasks()
    assert len(sms.outbox) == 1


def test_a_text_that_is_no_longer_needed_is_cancelled_and_one_without_wording_fails_safely(monkeypatch):
    monkeypatch.setitem(registry._text_renderers, "invitation", lambda message: None)
    message = queue_text()
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "cancelled"
    lockout = queue_text(kind="lockout")  # no text renderer: an e-mail-only kind
    run_queued_tasks()
    lockout.refresh_from_db()
    assert (lockout.status, lockout.last_error) == ("pending", "NoRenderer")
    assert sms.outbox == []


def test_a_text_goes_only_to_phone_numbers_in_e164_form():
    for wrong in ("555 010 0123", "15550100123", "+1", "jo@example.org"):
        with pytest.raises(ValueError, match=r"E\.164"), transaction.atomic():
            messages.queue("invitation", 1, [wrong], channel=channels.SMS)
    with pytest.raises(ValueError, match="unknown channel"), transaction.atomic():
        messages.queue("invitation", 1, [PHONE], channel="pigeon")
    assert not OutboundMessage.objects.exists()


# --- what a text may say ---------------------------------------------------------------------------------------

CLINICAL_WORDS = frozenset(
    {"pain", "back", "leg", "legs", "urgent", "emergency", "serious", "sciatica", "cauda", "equina", "bladder",
     "bowel", "numb", "numbness", "weak", "weakness", "cancer", "flag", "flags", "triage", "level", "symptom",
     "symptoms", "fever", "infection", "spine", "spinal", "cord", "nerve", "a&e", "911"}
)  # fmt: skip


def clinical_words(text: str) -> set[str]:
    words = set(re.findall(r"[a-z&]+", text.lower()))
    phrases = [*CE_SIGN_PHRASES.values(), *MSCC_SIGN_PHRASES.values()]
    phrases += [flag.short for flag in FLAGS_BY_CODE.values()]
    found = words & CLINICAL_WORDS
    found |= {phrase for phrase in phrases if phrase.lower() in text.lower()}
    return found


def test_no_text_carries_clinical_details(settings):
    settings.CLINIC_NAME = "Northside Clinic"  # the shipped demo name says "Spine"; a clinic's name is its own
    sample = TextSlots(link=LINK, code="123456", minutes=10)
    for kind, template in texts.TEXTS.items():
        assert texts.slots_used(template) <= texts.SLOTS, kind
        text = texts.compose(kind, sample)
        assert segments(text) <= texts.WORDING_SEGMENTS
        assert not clinical_words(text), f"{kind}: {text}"
    # A renderer can give only a link, a code, minutes and a language: no free text.
    assert [field.name for field in dataclasses.fields(TextSlots)] == ["link", "code", "minutes", "language"]


def test_a_renderer_cannot_slip_other_text_into_the_slots():
    with pytest.raises(texts.TextProblem, match="link into the portal"):
        texts.compose("invitation", TextSlots(link="https://elsewhere.example/urgent-back-pain"))
    with pytest.raises(texts.TextProblem, match="link into the portal"):
        texts.compose("invitation", TextSlots(link=LINK + " Your level: urgent"))
    with pytest.raises(texts.TextProblem, match="4 to 10 digits"):
        texts.compose("device_code", TextSlots(code="CES suspected", minutes=10))
    with pytest.raises(texts.TextProblem, match="needs link"):
        texts.compose("invitation", TextSlots())
    with pytest.raises(texts.TextProblem, match="no text message wording"):
        texts.compose("lockout", TextSlots())


def test_the_confirmation_text_is_the_same_whatever_the_answers_were():
    assert texts.compose("confirmation", TextSlots()) == (
        "Riverside Spine Clinic: thank you, we have your answers. Questions? Call us on (555) 010-0100."
    )


# --- the backends --------------------------------------------------------------------------------------------


def test_the_console_backend_prints_each_text():
    stream = io.StringIO()
    sent = ConsoleBackend(stream=stream).send_messages([sms.TextMessage(PHONE, "Hello"), sms.TextMessage(PHONE, "Bye")])
    assert sent == 2
    assert stream.getvalue().count(f"Text message to {PHONE}") == 2
    assert "Hello" in stream.getvalue()


def test_the_file_backend_writes_each_batch_to_a_new_file(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "texts")
    backend = FileBackend()
    assert backend.send_messages([sms.TextMessage(PHONE, "First")]) == 1
    assert backend.send_messages([sms.TextMessage(PHONE, "Second")]) == 1
    written = sorted(path.read_text() for path in (tmp_path / "texts").iterdir())
    assert len(written) == 2
    assert f"To: {PHONE}\nFirst\n" in written[0] + written[1]
    settings.SMS_FILE_PATH = ""
    with pytest.raises(ImproperlyConfigured, match="SMS_FILE_PATH"):
        FileBackend()


def test_the_unconfigured_backend_refuses_and_a_backend_is_chosen_by_dotted_path(settings):
    with pytest.raises(SmsNotConfigured):
        UnconfiguredBackend().send_messages([sms.TextMessage(PHONE, "x")])
    assert isinstance(sms.get_backend(), BaseSmsBackend)
    assert type(sms.get_backend(f"{__name__}.RefusingSmsBackend")) is RefusingSmsBackend
    with BaseSmsBackend() as backend, pytest.raises(NotImplementedError):
        backend.send_messages([])
