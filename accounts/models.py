"""What the accounts app keeps of its own: when a person last lifted a sign-in lock with an e-mailed link, and whose
recovery codes, from their first two-step set-up, they have not yet said they saved."""

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


class UnsavedRecoveryCodes(models.Model):
    """This person's recovery codes, made when their authenticator app was confirmed, have not yet been saved.

    Made in the same transaction as the confirmation and the codes (accounts.two_factor.confirm_authenticator) and
    removed when the person presses "I have saved them: continue". Until then each sign-in with the app's code shows
    the codes again, on the page right after it only (accounts.views.recovery_codes; not one with a recovery code,
    which must not show the others): a busy database after the confirmation could keep the page that shows them from
    ever arriving, and the next sign-in asks only for the app's code.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Recovery codes not yet saved by user #{self.user_id}"
