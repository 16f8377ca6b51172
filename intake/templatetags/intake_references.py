"""`{{ intake.pk|intake_reference }}`: the reference the patient was given on their receipt (intake.references), so
staff can match it when the patient quotes it on the phone."""

from __future__ import annotations

from django import template

from intake.references import reference_for

register = template.Library()


@register.filter
def intake_reference(intake_id: object) -> str:
    return reference_for(intake_id) if isinstance(intake_id, int) and intake_id > 0 else ""
