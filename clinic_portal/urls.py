from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Spine Clinic Portal administration"
admin.site.site_title = "Spine Clinic Portal"

urlpatterns = [
    path("", include("education.urls")),
    path("intake/", include("intake.urls")),
    path("staff/", include("accounts.urls")),
    path("staff/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]
