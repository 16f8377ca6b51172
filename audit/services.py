"""Writing to the audit trail. Every staff action on patient data goes through `record`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
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
    intakes: Iterable[int] = (),
    detail: str = "",
    username: str = "",
) -> AuditEvent:
    """Add an event. `intakes` names the several intakes it covered (a list page's rows); an export adds its lines'
    intakes page by page as it sends them (`add_intakes`). `username`: the account name an event without a signed-in
    actor is about (a failed sign-in's username tried), so the trail's "who" filter finds it."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=(getattr(actor, "username", "") or username)[:150],
        intake_id=intake_id,
        ip_address=client_address(request),
        detail=detail[:300],
    )
    add_intakes(event, intakes)
    return event


def add_intakes(event: AuditEvent, intake_ids: Iterable[int]) -> None:
    """Record that `event` covered these intakes too: one INSERT for a page of an export's lines (on PostgreSQL the
    ids go as one array, not a thousand model objects: a third of a 50,000-line export's time went on building them).
    """
    ids = list(dict.fromkeys(intake_ids))
    if not ids:
        return
    if connection.vendor != "postgresql":
        # An intake named by an earlier page (its scores were on it) is there already, as ON CONFLICT does below.
        EventIntake.objects.bulk_create(
            [EventIntake(event=event, intake_id=listed) for listed in ids], ignore_conflicts=True
        )
        return
    table = connection.ops.quote_name(EventIntake._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, intake_id) "  # the model's table name; values as parameters
            "SELECT %s, UNNEST(%s::bigint[]) ON CONFLICT DO NOTHING",
            [event.pk, ids],
        )
