"""The Django admin, signing in through the staff sign-in (with two-factor) and refusing staff without access.

The stock admin has its own password-only login form and, for a signed-in person without admin access, redirects
to it again. Here the admin login sends anonymous visitors to the staff sign-in, and signed-in people who may not use
the admin get 403. The two-factor rule is the staff pages' (accounts.two_factor): a session signed in with a password
alone whose account now needs a second factor (a permission or superuser status given since) is ended and sent to
sign in with both steps.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts import two_factor
from clinic_portal.errors import busy_page_says

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class PortalAdminSite(admin.AdminSite):
    site_header = "Spine Clinic Portal administration"
    site_title = "Spine Clinic Portal"

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if two_factor.needs_second_step(request):
            return two_factor.sign_in_again(request)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, resolve_url("accounts:sign-in"))

    # Met by a busy database, the person may still be signed in (as the staff pages' sign-out, accounts.urls). The
    # admin's URL wraps this method, keeping its mark.
    @busy_page_says("sign_out")
    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        return super().logout(request, extra_context)

    # The stubs say TemplateResponse; the admin only returns what these give back (a redirect is an HttpResponse).
    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The admin header's "Change password" is the staff page's (accounts.views): Django's own counted no wrong
        current password towards the lockout and wrote nothing in the audit trail (the stop-34 audit)."""
        return redirect("accounts:password-change")

    def password_change_done(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("accounts:password-change")

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if two_factor.needs_second_step(request):
                return two_factor.sign_in_again(request)
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        # `guarded` takes and returns what `view` does: the type system cannot say so of a *args wrapper.
        return cast(View, update_wrapper(guarded, inner))
