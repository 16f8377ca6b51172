"""Writing to the audit trail. Every staff action on patient data goes through `record`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.http import HttpRequest

from audit.models import AuditEvent, EventIntake


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    intake_id: int | None = None,
    intakes: QuerySet[Any] | Iterable[int] | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an event. `intakes` names the several intakes it covered (an export's lines, a list's rows): ids, or a
    queryset of the intakes themselves, copied by the database in one statement however many there are."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        intake_id=intake_id,
        ip_address=client_address(request),
        detail=detail[:300],
    )
    # Not one transaction with the event: if copying the ids failed, the export or list fails with it, and an event
    # naming too little is still recorded (the count in its detail says how many).
    if isinstance(intakes, QuerySet):
        _copy_ids(event, intakes)
    elif intakes is not None:
        EventIntake.objects.bulk_create(EventIntake(event=event, intake_id=listed) for listed in dict.fromkeys(intakes))
    return event


def _copy_ids(event: AuditEvent, rows: QuerySet[Any]) -> None:
    """INSERT ... SELECT: fifty thousand exported intakes are one statement, not fifty thousand objects in memory."""
    sql, params = rows.order_by().values(audited_id=F("pk")).query.sql_with_params()
    table = connection.ops.quote_name(EventIntake._meta.db_table)
    column = connection.ops.quote_name("audited_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, intake_id) "  # noqa: S608 - names from the models, values as parameters
            f"SELECT DISTINCT %s, listed.{column} FROM ({sql}) AS listed",
            (event.pk, *params),
        )
