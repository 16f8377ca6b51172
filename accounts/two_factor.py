"""Two-factor sign-in for the roles that see clinical data: an authenticator app (TOTP) and one-use recovery codes.

Enforced in the sign-in steps (accounts.views), not per request, so a session is only ever created after both
factors. The password step leaves a short-lived "pending" note in the session; the code step turns it into a
signed-in session.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import CLINICIANS

PENDING_KEY = "portal_pending_sign_in"
# Time allowed between the password step and the code step.
PENDING_SECONDS = 5 * 60

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def requires_two_factor(user: Any) -> bool:
    """Clinicians and administrators see clinical data and manage accounts: they need a second factor."""
    return bool(user.is_superuser or user.groups.filter(name=CLINICIANS).exists())


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- The pending sign-in (password checked, code not yet) --------------------------------------------------------


def start_pending(request: HttpRequest, user: Any, *, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "started": time.time(),
        "next": next_url,
    }


def pending(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    """The user whose password was just checked, if that was less than PENDING_SECONDS ago."""
    note = request.session.get(PENDING_KEY)
    if not note or time.time() - note["started"] > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=note["user_id"], is_active=True).first()
    if user is None:
        return None
    return user, note


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


# --- Devices -----------------------------------------------------------------------------------------------------


def enrolment_device(user: Any) -> TOTPDevice:
    """The authenticator being set up: the same secret on every reload until it is confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for people who type it into their app instead of scanning."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG: no image URL to leak, no script or style for the CSP to refuse."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)


@transaction.atomic
def confirm_authenticator(device: TOTPDevice) -> list[str]:
    """Mark the new authenticator confirmed, retire any other, and issue fresh recovery codes (returned once)."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return issue_recovery_codes(device.user)


@transaction.atomic
def issue_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with TWO_FACTOR_RECOVERY_CODES new ones. Each works once."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify_code(user: Any, code: str) -> Any | None:
    """The confirmed device (authenticator or recovery codes) that accepts `code`, or None.

    A recovery code is deleted when used, so it is refused the second time. django-otp also slows down repeated
    wrong codes per device.
    """
    code = "".join(code.split()).lower()
    if not code or len(code) > 16:
        return None
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice) and not code.isdigit():
            continue
        if device.verify_token(code):
            return device
    return None


def verify_enrolment_code(device: TOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    return code.isdigit() and len(code) <= 8 and bool(device.verify_token(code))


def method_of(device: Any) -> str:
    return "recovery code" if isinstance(device, StaticDevice) else "authenticator app"
