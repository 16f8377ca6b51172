"""E-mailed one-time links that lift a sign-in lock (django-axes) from a username, whatever address it is opened from.

Asked for on the lockout page ("E-mail me a link to unlock"). The page that answers is the same whether or not the
username exists, has an e-mail address or is locked, and the e-mail is sent by the task worker, so the answer takes
as long either way. The link goes only to the e-mail address on the account, and an account gets at most
SIGN_IN_UNLOCK_EMAILS_RATE of them, whoever asks.

The link carries a Django password-reset-style token: an HMAC (SECRET_KEY) of the account's id, password hash,
e-mail address and the time its last unlock link was used (accounts.models.SignInUnlock), with the time it was made;
it is accepted for SIGN_IN_UNLOCK_LINK_MINUTES. Using it clears every failed sign-in of that username, at every
address (what `manage.py axes_reset_username` does), and moves the unlock time on, so the link works once. Opening
it only shows a button: mail scanners that open links do not use them up, and no GET changes anything.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as reset_failures
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from accounts import two_factor
from accounts.models import SignInUnlock

logger = logging.getLogger(__name__)


def link_seconds() -> int:
    return int(settings.SIGN_IN_UNLOCK_LINK_MINUTES) * 60


class UnlockTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token, over state that changes when a link is used, accepted for 30 minutes."""

    key_salt = "accounts.unlock.UnlockTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        unlocked_at = SignInUnlock.objects.filter(user=user).values_list("unlocked_at", flat=True).first()
        last_unlock = "" if unlocked_at is None else f"{unlocked_at.timestamp():.6f}"
        return f"{user.pk}|{user.password}|{user.email or ''}|{user.is_active}|{last_unlock}|{timestamp}"

    def check_token(self, user: Any, token: str | None) -> bool:
        """As Django's, but with this link's own lifetime instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not 0 <= self._num_seconds(self._now()) - timestamp <= link_seconds():
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


tokens = UnlockTokenGenerator()


# --- Asking for a link -------------------------------------------------------------------------------------------


def ask_for_link(request: HttpRequest, username: str) -> None:
    """Queue the e-mail, unless this username has had its share of them. Says nothing either way."""
    from django_ratelimit.core import get_usage

    from accounts.tasks import send_unlock_email

    try:
        usage = get_usage(
            request,
            group="portal:unlock-email",
            key=lambda _group, _request: username.casefold(),
            rate=settings.SIGN_IN_UNLOCK_EMAILS_RATE,
            increment=True,
        )
    except Exception:
        logger.exception("Unlock e-mail counter unavailable; no e-mail queued")
        return
    if usage is not None and (usage["should_limit"] or usage["time_left"] < 0):
        logger.warning("Unlock e-mails: limit reached for a username; no e-mail queued")
        return
    send_unlock_email.enqueue(username)


def is_locked_anywhere(username: str) -> bool:
    """Whether this username is locked out at some address now (AXES_LOCKOUT_PARAMETERS: username and address)."""
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    per_address = recent.values("ip_address").annotate(failures=Sum("failures_since_start"))
    return bool(per_address.filter(failures__gte=settings.AXES_FAILURE_LIMIT).exists())


def account_to_mail(username: str) -> Any | None:
    """The active account with this exact username and an e-mail address, while it is locked out somewhere."""
    user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    if user is None or not user.is_active or not user.email or not is_locked_anywhere(username):
        return None
    return user


def link_for(user: Any) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse("accounts:unlock", args=[uidb64, tokens.make_token(user)])


# --- Using a link ------------------------------------------------------------------------------------------------


def user_for_link(uidb64: str, token: str) -> Any | None:
    """The account the link was made for, if it is still valid: not used, not expired, nothing changed since."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or not tokens.check_token(user, token):
        return None
    return user


def lift_lock(user: Any) -> int:
    """Clear every failed sign-in of this username (every address) and spend the link. Returns the rows cleared.

    One transaction: a database error on the way (a busy database) leaves the lock and the link as they were, so the
    same link, pressed again, still unlocks (the busy page says so). Spent before the lock lifted, it left the person
    locked out with a dead link."""
    with transaction.atomic():
        SignInUnlock.objects.update_or_create(user=user, defaults={"unlocked_at": timezone.now()})
        cleared = int(reset_failures(username=user.get_username()))
        two_factor.forget_wrong_codes(user)
    logger.warning("Sign-in unlocked by e-mailed link for user #%s (%s failure records cleared)", user.pk, cleared)
    return cleared
