"""The two ways a message reaches someone: e-mail (Django's mail backends) and text message (``messaging.sms``).

Every message row names its channel (``OutboundMessage.channel``); the renderer registered for its kind and channel
says what it says (``messaging.registry``), and ``send`` hands it to the channel's backend. Both channels share the
rest: one row per message, the task, retries with backoff, the sweeper, "sent once" (``messaging.delivery``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.mail import send_mail

from messaging import sms

if TYPE_CHECKING:
    from messaging.models import OutboundMessage
    from messaging.registry import Rendered

EMAIL = "email"
SMS = "sms"
CHOICES = [(EMAIL, "E-mail"), (SMS, "Text message (SMS)")]
# A phone number as the SMS channel takes it: E.164 (+, country code, number; 8 to 15 digits in all).
E164 = r"\+[1-9][0-9]{7,14}"


def send(message: OutboundMessage, rendered: Rendered, recipients: list[str] | None = None) -> None:
    """Hand one rendered message to its channel, to `recipients` (by default all of the message's); raises when the
    channel's backend refuses (the caller retries)."""
    recipients = list(message.recipients) if recipients is None else recipients
    if message.channel == SMS:
        sms.send_text(rendered.body, recipients)
    else:
        send_mail(rendered.subject, rendered.body, None, recipients)
