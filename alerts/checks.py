"""`manage.py check --deploy`: a clinic that runs without anyone to alert would store urgent intakes that reach
nobody (found in the stop-28 audit: the alert failed with a bare RuntimeError in the log, then gave up)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def alert_recipients(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not settings.ALERT_EMAILS:
        problems.append(
            checks.Error(
                "ALERT_EMAILS is empty: urgent and serious intakes would alert nobody.",
                hint="Set ALERT_EMAILS to the on-call addresses (comma-separated).",
                id="alerts.E001",
            )
        )
    if not settings.ESCALATION_EMAILS:
        problems.append(
            checks.Error(
                "ESCALATION_EMAILS is empty: an urgent intake nobody reviews in time would escalate to nobody.",
                hint="Set ESCALATION_EMAILS to the clinical lead's addresses (comma-separated).",
                id="alerts.E002",
            )
        )
    return problems
