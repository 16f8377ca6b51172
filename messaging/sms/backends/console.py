"""Prints each text to standard output (development), the way Django's console e-mail backend prints e-mails.

Nothing is masked: a text never carries clinical details (``messaging.sms.texts``), and this backend is for a
developer's own terminal."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from messaging.sms.backends.base import BaseSmsBackend

if TYPE_CHECKING:
    from messaging.sms import TextMessage


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args: Any, stream: IO[str] | None = None, **kwargs: Any) -> None:
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()
        super().__init__(*args, **kwargs)

    def send_messages(self, messages: Sequence[TextMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"Text message to {message.to}\n{message.body}\n{'-' * 79}\n")
            self.stream.flush()
        return len(messages)
