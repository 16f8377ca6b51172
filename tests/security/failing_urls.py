"""The project's URLs plus views that fail on purpose, for the error-page tests (ROOT_URLCONF in those tests only)."""

from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from clinic_portal.urls import handler500
from clinic_portal.urls import urlpatterns as project_urlpatterns

MARKER_IN_ERROR = "ZZ-PHI-MARKER-IN-EXCEPTION"


def crash(request):
    # An exception whose message quotes what the patient sent, as a careless error message or a database DETAIL
    # line would.
    raise ValueError(f"could not parse {request.POST.get('answer', MARKER_IN_ERROR)}")


def unreadable(request):
    raise SuspiciousOperation("a request the portal cannot read")


def database_gone(request, **_page):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


# A patient's question page whose save fails: found first under the intake app's own name ("intake:step"), as the
# error pages look a failed page up (intake.refused_posts); CSRF-exempt, so that a page built in the browser reaches it.
failing_step = ([path("intake/step/<slug:slug>/", csrf_exempt(database_gone), name="step")], "intake")

urlpatterns = [
    path("", include(failing_step)),
    path("intake/test-crash/", crash),
    path("staff/test-crash/", crash),
    path("test-bad-request/", unreadable),
    path("intake/test-database-gone/", database_gone),
    path("test-database-gone/", database_gone),
    *project_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
