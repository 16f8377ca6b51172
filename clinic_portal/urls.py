from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Spine Clinic Portal administration"
admin.site.site_title = "Spine Clinic Portal"

urlpatterns = [
    path("", include("education.urls")),
    path("", include("intake.urls")),  # /intake/... for patients, /staff/invitations/... for staff
    path("staff/", include("accounts.urls")),
    path("staff/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]
