"""Demo staff accounts, one per role, for trying the portal locally. Refuses to run when DEBUG is off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import CLINICIANS, CONTENT_EDITORS, FRONT_DESK

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - development only; the command refuses to run with DEBUG off.

DEMO_STAFF = (
    # username, full name, group (None = superuser), is_staff (may open the Django admin)
    ("editor", "Erin Editor", CONTENT_EDITORS, True),
    ("frontdesk", "Frankie Desk", FRONT_DESK, False),
    ("clinician", "Dr. Casey Clinician", CLINICIANS, False),
    ("admin", "Ada Admin", None, True),
)


class Command(BaseCommand):
    help = "Create or refresh the demo staff accounts (development only) and print their sign-in details."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to create demo accounts with DEBUG off: this is not a development setup.")
        user_model = get_user_model()
        rows = []
        for username, full_name, group_name, is_staff in DEMO_STAFF:
            first, _, last = full_name.rpartition(" ")
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
            )
            user.is_staff = is_staff
            user.is_superuser = group_name is None
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name:
                user.groups.set([Group.objects.get(name=group_name)])
            rows.append((username, group_name or "Administrator"))

        self.stdout.write(self.style.SUCCESS("Demo staff accounts (sign in at http://127.0.0.1:8000/staff/sign-in/):"))
        for username, role in rows:
            self.stdout.write(f"  {username:<10} password {DEMO_PASSWORD}   role: {role}")
