"""The roles that work in the admin (Content editors, Clinical reviewers) come with "staff status", the admin's own
door: an account put in one of those groups, as the README's "Deploying" says, was sent to the public home page and
refused at /admin/ until someone also ticked "Staff status" (the stop-34 audit)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import CLINICAL_REVIEWERS, CONTENT_EDITORS

ADMIN_ROLES = (CONTENT_EDITORS, CLINICAL_REVIEWERS)


def staff_status_with_admin_roles(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """m2m_changed of User.groups: a person added to an admin role gets staff status (never taken away here)."""
    if action != "post_add" or not pk_set:
        return
    users = get_user_model().objects.filter(is_staff=False)
    if reverse:  # group.user_set.add(...)
        if instance.name in ADMIN_ROLES:
            users.filter(pk__in=pk_set).update(is_staff=True)
    elif Group.objects.filter(pk__in=pk_set, name__in=ADMIN_ROLES).exists() and not instance.is_staff:
        users.filter(pk=instance.pk).update(is_staff=True)
        instance.is_staff = True
