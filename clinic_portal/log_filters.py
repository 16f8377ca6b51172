"""Keep patient data and intake links out of the logs, whatever a library decides to log.

Django's request logger writes the path of every 404 and 500 ("Not Found: /intake/start/<token>/") and the full
exception, whose message can quote submitted values (a database error's DETAIL line does); the task worker logs a
failed task with its exception, and an SMTP refusal quotes the patient's address. This filter sits on every log
handler (settings.LOGGING; docs/PITFALLS.md): it replaces private link tokens and e-mail addresses in messages and
withholds exception messages, except on public article pages, keeping the exception type and the traceback's file and
line numbers, which are what an engineer needs.
"""

from __future__ import annotations

import logging
import re
import traceback

from intake.log_filters import mask

WITHHELD = "(message withheld: it may contain patient data)"

# Generous on the local part (an apostrophe, a plus), so no piece of a name is left behind.
_EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`|~-]+@[\w-]+(?:\.[\w-]+)+")
# A staff member's e-mailed unlock link (accounts.unlock): who, and the one-time token that lifts their lockout.
_UNLOCK_LINK = re.compile(r"(/sign-in/unlock/)[^/\s\"?]+/[^/\s\"?]+")


def redact(text: str) -> str:
    # The secrets that appear in a path, the patient's link token (masked as the intake app masks it) and a staff
    # unlock link; and any e-mail address (a patient's, quoted by a mail server's refusal).
    return _EMAIL_ADDRESS.sub("[email]", _UNLOCK_LINK.sub(r"\1[link]", mask(text)))


# The language switch too: posted from a patient's page, it saves a confirmed patient's language on their invitation
# and record, and can answer with the advice page drawn from the answers posted (clinic_portal.language_choice).
_PRIVATE_PATHS = ("/intake/", "/staff/", "/admin/", "/i18n/")


def _may_carry_patient_data(record: logging.LogRecord) -> bool:
    """Errors on public article pages keep their message (no patient data there); patient and staff pages do not."""
    request = getattr(record, "request", None)
    path = getattr(request, "path_info", None)  # inside the portal: a URL prefix (SCRIPT_NAME) is not part of it
    return path is None or path.startswith(_PRIVATE_PATHS)


class WithholdPatientData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and _may_carry_patient_data(record):
            exc_type, _exc, tb = record.exc_info
            frames = redact("".join(traceback.format_tb(tb)))
            name = f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type else "Exception"
            record.exc_text = f"Traceback (most recent call last):\n{frames}{name}: {WITHHELD}"
            record.exc_info = None
        return True
