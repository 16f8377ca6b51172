"""Staff alerts for urgent and serious intakes (implemented by the dashboards issue).

Contract for the intake side: call `intake_level_changed(intake, previous_level=...)` inside the same transaction
that saved the intake's new level. It queues the alert e-mails through Django's tasks API, so they are sent once
even if the mail server or the worker is down.
"""

from __future__ import annotations

from intake.models import Intake


def intake_level_changed(intake: Intake, *, previous_level: int | None) -> None:
    """Queue the on-call alert when an intake has just become urgent or serious. Filled in by the dashboards work."""
