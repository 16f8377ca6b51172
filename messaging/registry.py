"""What each kind of message says, supplied by the app that owns the row it is about.

The intake app registers its renderers at start-up (`IntakeConfig.ready`), so this app never imports it. A renderer
reads what it needs from the database when the message is sent and returns the subject and body, or None when the
message is not needed any more (the row it was about is gone, the link it carries stopped working).

A text message (SMS) has its own renderer per kind (``register_text``), which returns only the slots of the kind's
fixed wording (``messaging.sms.texts``: a link, a code), never free text, so a text cannot carry clinical details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from messaging import channels
from messaging.sms.texts import TextSlots, compose

if TYPE_CHECKING:
    from messaging.models import OutboundMessage


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


Renderer = Callable[["OutboundMessage"], Rendered | None]
TextRenderer = Callable[["OutboundMessage"], TextSlots | None]
# Told once a message of its kind is settled: sent (True), or failed for good or not needed (False).
Settled = Callable[["OutboundMessage", bool], None]

_renderers: dict[str, Renderer] = {}
_text_renderers: dict[str, TextRenderer] = {}
_settled: dict[str, Settled] = {}


class NoRenderer(LookupError):
    """No app registered a renderer for this kind of message."""


def register(kind: str, renderer: Renderer) -> None:
    _renderers[kind] = renderer


def register_text(kind: str, renderer: TextRenderer) -> None:
    """What a text message of this kind carries (its wording is fixed: ``messaging.sms.texts``)."""
    _text_renderers[kind] = renderer


def render(message: OutboundMessage) -> Rendered | None:
    if message.channel == channels.SMS:
        return render_text(message)
    renderer = _renderers.get(message.kind)
    if renderer is None:
        raise NoRenderer(message.kind)
    return renderer(message)


def render_text(message: OutboundMessage) -> Rendered | None:
    """A text message: its kind's fixed wording with the slots its renderer gives (no subject)."""
    renderer = _text_renderers.get(message.kind)
    if renderer is None:
        raise NoRenderer(f"{message.kind} (text message)")
    slots = renderer(message)
    if slots is None:
        return None
    return Rendered("", compose(message.kind, slots))


def on_settled(kind: str, callback: Settled) -> None:
    """What the owning app does once a message of this kind is settled (a reminder's new link takes the place of
    the old one only once it was sent). It runs in the transaction that records the outcome, with the message row
    locked and its sealed token still on it, so the two are committed together or not at all."""
    _settled[kind] = callback


def has_settled_hook(kind: str) -> bool:
    return kind in _settled


def settled(message: OutboundMessage, *, sent: bool) -> None:
    callback = _settled.get(message.kind)
    if callback is not None:
        callback(message, sent)
