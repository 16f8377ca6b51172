from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import staff_permission_required


@staff_permission_required("intake.view_queue")
def queue(request: HttpRequest) -> HttpResponse:
    """Placeholder until the dashboards issue lands: the sign-in redirect needs a target."""
    return render(request, "dashboard/queue.html")
