"""Demo staff accounts, one per role, for trying the portal locally. Refuses to run when DEBUG is off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.roles import CLINICAL_REVIEWERS, CLINICIANS, CONTENT_EDITORS, FRONT_DESK

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - development only; the command refuses to run with DEBUG off.

# The authenticator secret of the demo clinician and admin (hex, as django-otp stores it). Development only: add it
# to an authenticator app by hand (the base32 form is printed), or sign in with a printed recovery code.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"

DEMO_STAFF = (
    # username, full name, group (None = superuser), is_staff (may open the Django admin)
    ("editor", "Erin Editor", CONTENT_EDITORS, True),
    ("frontdesk", "Frankie Desk", FRONT_DESK, False),
    ("clinician", "Dr. Casey Clinician", CLINICIANS, False),
    ("admin", "Ada Admin", None, True),
    # Approves articles in the admin (clinical sign-off); `load_demo_reviews` approves the starter library as them.
    ("reviewer", "Dr. Riley Reviewer", CLINICAL_REVIEWERS, True),
)


class Command(BaseCommand):
    help = "Create or refresh the demo staff accounts (development only) and print their sign-in details."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to create demo accounts with DEBUG off: this is not a development setup.")
        user_model = get_user_model()
        rows = []
        second_factors: dict[str, list[str]] = {}
        for username, full_name, group_name, is_staff in DEMO_STAFF:
            first, _, last = full_name.rpartition(" ")
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
            )
            if not user.get_full_name():
                # An account made without one (an older demo database, or by hand): the demo reviewer approves the
                # starter library, and an approval needs the full name patients read (education/workflow.py).
                user.first_name, user.last_name = first, last
            user.is_staff = is_staff
            user.is_superuser = group_name is None
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name:
                user.groups.set([Group.objects.get(name=group_name)])
            rows.append((username, group_name or "Administrator"))
            if two_factor.requires_two_factor(user):
                second_factors[username] = self._demo_second_factor(user)

        sign_in = settings.SITE_URL + reverse("accounts:sign-in")  # `make run PORT=...` sets SITE_URL to match
        self.stdout.write(self.style.SUCCESS(f"Demo staff accounts (sign in at {sign_in}):"))
        for username, role in rows:
            self.stdout.write(f"  {username:<10} password {DEMO_PASSWORD}   role: {role}")
        if second_factors:
            device = TOTPDevice(key=DEMO_TOTP_KEY)
            self.stdout.write(
                "Clinicians and administrators also need a code (two-step sign-in). Either add this key to an "
                f"authenticator app (time-based, 6 digits): {two_factor.secret_for_typing(device)}"
            )
            self.stdout.write("or use one of these one-time recovery codes (new ones each time this runs):")
            for username, codes in second_factors.items():
                self.stdout.write(f"  {username:<10} {' '.join(codes)}")

    @staticmethod
    def _demo_second_factor(user: Any) -> list[str]:
        TOTPDevice.objects.filter(user=user).exclude(key=DEMO_TOTP_KEY).delete()
        TOTPDevice.objects.update_or_create(
            user=user, key=DEMO_TOTP_KEY, defaults={"name": two_factor.AUTHENTICATOR_NAME, "confirmed": True}
        )
        return two_factor.issue_recovery_codes(user)
