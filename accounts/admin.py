"""Staff accounts in the admin: Django's own user pages, except that only a superuser gives roles and powers.

Django's stock page lets anyone holding `auth.change_user` tick "superuser status" or add groups and permissions, to
anyone, themselves included: that permission amounts to all of them (the stop-32 security audit). No role of the
portal holds it (accounts.roles), but an administrator may hand it to someone to keep names and addresses up to date:
for them, who holds which role and power is read-only, and so are the sign-in details (password, username, e-mail,
active) of any account with a power they do not hold themselves: setting a superuser's password was taking over
their account (the stop-34 audit).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from accounts.roles import ROLE_PERMISSIONS

User = get_user_model()

# Given by superusers only.
POWERS = ("is_superuser", "is_staff", "groups", "user_permissions")
# How an account signs in: changed by a non-superuser only on accounts with no power beyond their own.
SIGN_IN_DETAILS = ("username", "email", "is_active")

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PortalUserAdmin(UserAdmin):  # type: ignore[type-arg]
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return (*fields, *POWERS, *(SIGN_IN_DETAILS if obj is not None and _outranks(obj, request.user) else ()))

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        target = self.get_object(request, id)
        if target is not None and not request.user.is_superuser and _outranks(target, request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


def _outranks(account: Any, user: Any) -> bool:
    """`account` is a superuser or holds a permission `user` does not, given to it or through its groups, whether it
    is active or not: Django gives an inactive account no permissions, so a deactivated reviewer's password could be
    set and the account ticked active again (review of the stop-34 commits)."""
    if account.is_superuser:
        return True
    held = Permission.objects.filter(Q(user=account) | Q(group__user=account)).values_list(
        "content_type__app_label", "codename"
    )
    return not {f"{app}.{codename}" for app, codename in held} <= user.get_all_permissions()


@admin.register(Group)
class PortalGroupAdmin(GroupAdmin):
    """The four roles' permissions are the table in accounts/roles.py, set again at every deploy (`migrate`): shown
    read-only here. Unticking one was saved, then silently given back at the next deploy (the stop-34 audit). Other
    groups an administrator makes are theirs to edit."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "name", "permissions") if obj is not None and obj.name in ROLE_PERMISSIONS else fields

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        group = self.get_object(request, object_id)
        if group is not None and group.name in ROLE_PERMISSIONS:
            extra_context = {
                **(extra_context or {}),
                "subtitle": "A role of the portal: its permissions are set in accounts/roles.py (ROLE_PERMISSIONS) "
                "and applied at every deploy, so they are not changed here.",
            }
        return super().change_view(request, object_id, form_url, extra_context)
