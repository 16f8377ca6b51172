"""`manage.py check` (run at every start) reports every problem in every instrument file, so a clinic's new file
with a typo stops the deployment with a clear message instead of failing in front of a patient."""

from __future__ import annotations

from typing import Any

from django.core import checks

from outcomes import registry
from outcomes.instruments.loader import InstrumentError


@checks.register()
def instrument_files(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        registry.instruments()
    except InstrumentError as error:
        return [
            checks.Error(problem, hint="See outcomes/instruments/data/README.md for the format.", id="outcomes.E001")
            for problem in error.problems
        ]
    return []
