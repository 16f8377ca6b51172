"""What each kind of message says, supplied by the app that owns the row it is about.

The intake app registers its renderers at start-up (`IntakeConfig.ready`), so this app never imports it. A renderer
reads what it needs from the database when the message is sent and returns the subject and body, or None when the
message is not needed any more (the row it was about is gone, the link it carries stopped working).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from messaging.models import OutboundMessage


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


Renderer = Callable[["OutboundMessage"], Rendered | None]

_renderers: dict[str, Renderer] = {}


class NoRenderer(LookupError):
    """No app registered a renderer for this kind of message."""


def register(kind: str, renderer: Renderer) -> None:
    _renderers[kind] = renderer


def render(message: OutboundMessage) -> Rendered | None:
    renderer = _renderers.get(message.kind)
    if renderer is None:
        raise NoRenderer(message.kind)
    return renderer(message)
