"""Keeps each text in ``messaging.sms.outbox`` instead of sending it: for tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from messaging import sms
from messaging.sms.backends.base import BaseSmsBackend

if TYPE_CHECKING:
    from messaging.sms import TextMessage


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages: Sequence[TextMessage]) -> int:
        sms.outbox.extend(messages)
        return len(messages)
