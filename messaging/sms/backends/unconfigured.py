"""The production default until a provider is set: refuses every text, so each one is retried and then shown as
failed rather than silently dropped (README.md, "Text messages (SMS)")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from messaging.sms.backends.base import BaseSmsBackend

if TYPE_CHECKING:
    from messaging.sms import TextMessage


class SmsNotConfigured(RuntimeError):
    """SMS_BACKEND names no provider."""


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages: Sequence[TextMessage]) -> int:
        raise SmsNotConfigured
