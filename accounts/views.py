from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def after_sign_in(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is: the queue for clinic staff, the admin for content editors."""
    user = request.user
    if user.has_perm("intake.view_queue"):
        return redirect("dashboard:queue")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("home")
