"""`manage.py check --deploy`: a clinic that runs without anyone to alert would store urgent intakes that reach
nobody (found in the stop-28 audit: the alert failed with a bare RuntimeError in the log, then gave up)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

# Each address list the alerts need: what goes wrong without it, whom to put in it, the check's id.
RECIPIENT_SETTINGS = (
    ("ALERT_EMAILS", "urgent and serious intakes would alert nobody", "the on-call addresses", "alerts.E001"),
    (
        "ESCALATION_EMAILS",
        "an urgent intake nobody reviews in time would escalate to nobody",
        "the clinical lead's addresses",
        "alerts.E002",
    ),
)


@checks.register(checks.Tags.security, deploy=True)
def alert_recipients(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(f"{name} is empty: {consequence}.", hint=f"Set {name} to {who} (comma-separated).", id=check_id)
        for name, consequence, who, check_id in RECIPIENT_SETTINGS
        if not getattr(settings, name)
    ]
