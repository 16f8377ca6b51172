"""Reads of messages: the newest one of a kind about a row, alone or as a subquery next to those rows."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Subquery

from messaging import channels
from messaging.models import OutboundMessage, TextOptOut, state_in_sql


def latest(kind: str, about_id: object, channel: str = channels.EMAIL) -> OutboundMessage | None:
    """The newest message of `kind` about a row on `channel` (e-mail unless said; "" for either); None when there is
    none (or no row: a template's empty value)."""
    if not isinstance(about_id, int) or isinstance(about_id, bool):
        return None
    newest = OutboundMessage.objects.filter(kind=kind, about_id=about_id)
    if channel:
        newest = newest.filter(channel=channel)
    return newest.order_by("-created_at", "-id").first()


def latest_state(kind: str, about: Any, channel: str = channels.EMAIL) -> Subquery:
    """The state ("queued", "retrying", "sent", "failed", "unconfirmed", "cancelled": `State`) of the newest message
    of `kind` about the row `about` points at (an `OuterRef`) on `channel` (e-mail unless said), or NULL: one query
    for a whole list of rows."""
    newest = (
        OutboundMessage.objects.filter(kind=kind, about_id=about, channel=channel)
        .annotate(delivery_state=state_in_sql())
        .order_by("-created_at", "-id")
        .values("delivery_state")[:1]
    )
    return Subquery(newest)


def texts_refused(number: str) -> bool:
    """The owner of this number asked for no text messages (`TextOptOut`)."""
    return bool(number) and TextOptOut.objects.filter(number=number).exists()


def texts_refused_since(number: str) -> datetime.datetime | None:
    """When the owner of this number was first known to ask for no text messages; None if they have not."""
    if not number:
        return None
    return TextOptOut.objects.filter(number=number).values_list("at", flat=True).first()
