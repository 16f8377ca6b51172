"""The alerts app's subscriptions to intake events (connected in `AlertsConfig.ready`)."""

from __future__ import annotations

from typing import Any

from alerts import services
from intake.models import Intake


def on_assessment_recorded(
    sender: type[Intake], *, intake: Intake, previous_level: int | None, reopened: bool = False, **kwargs: Any
) -> None:
    # Looked up on the module at call time, so a test can watch the hook by replacing it.
    services.intake_level_changed(intake, previous_level=previous_level, reopened=reopened)


def on_review_undone(sender: type[Intake], *, intake: Intake, was_reviewed: bool = True, **kwargs: Any) -> None:
    services.review_undone(intake, was_reviewed=was_reviewed)
