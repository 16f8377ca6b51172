"""One statement that stores a page's answers only if the intake is still as the request read it.

`answering._saved_as_read` decides when a page may be stored this way (nothing flagged, nothing to latch); this module
only writes. The statement is written once per process and prepared on the server, as the patient's intake is read
(`intake.selectors.intake_by_invitation_id`): the ORM spent longer building a filtered `update()` than PostgreSQL
spent running it (issue 16).

The row is written when it still holds the answers and resume point the request read, is still open, has no level,
no red-flag latch is open on it, and nothing has written it since the request read it (`updated_at`); otherwise
nothing is written and the caller takes the locked path.

Writes made meanwhile are caught by the row's own columns: PostgreSQL checks them again on the newest version of a
row another transaction changed (waiting for it to end), so a save from another tab, a red flag or "Send" always
wins the row. The latch check is not enough for that on its own (its subquery sees the latches of when the statement
began), and need not be: a latch is only opened together with a write of the answers or of the level
(tests/intake/test_races.py, tests/intake/test_saves_from_two_tabs.py). `updated_at` catches what the page was
judged on changing beneath it without its own columns changing: a follow-up's background, its visit's cancer
history coming back while the page was read (`answering.latch_follow_ups_beside_a_cancer_history` writes it on
every follow-up it reaches, holding its row until the visit's change commits).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

from django.db import connections, router
from django.db.models import Field

from clinic_portal.db_backend import prepared_cursor
from clinic_portal.db_rows import quoted_column
from intake.models import Intake, RedFlagAnswer


def store_if_unchanged(
    intake: Intake, answers: Mapping[str, object], current_step: str, *, now: datetime.datetime
) -> bool:
    """Write `answers` (stored form, `answer_codec.to_json`) and `current_step` over what `intake` holds, if the row
    still holds it; True when written (the instance then holds the new values)."""
    connection = connections[router.db_for_write(Intake)]
    json_field = cast("Field[Any, Any]", Intake._meta.get_field("answers"))
    time_field = cast("Field[Any, Any]", Intake._meta.get_field("updated_at"))
    params = [
        json_field.get_db_prep_save(answers, connection),
        current_step,
        time_field.get_db_prep_save(now, connection),
        intake.pk,
        Intake.Status.IN_PROGRESS.value,
        json_field.get_db_prep_save(intake.answers, connection),
        intake.current_step,
        time_field.get_db_prep_save(intake.updated_at, connection),
    ]
    with prepared_cursor(connection) as cursor:
        cursor.execute(_update_sql(connection.alias), params)
        written: bool = cursor.rowcount == 1
    if written:
        intake.answers, intake.current_step, intake.updated_at = dict(answers), current_step, now
    return written


@lru_cache(maxsize=4)
def _update_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    table, latches = quote(Intake._meta.db_table), quote(RedFlagAnswer._meta.db_table)

    def column(name: str) -> str:
        return quoted_column(Intake, name, connection)

    answers, step = column("answers"), column("current_step")
    return (
        f"UPDATE {table} SET {answers} = %s, {step} = %s, {column('updated_at')} = %s "  # noqa: S608 - names from the models
        f"WHERE {column('id')} = %s AND {column('status')} = %s AND {column('level')} IS NULL "
        f"AND {answers} = %s AND {step} = %s AND {column('updated_at')} = %s AND NOT EXISTS (SELECT 1 FROM {latches} r "
        f"WHERE r.{quoted_column(RedFlagAnswer, 'intake', connection)} = {table}.{column('id')} "
        f"AND r.{quoted_column(RedFlagAnswer, 'cleared_at', connection)} IS NULL)"
    )
