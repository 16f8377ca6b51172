"""Addresses of what the portal publishes in FHIR, and of its own code systems, all under SITE_URL.

No LOINC code is used: the PEG and PSFS codes could not be confirmed, so scores carry the portal's own instrument
code system, and a clinic that knows a published code adds it to the instrument's file (``[[codings]]``, shown in
outcomes/instruments/data/README.md).
"""

from __future__ import annotations

from intake.rules.form_versions import INTAKE_FORM
from intake.rules.triage import RULES_VERSION

# The form version the Questionnaire is published under. The intake form and its rules are versioned together
# (docs/clinical/INTAKE.md and docs/clinical/TRIAGE.md, both 2027.1), so the rules version names the form.
FORM_VERSION = RULES_VERSION
QUESTIONNAIRE_PREFIX = "spine-intake-"
CONTENT_TYPE = "application/fhir+json"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"


def questionnaire_id(version: str = FORM_VERSION, *, form_version: str = INTAKE_FORM) -> str:
    """The Questionnaire id of a form version: ``spine-intake-2027.1``, ``spine-follow-up-2027.1``. ``version`` is
    the intake's edition (the older way of naming it); a follow-up is named by its ``form_version`` alone."""
    if form_version == INTAKE_FORM:
        return f"{QUESTIONNAIRE_PREFIX}{version}"
    return f"spine-{form_version}"


def questionnaire_url(site_url: str, version: str = FORM_VERSION, *, form_version: str = INTAKE_FORM) -> str:
    """The Questionnaire's canonical URL, which is also where it is served, FHIR-style with no trailing slash."""
    return f"{site_url}/fhir/Questionnaire/{questionnaire_id(version, form_version=form_version)}"


def edition(form_version: str) -> str:
    """The Questionnaire's ``version``: the edition part of a form version ("follow-up-2027.1" -> "2027.1")."""
    return form_version.rsplit("-", 1)[-1]


def answer_system(site_url: str, field_code: str) -> str:
    """The code system of one question's answer codes: one per question, as one code ("none", "yes") reads
    differently under different questions."""
    return f"{site_url}/fhir/CodeSystem/answers/{field_code}"


def field_system(site_url: str) -> str:
    """The portal's field codes as a code system (an Observation component names the item it holds)."""
    return f"{site_url}/fhir/CodeSystem/field-codes"


def instrument_system(site_url: str) -> str:
    """The portal's instrument codes (peg, psfs, ...), the code of each score Observation."""
    return f"{site_url}/fhir/CodeSystem/outcome-instruments"


def intake_identifier_system(site_url: str) -> str:
    return f"{site_url}/fhir/identifier/intake"
