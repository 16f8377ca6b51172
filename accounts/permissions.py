"""Permission checks shared by every staff view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase

from accounts import two_factor

P = ParamSpec("P")


class StaffPermissionRequiredMixin(PermissionRequiredMixin):
    """Anonymous visitors go to sign-in; signed-in staff without the permission get 403, never a redirect loop."""

    raise_exception = False
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if two_factor.needs_second_step(request):
            return two_factor.sign_in_again(request)
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self) -> HttpResponseRedirect:
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


def staff_permission_required(
    *perms: str,
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], HttpResponseBase]], Callable[Concatenate[HttpRequest, P], HttpResponseBase]
]:
    """For function views: anonymous -> sign-in page; signed in without every permission -> 403.

    A session signed in with a password alone whose account now needs a second factor is ended and sent to sign in.
    """
    return _staff_view(lambda user: user.has_perms(perms))


def administrator_required(
    view: Callable[Concatenate[HttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """The same for the administrators' own pages (superusers): 403 for other staff, and the second factor checked
    as on every staff page (an account made superuser mid-session is sent to sign in again)."""
    return _staff_view(lambda user: user.is_superuser)(view)


def _staff_view(
    allowed: Callable[[Any], bool],
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], HttpResponseBase]], Callable[Concatenate[HttpRequest, P], HttpResponseBase]
]:
    def decorator(
        view: Callable[Concatenate[HttpRequest, P], HttpResponseBase],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if two_factor.needs_second_step(request):
                return two_factor.sign_in_again(request)
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
