"""E-mail backends for the alert and message tests, usable from a separate worker process (they record to files).

ALERT_TEST_OUTBOX: a JSON-lines file of delivered messages. ALERT_TEST_ATTEMPTS: one line per attempt.
ALERT_TEST_FAIL_FIRST=n: the first n attempts raise. ALERT_TEST_HANG_FIRST=1: the first attempt hangs (to be killed).
MAIL_TEST_OUTAGE: a file whose existence means the mail server refuses (OutageFileBackend).
"""

from __future__ import annotations

import json
import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FlakyFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        attempts = Path(os.environ["ALERT_TEST_ATTEMPTS"])
        with attempts.open("a") as handle:
            handle.write("attempt\n")
        number = len(attempts.read_text().splitlines())
        if number <= int(os.environ.get("ALERT_TEST_FAIL_FIRST", "0")):
            raise ConnectionRefusedError("mail server down (test)")
        if number == 1 and os.environ.get("ALERT_TEST_HANG_FIRST") == "1":
            time.sleep(120)
        with Path(os.environ["ALERT_TEST_OUTBOX"]).open("a") as handle:
            for message in email_messages:
                handle.write(json.dumps({"to": message.to, "subject": message.subject, "body": message.body}) + "\n")
        return len(email_messages)


class AlwaysFailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("mail server down (test)")


def _refusal(email_messages) -> smtplib.SMTPRecipientsRefused:  # type: ignore[no-untyped-def]
    """What smtplib raises when the server turns the recipients away: its text quotes every address."""
    return smtplib.SMTPRecipientsRefused(
        {address: (451, f"4.3.0 <{address}>: try again later".encode()) for m in email_messages for address in m.to}
    )


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise _refusal(email_messages)


class OutageFileBackend(BaseEmailBackend):
    """For a worker process: refuses (quoting the addresses) while the file MAIL_TEST_OUTAGE exists, then delivers to
    the JSON-lines ALERT_TEST_OUTBOX. Every attempt is a line in ALERT_TEST_ATTEMPTS."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        with Path(os.environ["ALERT_TEST_ATTEMPTS"]).open("a") as handle:
            handle.write("attempt\n")
        if Path(os.environ["MAIL_TEST_OUTAGE"]).exists():
            raise _refusal(email_messages)
        with Path(os.environ["ALERT_TEST_OUTBOX"]).open("a") as handle:
            for message in email_messages:
                handle.write(json.dumps({"to": message.to, "subject": message.subject, "body": message.body}) + "\n")
        return len(email_messages)


class OnCallRefusedBackend(BaseEmailBackend):
    """The mail server turns away the on-call addresses (ALERT_EMAILS) and delivers the rest to `mail.outbox`, as
    Django's locmem backend does: a mailbox gone or full, the lead's working."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        from django.conf import settings
        from django.core import mail

        for message in email_messages:
            if set(message.to) & set(settings.ALERT_EMAILS):
                raise _refusal([message])
        mail.outbox.extend(email_messages)
        return len(email_messages)


class TakenThenNoAnswerBackend(BaseEmailBackend):
    """The mail server takes the message (it lands in `mail.outbox`, as with Django's locmem backend), then its reply
    never comes: the send times out, and the sender cannot tell that it arrived."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        from django.core import mail

        mail.outbox.extend(email_messages)
        raise TimeoutError("timed out waiting for the mail server's reply (test)")
