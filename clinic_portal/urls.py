from django.contrib import admin
from django.urls import include, path

from clinic_portal import language_choice

admin.site.site_header = "Spine Clinic Portal administration"
admin.site.site_title = "Spine Clinic Portal"

# A lost database answers 503 with Retry-After; any other error a plain 500 page with no details.
handler500 = "clinic_portal.errors.server_error"

urlpatterns = [
    path("", include("education.urls")),
    path("", include("intake.urls")),  # /intake/... for patients, /staff/invitations/... for staff
    path("staff/", include("accounts.urls")),
    path("staff/", include("dashboard.urls")),
    path("", include("outcomes.urls")),  # /fhir/Questionnaire/<id> (public), /staff/intakes/<pk>/fhir/
    path("admin/", admin.site.urls),
    # The language switcher posts to Django's set_language (/i18n/setlang/), guarded by where the request comes from
    # instead of a CSRF token (clinic_portal.language_choice): the choice goes in a cookie, never a URL.
    path("i18n/setlang/", language_choice.set_language, name="set_language"),
]
