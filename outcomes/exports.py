"""The FHIR documents as the portal serves them: the published Questionnaire and one intake's Bundle, with this
deployment's SITE_URL, clinic name and instruments. Reads only; the callers record the export in the audit trail."""

from __future__ import annotations

import datetime
import functools
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from intake.models import Intake
from intake.rules.catalogue import FORMS, form_for
from intake.rules.form_versions import INTAKE_FORM
from outcomes import registry
from outcomes.fhir import codes
from outcomes.fhir.bundle import build_bundle, record_of
from outcomes.fhir.questionnaire import build_questionnaire

if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.questionnaire import Questionnaire


def published_questionnaire(questionnaire_id: str) -> str | None:
    """The Questionnaire with this id as JSON, or None: one per form the portal serves now, the pre-visit intake and
    the follow-up (older forms are not kept in code; their field codes live on in these, docs/clinical/INTAKE.md)."""
    for form in FORMS.values():
        if questionnaire_id == codes.questionnaire_id(form_version=form.version):
            return questionnaire_json(settings.SITE_URL, settings.CLINIC_NAME, form.version)
    return None


@functools.lru_cache(maxsize=8)
def questionnaire_json(site_url: str, publisher: str, form_version: str = INTAKE_FORM) -> str:
    """Built and validated once per process and form (about a quarter of a second each time): the form is code, and
    it changes only with a deployment."""
    return as_json(build_questionnaire(site_url=site_url, publisher=publisher, form=form_for(form_version)))


def intake_for_export(intake_id: int, *, assessed_only: bool = True) -> Intake | None:
    """The intake with its invitation, in one query. Staff pages show only intakes the rules have assessed (an
    unassessed one is 404 there too); the management command may export any."""
    intakes = Intake.objects.select_related("invitation").filter(pk=intake_id)
    if assessed_only:
        intakes = intakes.filter(level__isnull=False)
    return intakes.first()


def intake_bundle(intake: Intake, *, now: datetime.datetime | None = None) -> Bundle:
    return build_bundle(
        record_of(intake),
        site_url=settings.SITE_URL,
        now=now or timezone.now(),
        instruments=registry.instruments().values(),
    )


def as_json(resource: Bundle | Questionnaire) -> str:
    return resource.model_dump_json(indent=2)


def download_name(intake: Intake) -> str:
    """The file name of the download: the intake number only, never the patient's name."""
    return f"intake-{intake.pk}-fhir.json"
