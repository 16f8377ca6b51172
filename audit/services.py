"""Writing to the audit trail. Every staff action on patient data goes through `record`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from audit.models import AuditEvent


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
    detail: str = "",
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        intake_id=intake_id,
        ip_address=client_address(request),
        detail=detail[:300],
    )
