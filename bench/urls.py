"""The portal's URLs plus the bench's bare view (bench/settings.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


handler500 = "clinic_portal.errors.server_error"

urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("clinic_portal.urls")),
]
