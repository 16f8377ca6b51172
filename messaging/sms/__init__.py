"""Text messages (SMS): the backend interface and sending, modelled on Django's e-mail backends.

A backend is a class with ``send_messages(messages) -> int`` (how many went out), chosen by dotted path in the
SMS_BACKEND setting; ``open``/``close`` and use as a context manager are there for providers that keep a connection.
Shipped: ``console`` (prints each message: development), ``locmem`` (keeps them in ``messaging.sms.outbox``:
tests), ``file`` (one file per batch in SMS_FILE_PATH) and ``unconfigured`` (refuses: the production default until a
provider is set). README.md, "Text messages (SMS)", shows a provider's backend.

A backend raises when a message could not be handed over; the message task then retries it like an e-mail
(``messaging.delivery``). Texts are composed by ``messaging.sms.texts`` from fixed wording, so they never carry
clinical details.

Public API: ``TextMessage(to, body)``, ``get_backend(path=None, **kwargs)``, ``send_text(body, recipients) -> int``,
``SmsNotSent``, ``RecipientOptedOut(numbers)`` (a provider's refusal of numbers that replied STOP), ``outbox`` (the
locmem backend's list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from messaging.sms.backends.base import BaseSmsBackend

# Filled by the locmem backend, emptied by the tests (like django.core.mail.outbox).
outbox: list[TextMessage] = []


@dataclass(frozen=True)
class TextMessage:
    to: str  # a phone number in E.164 form (+15550100100)
    body: str


class SmsNotSent(RuntimeError):
    """The backend handed over fewer messages than it was given without saying why: retried like a failure."""


class RecipientOptedOut(RuntimeError):
    """The provider refuses to text these numbers because their owners asked for no more texts (they replied STOP:
    Twilio's error 21610, and the like). Never retried: the numbers are kept as refusing texts
    (``messaging.models.TextOptOut``) and no later text is queued to them. Carries the numbers, never a message."""

    def __init__(self, numbers: Sequence[str]) -> None:
        super().__init__("the recipient asked for no text messages")
        self.numbers = tuple(numbers)


def get_backend(path: str | None = None, **kwargs: Any) -> BaseSmsBackend:
    backend_class = import_string(path or settings.SMS_BACKEND)
    backend: BaseSmsBackend = backend_class(**kwargs)
    return backend


def send_text(body: str, recipients: Sequence[str]) -> int:
    """Send one text to each recipient through the configured backend; raises when any was not handed over."""
    messages = [TextMessage(to, body) for to in recipients]
    sent = get_backend().send_messages(messages)
    if sent < len(messages):
        raise SmsNotSent
    return sent
