"""Permission checks shared by every staff view."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest


class StaffPermissionRequiredMixin(PermissionRequiredMixin):
    """Anonymous visitors go to sign-in; signed-in staff without the permission get 403, never a redirect loop."""

    raise_exception = False
    request: HttpRequest

    def handle_no_permission(self):  # type: ignore[no-untyped-def]
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


def staff_permission_required(*perms: str):  # type: ignore[no-untyped-def]
    """For function views: anonymous -> sign-in page; signed in without every permission -> 403."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    def decorator(view):  # type: ignore[no-untyped-def]
        @wraps(view)
        def wrapped(request, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
