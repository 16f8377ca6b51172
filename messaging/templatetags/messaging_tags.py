"""`{% latest_message "invitation" invitation.pk as invitation_email %}`: the newest e-mail of a kind about a row;
`channel=""` for the newest by e-mail or text."""

from __future__ import annotations

from django import template

from messaging import channels, selectors
from messaging.models import OutboundMessage

register = template.Library()


@register.simple_tag
def latest_message(kind: str, about_id: object, channel: str = channels.EMAIL) -> OutboundMessage | None:
    return selectors.latest(kind, about_id, channel)
