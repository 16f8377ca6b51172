"""What each kind of message says, supplied by the app that owns the row it is about.

The intake app registers its renderers at start-up (`IntakeConfig.ready`), so this app never imports it. A renderer
reads what it needs from the database when the message is sent and returns the subject and body, or None when the
message is not needed any more (the row it was about is gone, the link it carries stopped working).

A text message (SMS) has its own renderer per kind (``register_text``), which returns only the slots of the kind's
fixed wording (``messaging.sms.texts``: a link, a code), never free text, so a text cannot carry clinical details.

Lock order. A kind's settled callback (``on_settled``) writes a row of the owning app (a reminder's link goes on its
invitation; staff's e-mail of a link that fails lets the invitation's reminders due go) while the message row is
locked. Every transaction that locks both takes the owner's row first and the
message row second: the owning app's own writes do (staff moving a visit lock the invitation, then delete the
reminders' messages with their reminders; a new reminder locks the invitation, then replaces the earlier message), so
the worker, and a message being replaced, lock the rows the callback writes (``lock_for_settling``) before the
message row. The worker used to lock the message, send it, and only then take the invitation: with staff's move
waiting on the message meanwhile, PostgreSQL broke the deadlock by failing one of them (staff got a "database
unavailable" page and the visit stayed where it was, or the patient got a reminder whose link opened nothing). The
owner's row first because it is the one those paths start from; the worker knows the message's kind and row before
locking anything, while staff do not know which messages a change will touch until they hold the invitation.

Neither is held while the mail server takes a message (EMAIL_TIMEOUT, 10 s, at most; the statement timeout is 4 s):
the worker claims the message in one short transaction, sends it outside any, and records the outcome in a second
(``messaging.delivery``); both take the owner's rows (a reminder's invitation, or the invitation of its own e-mail,
FOR KEY SHARE: ``intake.services.reminders.lock_invitation``) before the message row. Staff's new link, move or
cancel (the invitation FOR UPDATE, then the messages) waited for the whole send before, past the statement timeout: a
"database unavailable" page. Between the two transactions the message is pending and claimed; the owner's changes read a
claimed message as one that may have reached the patient (``intake.services.invitations._drop_unsent_link``).
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
# Locks the rows a kind's settled callback writes, given the message's `about_id` (module docstring: lock order).
LockFirst = Callable[[int], None]

_renderers: dict[str, Renderer] = {}
_text_renderers: dict[str, TextRenderer] = {}
_settled: dict[str, Settled] = {}
_lock_first: dict[str, LockFirst] = {}


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


def on_settled(kind: str, callback: Settled, *, lock_first: LockFirst) -> None:
    """What the owning app does once a message of this kind is settled (a reminder's new link takes the place of
    the old one only once it was sent). It runs in the transaction that records the outcome, with the message row
    locked and its sealed token still on it, so the two are committed together or not at all. `lock_first(about_id)`
    locks the rows `callback` writes; it runs before the message row is locked (module docstring: lock order)."""
    _settled[kind] = callback
    _lock_first[kind] = lock_first


def lock_for_settling(kind: str, about_id: int) -> None:
    """Lock the rows a message of this kind about this row writes when it settles, before the message row is locked
    (module docstring: lock order); nothing for a kind that writes none."""
    lock_first = _lock_first.get(kind)
    if lock_first is not None:
        lock_first(about_id)


def has_settled_hook(kind: str) -> bool:
    return kind in _settled


def settled(message: OutboundMessage, *, sent: bool) -> None:
    callback = _settled.get(message.kind)
    if callback is not None:
        callback(message, sent)
