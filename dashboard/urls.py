from django.urls import path

from dashboard import follow_up_views, views

app_name = "dashboard"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/search/", views.queue_search, name="queue-search"),
    path("queue/export.csv", views.export_csv, name="export"),
    path("intakes/<int:intake_id>/", views.intake_detail, name="intake"),
    path("intakes/<int:intake_id>/review/", views.review, name="review"),
    path("intakes/<int:intake_id>/undo-review/", views.undo_review_view, name="undo-review"),
    path("patients/<int:patient_id>/", views.patient, name="patient"),
    path("follow-ups/", follow_up_views.follow_up_list, name="follow-ups"),
    path("reports/outcomes/", views.outcome_report, name="outcome-report"),
    path("audit/", views.audit_trail, name="audit"),
]
