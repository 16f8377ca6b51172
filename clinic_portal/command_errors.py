"""Management commands that cron or a systemd timer runs over patient rows fail naming the error's class only.

What such a command raises is printed to standard error, which cron mails and the journal keeps, outside every log
filter (settings.LOGGING). A database error's text can quote the row it refused: PostgreSQL's "DETAIL: Failing row
contains (...)" holds the patient's name, birth date and e-mail, or an intake's answers. Under `class_name_only` a
failure becomes a `CommandError` naming the error's class: the command still exits non-zero (cron and the timer see
it fail), and `--traceback` shows where it failed (the failure's frames: file, line and code, as the logs keep them
for a page's error, `clinic_portal.log_filters`) without chaining the original error, or its message, in.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from clinic_portal.log_filters import WITHHELD, redact


class WithheldError(Exception):
    """Where a command's failure happened, its message withheld: what `--traceback` shows as the failure's cause."""


@contextmanager
def class_name_only(command: str) -> Iterator[None]:
    try:
        yield
    except CommandError:
        raise  # our own words, which name no patient
    except Exception as error:
        kind = type(error)
        frames = redact("".join(traceback.format_tb(error.__traceback__)))
        where = WithheldError(
            f"\nTraceback (most recent call last):\n{frames}{kind.__module__}.{kind.__qualname__}: {WITHHELD}"
        )
        raise CommandError(
            f"{command} failed ({kind.__name__}); its message is withheld, as it may quote patient data."
        ) from where
