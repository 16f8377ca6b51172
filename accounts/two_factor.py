"""Two-factor sign-in for whoever may see clinical data: an authenticator app (TOTP) and one-use recovery codes.

Enforced in the sign-in steps (accounts.views), so a session is only ever created after both factors for an account
that needs them. The password step leaves a short-lived "pending" note in the session; the code step turns it into a
signed-in session. A session signed in with a password alone is marked; if its account is given a permission that
needs a second factor meanwhile, the staff pages and the admin end it (`needs_second_step`).
"""

from __future__ import annotations

import base64
import math
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UnsavedRecoveryCodes
from accounts.roles import TWO_FACTOR_PERMISSIONS

PENDING_KEY = "portal_pending_sign_in"
# The authenticator this browser is setting up (its secret shown on the set-up page), until it is confirmed.
ENROLMENT_KEY = "portal_enrolment"
# Set on a session signed in with a password alone. If the account is given a permission that needs a second factor
# while that session lasts, the next staff or admin page ends the session and asks for both steps.
SINGLE_FACTOR_KEY = "portal_single_factor"
SIGN_IN_AGAIN = (
    "Your account now needs a code from an authenticator app as well as your password. Please sign in again."
)
# Time allowed between the password step and the code step.
PENDING_SECONDS = 5 * 60
# Set by the code step when it sends a sign-in with the app's code to the recovery codes not yet saved; the page that
# shows them marks it shown (`may_show_recovery_codes_now`): later in that session the page shows them no more, and
# "I have saved them" works only while it is there (`may_say_recovery_codes_saved`). The set-up page sets it shown.
RECOVERY_CODES_KEY = "portal_recovery_codes_once"
# Time allowed between the code step and the page with the recovery codes (a redirect: a browser follows it at once).
RECOVERY_CODES_SECONDS = 2 * 60
# Time allowed between the page showing the codes and "I have saved them: continue": writing ten codes down, or
# printing them, takes longer than the redirect's two minutes; a computer left on the page is not a way in for long.
RECOVERY_CODES_SAVE_SECONDS = 10 * 60

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def requires_two_factor(user: Any) -> bool:
    """Whoever may see patients' clinical answers, or hand out that permission, needs a second factor.

    Decided by the permissions the account holds (its own and every group's, accounts.roles.TWO_FACTOR_PERMISSIONS),
    not by the name of a group, and always for superusers.
    """
    if user.is_superuser:
        return True
    return not TWO_FACTOR_PERMISSIONS.isdisjoint(user.get_all_permissions())


def needs_second_step(request: HttpRequest) -> bool:
    """This session was signed in with a password alone, but its account needs a second factor now."""
    user = request.user
    if not user.is_authenticated or not request.session.get(SINGLE_FACTOR_KEY):
        return False
    return requires_two_factor(user)


def sign_in_again(request: HttpRequest) -> HttpResponse:
    """End a session that `needs_second_step` and send its browser to the sign-in, back to this page afterwards."""
    logout(request)
    messages.info(request, SIGN_IN_AGAIN)
    return redirect_to_login(request.get_full_path())


def has_authenticator(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


# --- The pending sign-in (password checked, code not yet) --------------------------------------------------------


def start_pending(request: HttpRequest, user: Any, *, next_url: str) -> None:
    # A new session key with the password: the half-signed-in state (and at a first sign-in the authenticator secret)
    # is never kept under a key the browser held before, which someone else at a shared computer may know.
    request.session.cycle_key()
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


def enrolment_device(request: HttpRequest, user: Any) -> TOTPDevice:
    """The authenticator this browser is setting up for `user`: the same secret on every reload until it is confirmed
    with a code (also after the password again, when a sign-in took too long: the person may have scanned it), and a
    secret of its own. Kept per browser, not per account: someone else who has the password and opens the set-up page
    (a temporary password handed out, say) never sees the secret the owner then scans. Confirming one removes the
    others (`confirm_authenticator`)."""
    kept = request.session.get(ENROLMENT_KEY) or {}
    device = None
    if kept.get("user_id") == user.pk:
        device = TOTPDevice.objects.filter(
            pk=kept.get("device"), user=user, confirmed=False, name=AUTHENTICATOR_NAME
        ).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
        request.session[ENROLMENT_KEY] = {"user_id": user.pk, "device": device.pk}
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for people who type it into their app instead of scanning."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG: no image URL to leak, no script or style for the CSP to refuse."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg: str = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)


@transaction.atomic
def confirm_authenticator(device: TOTPDevice) -> list[str]:
    """Mark the new authenticator confirmed, retire any other, and issue fresh recovery codes, to be shown at each
    sign-in until the person says they saved them (`recovery_codes_to_show`): all in one transaction."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = issue_recovery_codes(device.user)
    UnsavedRecoveryCodes.objects.get_or_create(user=device.user)
    return codes


@transaction.atomic
def issue_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with TWO_FACTOR_RECOVERY_CODES new ones. Each works once."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def signed_in_with_the_app(request: HttpRequest) -> bool:
    """This session was signed in with both steps, the second the authenticator app's code after the password.

    Not a recovery code: each works once, and someone who has the password and one of them (copied from a set-up page
    left open) was shown every other unused code, one sign-in become nine more."""
    if not request.user.is_authenticated or request.session.get(SINGLE_FACTOR_KEY):
        return False
    device = Device.from_persistent_id(str(request.session.get(DEVICE_ID_SESSION_KEY) or ""))
    return isinstance(device, TOTPDevice) and device.user_id == request.user.pk


def recovery_codes_to_show(user: Any) -> list[str] | None:
    """The person's recovery codes while they have not said they saved them (the ones still unused), else None.

    Shown right after each sign-in with the app's code until then, once (accounts.views.recovery_codes,
    `may_show_recovery_codes_now`; not after one with a recovery code, `signed_in_with_the_app`): the page that
    showed them at the set-up may never have arrived (a busy database after the confirmation), and the next sign-in
    asks only for the app's code. An empty list when none is left (`why_no_recovery_codes`).
    """
    if not recovery_codes_unsaved(user):
        return None
    # Confirmed only, as the sign-in takes them (`verify_code`): an administrator unticking "confirmed" turns them off.
    # Any name, as the sign-in takes them too: the device is the person's recovery device whatever the admin renamed
    # it to (read by its name, a renamed device's codes worked and this page said they were removed).
    tokens = StaticToken.objects.filter(device__user=user, device__confirmed=True)
    return list(tokens.order_by("pk").values_list("token", flat=True))


def recovery_codes_unsaved(user: Any) -> bool:
    return bool(UnsavedRecoveryCodes.objects.filter(user=user).exists())


def why_no_recovery_codes(user: Any) -> str:
    """Why a person whose codes are not yet saved has none to be shown: "used" when their recovery device is there,
    confirmed, and a code of it was used (each works once; django-otp notes the time of each use, `last_used_at`),
    else "removed": the device deleted or turned off ("confirmed" unticked) in the admin, or its codes deleted with
    none used. The admin cannot delete codes one by one (OTP_ADMIN_HIDE_SENSITIVE_DATA hides them)."""
    used = StaticDevice.objects.filter(user=user, confirmed=True, last_used_at__isnull=False)
    return "used" if used.exists() else "removed"


def show_recovery_codes_once(request: HttpRequest) -> None:
    """The code step signed this session in with the app's code and sends it to the recovery codes not yet saved: the
    next request for that page, soon, shows them (`may_show_recovery_codes_now`), once."""
    request.session[RECOVERY_CODES_KEY] = {"user_id": request.user.pk, "at": time.time()}


def recovery_codes_shown_here(request: HttpRequest) -> None:
    """This answer shows the recovery codes (the set-up page's): its "I have saved them" works, within
    RECOVERY_CODES_SAVE_SECONDS (`may_say_recovery_codes_saved`)."""
    now = time.time()
    request.session[RECOVERY_CODES_KEY] = {"user_id": request.user.pk, "at": now, "shown": now}


def _recovery_codes_note(request: HttpRequest) -> dict[str, Any] | None:
    note = request.session.get(RECOVERY_CODES_KEY)
    if not isinstance(note, dict) or note.get("user_id") != request.user.pk:
        return None
    return note


def may_show_recovery_codes_now(request: HttpRequest) -> bool:
    """This request is the one right after a sign-in with the app's code (`show_recovery_codes_once`): true once.

    Not later in the session: a computer left signed in does not show every unused code to whoever opens (reloads,
    goes back to) the page. The next sign-in with the app shows them again while they are not said to be saved. The
    note stays, marked shown, for the page's "I have saved them" (`may_say_recovery_codes_saved`)."""
    note = _recovery_codes_note(request)
    if note is None or "shown" in note:
        return False
    now = time.time()
    if not 0 <= now - float(note.get("at") or 0) <= RECOVERY_CODES_SECONDS:
        request.session.pop(RECOVERY_CODES_KEY, None)
        return False
    request.session[RECOVERY_CODES_KEY] = {**note, "shown": now}
    return True


def may_say_recovery_codes_saved(request: HttpRequest) -> bool:
    """The "I have saved them" button comes from the session just shown the codes, within RECOVERY_CODES_SAVE_SECONDS.

    Not from another session signed in with the app, nor from this one later: someone at a computer left signed in
    would mark them saved, unseen, and their owner would never be shown them again."""
    note = _recovery_codes_note(request)
    if note is None or "shown" not in note or not signed_in_with_the_app(request):
        return False
    return 0 <= time.time() - float(note["shown"]) <= RECOVERY_CODES_SAVE_SECONDS


def recovery_codes_saved(request: HttpRequest) -> None:
    """The person says they saved their recovery codes: they are not shown again."""
    user: Any = request.user  # signed in (accounts.views.recovery_codes is login_required)
    UnsavedRecoveryCodes.objects.filter(user=user).delete()
    forget_recovery_codes_note(request)


def forget_recovery_codes_note(request: HttpRequest) -> None:
    request.session.pop(RECOVERY_CODES_KEY, None)


# django-otp makes each device wait 1, 2, 4, 8... seconds after each wrong code, whichever address typed it, and
# without end: twenty wrong codes from someone who has the password would keep the owner out for days. The wait
# stops growing at 2 ** (MAX_THROTTLED_FAILURES - 1) seconds (about 4 minutes): guessing stays at some fifteen codes
# an hour, and the owner is told how long to wait (`seconds_until_codes_accepted`).
MAX_THROTTLED_FAILURES = 9


def _confirmed_devices(user: Any) -> list[Any]:
    devices = list(devices_for_user(user, confirmed=True))
    for device in devices:
        if getattr(device, "throttling_failure_count", 0) > MAX_THROTTLED_FAILURES:
            device.throttling_failure_count = MAX_THROTTLED_FAILURES
    return devices


def verify_code(user: Any, code: str) -> Any | None:
    """The confirmed device (authenticator or recovery codes) that accepts `code`, or None.

    A recovery code is deleted when used, so it is refused the second time. django-otp also slows down repeated
    wrong codes per device (capped: MAX_THROTTLED_FAILURES); a device still waiting does not look at the code.
    """
    code = "".join(code.split()).lower()
    if not code or len(code) > 16:
        return None
    for device in _confirmed_devices(user):
        if isinstance(device, TOTPDevice) and not code.isdigit():
            continue
        if isinstance(device, StaticDevice) and code.isdigit() and len(code) <= device_digits(user):
            # An app's code is never a recovery code (eight letters and digits): trying it there would only make the
            # recovery codes wait after wrong app codes too, when the page offers them as the way in meanwhile.
            continue
        if device.verify_token(code):
            return device
    return None


def device_digits(user: Any) -> int:
    """How many digits the person's authenticator codes have (django-otp's default, six)."""
    return max((device.digits for device in TOTPDevice.objects.filter(user=user, confirmed=True)), default=6)


def seconds_until_codes_accepted(user: Any) -> int:
    """How long until the authenticator looks at a code again after wrong ones (0: it does now)."""
    waits = []
    for device in _confirmed_devices(user):
        if isinstance(device, TOTPDevice):
            allowed, details = device.verify_is_allowed()
            if not allowed and details and details.get("locked_until"):
                waits.append((details["locked_until"] - timezone.now()).total_seconds())
    return max(0, math.ceil(max(waits, default=0)))


def forget_wrong_codes(user: Any) -> None:
    """Lifting a sign-in lock lets codes be typed again at once (django-otp's wait after wrong codes ends too)."""
    for device in devices_for_user(user):
        if hasattr(device, "throttle_reset"):
            device.throttle_reset()


def verify_enrolment_code(device: TOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    return code.isdigit() and len(code) <= 8 and bool(device.verify_token(code))


def method_of(device: Any) -> str:
    return "recovery code" if isinstance(device, StaticDevice) else "authenticator app"
