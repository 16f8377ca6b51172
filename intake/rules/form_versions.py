"""The versions of the patient's forms: what an intake's `form_version` records and FHIR's Questionnaire publishes.

A version names the questions and their wording; it changes when a question is added, removed or reworded, so an
old answer set is always read against the form it was given on (issue 12).

Public API: ``INTAKE_FORM``, ``FOLLOW_UP_FORM``, ``FORM_VERSIONS`` (kind -> version), ``form_version(kind)``.
"""

from __future__ import annotations

INTAKE_FORM = "intake-2027.1"
FOLLOW_UP_FORM = "follow-up-2027.1"
FORM_VERSIONS: dict[str, str] = {"intake": INTAKE_FORM, "follow_up": FOLLOW_UP_FORM}


def form_version(kind: str) -> str:
    """The current form version for an invitation kind ("intake", "follow_up"); KeyError for any other."""
    return FORM_VERSIONS[kind]
