"""What the accounts app keeps of its own: when a person last lifted a sign-in lock with an e-mailed link."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInUnlock(models.Model):
    """The last time this person's e-mailed unlock link was used.

    Part of every unlock link's signature (accounts.unlock), the way Django's password-reset links sign the last
    sign-in: using a link moves this time on, so that link, and any other sent before it, stops working.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unlocked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Sign-in unlock of user #{self.user_id}"
