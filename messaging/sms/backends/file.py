"""Writes each batch of texts to a new file in SMS_FILE_PATH (or the ``file_path`` argument): for development and
for checking by hand what would have been sent."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from messaging.sms.backends.base import BaseSmsBackend

if TYPE_CHECKING:
    from messaging.sms import TextMessage


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args: Any, file_path: str | Path | None = None, **kwargs: Any) -> None:
        directory = file_path or getattr(settings, "SMS_FILE_PATH", "")
        if not directory:
            raise ImproperlyConfigured("The file SMS backend needs SMS_FILE_PATH: the directory to write texts to.")
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ImproperlyConfigured(f"SMS_FILE_PATH {self.directory} exists and is not a directory.")
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = 0
        super().__init__(*args, **kwargs)

    def _new_path(self) -> Path:
        with self._lock:
            self._count += 1
            stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%d-%H%M%S-%f")
            return self.directory / f"{stamp}-{id(self)}-{self._count}.log"

    def send_messages(self, messages: Sequence[TextMessage]) -> int:
        if not messages:
            return 0
        text = "".join(f"To: {message.to}\n{message.body}\n{'-' * 79}\n" for message in messages)
        self._new_path().write_text(text, encoding="utf-8")
        return len(messages)
