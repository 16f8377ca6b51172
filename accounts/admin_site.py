"""The Django admin, signing in through the staff sign-in (with two-factor) and refusing staff without access.

The stock admin has its own password-only login form and, for a signed-in person without admin access, redirects
to it again. Here the admin login sends anonymous visitors to the staff sign-in, and signed-in people who may not use
the admin get 403.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse


class PortalAdminSite(admin.AdminSite):
    site_header = "Spine Clinic Portal administration"
    site_title = "Spine Clinic Portal"

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, resolve_url("accounts:sign-in"))

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)
