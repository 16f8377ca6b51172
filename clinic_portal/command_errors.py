"""Management commands that cron or a systemd timer runs over patient rows fail naming the error's class only.

What such a command raises is printed to standard error, which cron mails and the journal keeps, outside every log
filter (settings.LOGGING). A database error's text can quote the row it refused: PostgreSQL's "DETAIL: Failing row
contains (...)" holds the patient's name, birth date and e-mail, or an intake's answers. Under `class_name_only` a
failure becomes a `CommandError` naming the error's class: the command still exits non-zero (cron and the timer see
it fail), and `--traceback` shows where it failed without chaining the original error in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError


@contextmanager
def class_name_only(command: str) -> Iterator[None]:
    try:
        yield
    except CommandError:
        raise  # our own words, which name no patient
    except Exception as error:
        raise CommandError(
            f"{command} failed ({type(error).__name__}); its message is withheld, as it may quote patient data."
        ) from None
