"""Staff accounts in the admin: Django's own user pages, except that only a superuser gives roles and powers.

Django's stock page lets anyone holding `auth.change_user` tick "superuser status" or add groups and permissions, to
anyone, themselves included: that permission amounts to all of them (the stop-32 security audit). No role of the
portal holds it (accounts.roles), but an administrator may hand it to someone to keep names and addresses up to date:
for them, who holds which role and power is read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

User = get_user_model()

# Given by superusers only.
POWERS = ("is_superuser", "is_staff", "groups", "user_permissions")

admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):  # type: ignore[type-arg]
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, *POWERS)
