"""Errors the intake services raise, with what a view needs to show them next to the right fields."""

from __future__ import annotations

from collections.abc import Mapping


class InvalidAnswers(ValueError):
    """Raised instead of saving answers that do not pass the questionnaire's checks."""

    def __init__(self, step_slug: str, errors: Mapping[str, str]) -> None:
        super().__init__(f"step {step_slug}: {len(errors)} answer(s) need attention")
        self.step_slug = step_slug
        self.errors = dict(errors)
