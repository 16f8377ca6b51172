"""Demo invitations for trying the patient form (development only; safe to run again).

Only a hash of each link's token is stored, so a link cannot be printed again later from the database. The demo
tokens are therefore derived from SECRET_KEY and a fixed label (intake.tokens.demo_token): the same links work on
every run. An invitation still in use is kept with its answers; one that was sent, locked or has expired is made
again (its demo answers removed), so the printed links always open a form.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from intake import services, tokens
from intake.models import Intake, Invitation

# label, patient name, date of birth, days until the appointment, hour
DEMO_INVITATIONS = (
    ("demo-runner", "Riley Runner", datetime.date(1988, 4, 12), 2, 9),
    ("demo-walker", "Morgan Walker", datetime.date(1961, 11, 3), 3, 14),
    ("demo-cyclist", "Sam Cyclist", datetime.date(1995, 7, 21), 5, 11),
)


class Command(BaseCommand):
    help = "Create or reset the demo patient invitations and print their links (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to create demo invitations with DEBUG off: this is not a development setup.")
        today = timezone.localdate()
        self.stdout.write(self.style.SUCCESS("Demo patient links (type the date of birth shown to open one):"))
        for label, name, born, days, hour in DEMO_INVITATIONS:
            token = tokens.demo_token(label)
            appointment = timezone.make_aware(
                datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour))
            )
            existing = Invitation.objects.filter(token_hash=tokens.hash_token(token)).first()
            if existing is not None and self._still_usable(existing):
                self._print(token, born, name)
                continue
            if existing is not None:
                services.discard_invitation(existing)
            services.create_invitation(
                patient_name=name,
                email="",
                date_of_birth=born,
                appointment_at=appointment,
                created_by=None,
                send_email=False,
                token=token,
            )
            self._print(token, born, name)

    def _still_usable(self, invitation: Invitation) -> bool:
        submitted = Intake.objects.filter(invitation=invitation, status=Intake.Status.SUBMITTED).exists()
        return invitation.locked_at is None and invitation.expires_at > timezone.now() and not submitted

    def _print(self, token: str, born: datetime.date, name: str) -> None:
        link = settings.SITE_URL + reverse("intake:start", args=[token])  # SITE_URL: `make run PORT=...` sets it
        self.stdout.write(f"  {link}   date of birth {born:%m/%d/%Y} ({name})")
