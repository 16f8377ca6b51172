"""The interface every text-message backend implements (see ``messaging.sms``)."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from messaging.sms import TextMessage


class BaseSmsBackend:
    """Subclasses implement ``send_messages``; ``open`` and ``close`` are for backends that hold a connection."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        self.fail_silently = fail_silently

    def open(self) -> bool | None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> BaseSmsBackend:
        try:
            self.open()
        except Exception:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def send_messages(self, messages: Sequence[TextMessage]) -> int:
        """Hand the messages to the provider and return how many it accepted; raise when it refuses."""
        raise NotImplementedError("an SMS backend must define send_messages(messages) -> int")
