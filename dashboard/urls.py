from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/search/", views.queue_search, name="queue-search"),
    path("queue/export.csv", views.export_csv, name="export"),
    path("intakes/<int:intake_id>/", views.intake_detail, name="intake"),
    path("intakes/<int:intake_id>/review/", views.review, name="review"),
    path("reports/outcomes/", views.outcome_report, name="outcome-report"),
    path("audit/", views.audit_trail, name="audit"),
]
