"""Included at the site root: the FHIR read of the published Questionnaire ([base]/Questionnaire/[id], no trailing
slash, so the canonical URL resolves) and the staff download beside the intake page."""

from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("fhir/Questionnaire/<str:questionnaire_id>", views.questionnaire, name="fhir-questionnaire"),
    path("staff/intakes/<int:intake_id>/fhir/", views.intake_bundle, name="intake-fhir"),
]
