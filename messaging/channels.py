"""The two ways a message reaches someone: e-mail (Django's mail backends) and text message (``messaging.sms``).

Every message row names its channel (``OutboundMessage.channel``); the renderer registered for its kind and channel
says what it says (``messaging.registry``), and ``send`` hands it to the channel's backend. Both channels share the
rest: one row per message, the task, retries with backoff, the sweeper, "sent once" (``messaging.delivery``).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
from typing import TYPE_CHECKING

from django.core.mail import get_connection, send_mail

from messaging import sms
from messaging.sms.backends.unconfigured import SmsNotConfigured

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
        return
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        with contextlib.suppress(Exception):
            connection.close()  # a connection half opened (its sign-in refused, say)
        raise MailServerNotReached(type(error).__name__) from error
    try:
        send_mail(rendered.subject, rendered.body, None, recipients, connection=connection)
    finally:
        connection.close()


class MailServerNotReached(Exception):
    """The connection to the mail server could not be opened: refused, timed out before the server's greeting, name
    unknown, TLS or sign-in failed. Nothing was handed over, so the message cannot have arrived (`may_have_arrived`);
    the cause's class name is its text."""


# What a channel raises only before the message could be taken: no connection, the server's greeting or sign-in
# failed, or it refused the sender, the recipients or the message itself; the provider refused the number or took none.
_NOT_TAKEN = (
    MailServerNotReached,
    ConnectionRefusedError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    sms.RecipientOptedOut,
    sms.SmsNotSent,
    SmsNotConfigured,
)


def may_have_arrived(error: Exception) -> bool:
    """Whether a message whose `send` raised `error` may have been taken all the same: anything but a refusal before
    the message was taken (a timeout or a dropped connection while waiting for the mail server's answer to it)."""
    return not isinstance(error, _NOT_TAKEN)
