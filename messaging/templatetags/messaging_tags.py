"""`{% latest_message "invitation" invitation.pk as invitation_email %}`: the newest message of a kind about a row."""

from __future__ import annotations

from django import template

from messaging import selectors
from messaging.models import OutboundMessage

register = template.Library()


@register.simple_tag
def latest_message(kind: str, about_id: object) -> OutboundMessage | None:
    return selectors.latest(kind, about_id)
