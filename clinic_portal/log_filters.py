"""Keep patient data and intake links out of the logs, whatever a library decides to log.

Django's request logger writes the path of every 404 and 500 ("Not Found: /intake/start/<token>/") and the full
exception, whose message can quote submitted values (a database error's DETAIL line does). This filter, on the
loggers that see requests, replaces private link tokens in messages and withholds exception messages raised on
patient and staff pages, keeping
the exception type and the traceback's file and line numbers, which are what an engineer needs.
"""

from __future__ import annotations

import logging
import traceback

from intake.log_filters import mask

WITHHELD = "(message withheld: it may contain patient data)"


def redact(text: str) -> str:
    # The private link's token, the one secret that appears in a path, masked as the intake app masks it.
    return mask(text)


def _may_carry_patient_data(record: logging.LogRecord) -> bool:
    """Errors on public article pages keep their message (no patient data there); patient and staff pages do not."""
    request = getattr(record, "request", None)
    path = getattr(request, "path", None)
    return path is None or path.startswith(("/intake/", "/staff/", "/admin/"))


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
            frames = "".join(traceback.format_tb(tb))
            name = f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type else "Exception"
            record.exc_text = f"Traceback (most recent call last):\n{frames}{name}: {WITHHELD}"
            record.exc_info = None
        return True
