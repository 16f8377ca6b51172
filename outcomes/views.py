"""The FHIR endpoints: the published intake Questionnaire (public, no patient data) and one intake's Bundle (staff).

Views stay thin: `outcomes.exports` builds the documents."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import staff_permission_required
from audit import services as audit
from clinic_portal.errors import busy_page_says
from outcomes import exports
from outcomes.fhir.codes import CONTENT_TYPE

# The same permissions as the intake page (dashboard.views.intake_detail): whoever may read the answers there may
# take them away as a file.
INTAKE_PAGE_PERMISSIONS = ("intake.view_queue", "intake.view_intake")


def _not_found(what: str) -> HttpResponse:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "not-found", "diagnostics": what}],
    }
    return HttpResponse(json.dumps(outcome), status=404, content_type=CONTENT_TYPE)


@require_GET
@cache_control(public=True, max_age=300)
def questionnaire(request: HttpRequest, questionnaire_id: str) -> HttpResponse:
    document = exports.published_questionnaire(questionnaire_id)
    if document is None:
        return _not_found("No such Questionnaire. The portal publishes the form it uses now.")
    return HttpResponse(document, content_type=CONTENT_TYPE)


@busy_page_says("download")
@never_cache
@require_GET
@staff_permission_required(*INTAKE_PAGE_PERMISSIONS)
def intake_bundle(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = exports.intake_for_export(intake_id)
    if intake is None:
        raise Http404
    bundle = exports.intake_bundle(intake)
    audit.record("exported_intakes", request=request, intake_id=intake.pk, detail="FHIR R4 Bundle downloaded")
    response = HttpResponse(exports.as_json(bundle), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.download_name(intake)}"'
    return response
