"""The staff side of invitations: make one, see the link once, see where each one stands, make a new link.

The raw link exists only in the response that shows it: it is parked in the staff member's session between the
POST and the page that displays it (post/redirect/get, so a reload cannot make a second invitation), and removed
as soon as it is shown.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import staff_permission_required
from audit import services as audit
from intake import selectors, services
from intake.forms import InvitationForm
from intake.models import Invitation

_LINK_KEY = "intake_new_link"


def _park_link(request: HttpRequest, invitation: Invitation, token: str) -> None:
    request.session[_LINK_KEY] = {"invitation": invitation.pk, "token": token}


def _take_link(request: HttpRequest, invitation: Invitation) -> str | None:
    parked = request.session.get(_LINK_KEY)
    if isinstance(parked, dict) and parked.get("invitation") == invitation.pk:
        del request.session[_LINK_KEY]
        # The public address from settings, the same as in the e-mail, whatever host the staff page was opened on.
        return settings.SITE_URL + reverse("intake:start", args=[parked["token"]])
    return None


@never_cache
@staff_permission_required("intake.add_invitation")
@require_http_methods(["GET", "POST"])
def invitation_new(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invitation, token = services.create_invitation(
            patient_name=form.cleaned_data["patient_name"],
            email=form.cleaned_data["email"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            appointment_at=form.cleaned_data["appointment_at"],
            created_by=request.user,
            send_email=form.cleaned_data["send_email"],
        )
        audit.record("created_invitation", request=request, detail=f"invitation {invitation.pk}")
        _park_link(request, invitation, token)
        return redirect("intake:invitation-detail", pk=invitation.pk)
    return render(request, "intake/staff/invitation_new.html", {"form": form})


@never_cache
@staff_permission_required("intake.view_invitation")
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.filter(pk=pk).select_related("intake").first()
    if invitation is None:
        raise Http404
    context = {
        "invitation": invitation,
        "intake": getattr(invitation, "intake", None),
        "link": _take_link(request, invitation),
        "now": timezone.now(),
        "last_day": selectors.last_day(invitation),
        "can_renew": request.user.has_perm("intake.add_invitation"),
    }
    return render(request, "intake/staff/invitation_detail.html", context)


@never_cache
@staff_permission_required("intake.add_invitation")
@require_POST
def invitation_renew(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise Http404
    send_email = request.POST.get("send_email") == "on"
    token = services.renew_link(invitation, send_email=send_email)
    audit.record("created_invitation", request=request, detail=f"new link for invitation {invitation.pk}")
    _park_link(request, invitation, token)
    return redirect("intake:invitation-detail", pk=invitation.pk)


@never_cache
@staff_permission_required("intake.view_invitation")
def invitation_list(request: HttpRequest) -> HttpResponse:
    invitations = selectors.recent_invitations(now=timezone.now())
    return render(request, "intake/staff/invitation_list.html", {"invitations": invitations})
